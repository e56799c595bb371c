#!/usr/bin/python3
"""Runs bench_load.py against a stockmesh node and against bench_server.py
(the exercise's lock + JSON file server, started here), prints both results
and the ratio of calls/s, and exits 1 when the ratio is below --min-ratio.

Usage: bench_compare.py --node PYRO:inventario.servicio@127.0.0.1:9091 [--procs 4] [--seconds 10]
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_load(uri, label, args):
    out = subprocess.run([sys.executable, os.path.join(HERE, "bench_load.py"), "--uri", uri,
                          "--procs", str(args.procs), "--seconds", str(args.seconds), "--label", label],
                         check=True, capture_output=True, text=True, timeout=args.seconds + 120)
    line = out.stdout.strip().splitlines()[-1]
    print(line, flush=True)
    return json.loads(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--node", required=True, help="URI of the node's inventario.servicio")
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--min-ratio", type=float, default=3.0)
    args = ap.parse_args()
    node = run_load(args.node, "stockmesh", args)
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "bench_server.py"), "--port", "0"],
                              stdout=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline().split()
        if len(first) != 2 or first[0] != "URI":
            sys.exit("bench_server.py did not print its URI")
        python = run_load(first[1], "python-lock-json", args)
    finally:
        server.terminate()
        server.wait(timeout=10)
    ratio = node["calls_per_s"] / python["calls_per_s"] if python["calls_per_s"] else float("inf")
    print(json.dumps({"ratio": round(ratio, 2), "min_ratio": args.min_ratio,
                      "ok": ratio >= args.min_ratio and node["errors"] == 0}))
    sys.exit(0 if ratio >= args.min_ratio and node["errors"] == 0 else 1)


if __name__ == "__main__":
    main()
