#!/usr/bin/python3
"""Runs bench_load.py against a stockmesh node and against bench_server.py
(the exercise's lock + JSON file server, started here) with the same load,
for each number of client processes in --procs, prints every result and the
ratio of calls/s at each load and between the two servers' best loads, and
exits 1 when the ratio at the largest load is below --min-ratio.

Both servers share this machine's CPUs with the clients, and a Pyro4 client
in CPython spends ~150-250 us of CPU per call, so with few processes the
round trips of the clients, not the servers, set the pace: the largest load
is the one the target is judged on.

Usage: bench_compare.py --node PYRO:inventario.servicio@127.0.0.1:9091 [--procs 4,16,32] [--seconds 10]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_load(uri, label, procs, args):
    out = subprocess.run([sys.executable, os.path.join(HERE, "bench_load.py"), "--uri", uri,
                          "--procs", str(procs), "--seconds", str(args.seconds), "--label", label],
                         check=True, capture_output=True, text=True, timeout=args.seconds + 120)
    line = out.stdout.strip().splitlines()[-1]
    print(line, flush=True)
    return json.loads(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--node", required=True, help="URI of the node's inventario.servicio")
    ap.add_argument("--procs", default="4,16,32", help="comma-separated client process counts")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--min-ratio", type=float, default=3.0)
    args = ap.parse_args()
    loads = [int(p) for p in args.procs.split(",")]
    node = {p: run_load(args.node, "stockmesh", p, args) for p in loads}
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "bench_server.py"), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline().split()
        if len(first) != 2 or first[0] != "URI":
            sys.exit("bench_server.py did not print its URI")
        python = {p: run_load(first[1], "python-lock-json", p, args) for p in loads}
    finally:
        server.terminate()
        server.wait(timeout=10)

    def ratio(a, b):
        return a / b if b else float("inf")

    for p in loads:
        print("%3d client processes: stockmesh %8.1f calls/s, python %8.1f calls/s, ratio %.2fx"
              % (p, node[p]["calls_per_s"], python[p]["calls_per_s"],
                 ratio(node[p]["calls_per_s"], python[p]["calls_per_s"])))
    best_node = max(r["calls_per_s"] for r in node.values())
    best_python = max(r["calls_per_s"] for r in python.values())
    print("best load of each: stockmesh %.1f calls/s, python %.1f calls/s, ratio %.2fx"
          % (best_node, best_python, ratio(best_node, best_python)))
    judged = loads[-1]
    r = ratio(node[judged]["calls_per_s"], python[judged]["calls_per_s"])
    errors = sum(x["errors"] for x in node.values())
    ok = r >= args.min_ratio and errors == 0
    print(json.dumps({"judged_procs": judged, "ratio": round(r, 2), "min_ratio": args.min_ratio,
                      "node_errors": errors, "ok": ok}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
