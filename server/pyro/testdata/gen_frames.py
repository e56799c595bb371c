"""Rebuilds testdata/frames/*.bin from the Pyro4 capture logs.

Usage: python3 gen_frames.py ../../../../shared/pyro4-captures  (from testdata/)
Each frame of each log becomes <log>-<nn>-<dir>-<TYPE>.bin: header, annotations
and payload exactly as they were on the wire.
"""
import ast
import os
import re
import sys

src = sys.argv[1]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frames")
os.makedirs(out, exist_ok=True)
for log in sorted(os.listdir(src)):
    if not log.endswith(".log"):
        continue
    n, frame = 0, None
    for line in open(os.path.join(src, log), encoding="utf-8"):
        m = re.match(r"--- (\w+)->(\w+) (\w+) ", line)
        if m:
            frame = {"dir": "c2s" if m.group(1).startswith("C") else "s2c", "type": m.group(3), "ann": b""}
            continue
        line = line.strip()
        if line.startswith("header hex:"):
            frame["hdr"] = bytes.fromhex(line.split(":", 1)[1])
        elif line.startswith("annotations:"):
            frame["ann"] = bytes.fromhex(line.split("raw:", 1)[1])
        elif line.startswith("payload:"):
            payload = ast.literal_eval(line.split(":", 1)[1].strip())
            n += 1
            name = "%s-%02d-%s-%s.bin" % (log[:-4], n, frame["dir"], frame["type"])
            with open(os.path.join(out, name), "wb") as f:
                f.write(frame["hdr"] + frame["ann"] + payload)
