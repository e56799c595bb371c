#!/usr/bin/python3
"""Load generator: N processes, each with its own Pyro4 proxy, alternately
call actualizar_stock and obtener_producto on their own product for a fixed
time (--mix read|write: only one of the two). Prints one JSON line: calls, calls_per_s, p50_ms, p99_ms, errors,
and the CPU the clients spent per call.

With --threads T each process runs T threads, each with its own proxy and
product (the CPU per call is then the process's, shared by its threads).

Usage: bench_load.py --uri PYRO:inventario.servicio@127.0.0.1:9091 --procs 4 [--threads 4] --seconds 10
"""
import argparse
import json
import multiprocessing
import os
import threading
import time

import Pyro4


def load(uri, n, seconds, prefix, start_at, mix):
    """One process: returns (latencies in seconds, error count, CPU seconds spent in the loop)."""
    svc = Pyro4.Proxy(uri)
    if os.environ.get("PYRO_HMAC_KEY"):
        svc._pyroHmacKey = os.environ["PYRO_HMAC_KEY"].encode()
    pid = "%s-%d" % (prefix, n)
    svc.agregar_producto(pid, "bench %d" % n, 0)
    while time.time() < start_at:
        time.sleep(0.001)
    lat, errors, i = [], 0, 0
    cpu0 = time.process_time()
    end = start_at + seconds
    while time.time() < end:
        t0 = time.perf_counter()
        try:
            if mix == "write" or (mix == "both" and i % 2 == 0):
                svc.actualizar_stock(pid, i)
            else:
                svc.obtener_producto(pid)
        except Exception:  # noqa: BLE001 - counted, the load goes on
            errors += 1
        lat.append(time.perf_counter() - t0)
        i += 1
    cpu = time.process_time() - cpu0
    try:
        svc.eliminar_producto(pid)
    except Exception:  # noqa: BLE001
        pass
    return lat, errors, cpu


def load_threads(uri, n, threads, seconds, prefix, start_at, mix):
    """One process of threads threads, each a load of its own: returns the
    summed (latencies, errors) and the process's CPU seconds while they ran."""
    if threads <= 1:
        return load(uri, n, seconds, prefix, start_at, mix)
    out = [None] * threads

    def body(t):
        out[t] = load(uri, n * threads + t, seconds, prefix, start_at, mix)

    cpu0 = time.process_time()
    ts = [threading.Thread(target=body, args=(t,)) for t in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    cpu = time.process_time() - cpu0
    return [x for l, _, _ in out for x in l], sum(e for _, e, _ in out), cpu


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, int(round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", default="PYRONAME:inventario.servicio")
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--threads", type=int, default=1, help="threads per process, each with its own proxy")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--label", default="")
    ap.add_argument("--mix", choices=("both", "read", "write"), default="both",
                    help="alternate actualizar_stock and obtener_producto (both), or only one of them")
    args = ap.parse_args()
    prefix = "bench%d" % int(time.time() * 1000)
    start_at = time.time() + 1.0 + 0.2 * args.procs * args.threads  # every proxy has connected by then
    with multiprocessing.Pool(args.procs) as pool:
        out = pool.starmap(load_threads, [(args.uri, n, args.threads, args.seconds, prefix, start_at, args.mix)
                                          for n in range(args.procs)])
    lat = sorted(x for l, _, _ in out for x in l)
    errors = sum(e for _, e, _ in out)
    cpu = sum(c for _, _, c in out)
    print(json.dumps({
        "label": args.label, "uri": args.uri, "mix": args.mix, "procs": args.procs, "threads": args.threads, "seconds": args.seconds,
        "calls": len(lat), "errors": errors,
        "calls_per_s": round(len(lat) / args.seconds, 1),
        "p50_ms": round(percentile(lat, 0.50) * 1000, 3),
        "p99_ms": round(percentile(lat, 0.99) * 1000, 3),
        "client_cpu_us_per_call": round(cpu / len(lat) * 1e6, 1) if lat else 0.0,
    }))


if __name__ == "__main__":
    main()
