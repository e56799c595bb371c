#!/usr/bin/python3
"""Many clients at once against inventario.servicio, then a check that the
final stock adds up.

N workers (threads or processes, each with its own proxy) add their own
products at the same time and set their stock round after round, reading one
shared product in between. actualizar_stock sets an absolute value, so each
worker knows the last value it wrote; at the end the stock the service lists
must equal that value for every product, and the totals must match.

Prints a summary (--json: one JSON line) and exits 1 when a call failed or the
numbers do not add up. Environment as for client.py.
"""
import argparse
import json
import multiprocessing
import os
import sys
import threading
import time

import Pyro4


def proxy(uri):
    p = Pyro4.Proxy(uri)
    if os.environ.get("PYRO_HMAC_KEY"):
        p._pyroHmacKey = os.environ["PYRO_HMAC_KEY"].encode()
    return p


def worker(uri, prefix, n, products, rounds, shared):
    """Adds this worker's products and updates them; returns {id: last stock}."""
    expected = {}
    with proxy(uri) as svc:
        ids = ["%s-w%d-p%d" % (prefix, n, k) for k in range(products)]
        for pid in ids:
            svc.agregar_producto(pid, "producto %s" % pid, 0)
            expected[pid] = 0
        for r in range(1, rounds + 1):
            for k, pid in enumerate(ids):
                value = r * (n + 1) + k
                svc.actualizar_stock(pid, value)
                expected[pid] = value
            svc.obtener_producto(shared)
    return expected


def run_threads(args, prefix, shared):
    results, errors = {}, []
    lock = threading.Lock()

    def body(n):
        try:
            got = worker(args.uri, prefix, n, args.products, args.rounds, shared)
            with lock:
                results.update(got)
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append("worker %d: %r" % (n, e))

    threads = [threading.Thread(target=body, args=(n,)) for n in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def process_body(args_tuple):
    try:
        return worker(*args_tuple), None
    except Exception as e:  # noqa: BLE001 - reported by the parent
        return {}, "worker %d: %r" % (args_tuple[2], e)


def run_processes(args, prefix, shared):
    jobs = [(args.uri, prefix, n, args.products, args.rounds, shared) for n in range(args.workers)]
    with multiprocessing.Pool(args.workers) as pool:
        out = pool.map(process_body, jobs)
    results, errors = {}, []
    for got, err in out:
        results.update(got)
        if err:
            errors.append(err)
    return results, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", default="PYRONAME:inventario.servicio")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--products", type=int, default=3, help="products per worker")
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--mode", choices=("threads", "processes"), default="threads")
    ap.add_argument("--prefix", default="conc%d" % int(time.time() * 1000))
    ap.add_argument("--cleanup", action="store_true", help="delete the products afterwards")
    ap.add_argument("--json", action="store_true", help="print one JSON line")
    args = ap.parse_args()

    shared = args.prefix + "-shared"
    with proxy(args.uri) as svc:
        svc.agregar_producto(shared, "compartido", 1)
    start = time.time()
    run = run_threads if args.mode == "threads" else run_processes
    expected, errors = run(args, args.prefix, shared)
    elapsed = time.time() - start

    with proxy(args.uri) as svc:
        listed = {p["id"]: p["stock"] for p in svc.listar_productos()}
        mismatches = {pid: (want, listed.get(pid)) for pid, want in expected.items() if listed.get(pid) != want}
        want_total = sum(expected.values())
        got_total = sum(listed.get(pid, 0) for pid in expected)
        want_count = args.workers * args.products
        cleaned = []
        if args.cleanup:
            for pid in list(expected) + [shared]:
                try:
                    svc.eliminar_producto(pid)
                    cleaned.append(pid)
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append("deleting %s: %r" % (pid, e))
    ok = not errors and not mismatches and len(expected) == want_count and want_total == got_total
    summary = {"ok": ok, "deleted": len(cleaned), "mode": args.mode, "workers": args.workers, "products": len(expected),
               "calls": args.workers * (args.products + args.rounds * (args.products + 1)),
               "seconds": round(elapsed, 3), "expected_total": want_total, "listed_total": got_total,
               "mismatches": {k: list(v) for k, v in mismatches.items()}, "errors": errors}
    if args.json:
        print(json.dumps(summary))
    else:
        print("%d %s, %d products, %d calls in %.2f s" % (args.workers, args.mode, len(expected),
                                                          summary["calls"], elapsed))
        print("expected total stock %d, listed %d: %s" % (want_total, got_total, "OK" if ok else "MISMATCH"))
        for e in errors:
            print("error:", e)
        for pid, (want, got) in mismatches.items():
            print("mismatch: %s expected %s, listed %s" % (pid, want, got))
        if args.cleanup:
            print("deleted its %d products" % len(cleaned))
        else:
            print("left its %d products (%s-…) in the warehouse: run it against a scratch node, "
                  "or add --cleanup to delete them afterwards" % (len(expected) + 1, args.prefix))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
