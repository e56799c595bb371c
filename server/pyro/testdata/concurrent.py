"""8 threads, each with its own proxy, add products and raise stock at once.

Prints one JSON line: {"ids": [...], "expected": {id: stock}, "errors": n}.
"""
import json
import os
import sys
import threading

import Pyro4

THREADS, ROUNDS = 8, 25
prefix = sys.argv[1] if len(sys.argv) > 1 else "c"
shared = prefix + "-shared"
errors = []
expected = {}
lock = threading.Lock()

boot = Pyro4.Proxy("PYRONAME:inventario.servicio")
boot.agregar_producto(shared, "compartido", 0)


def worker(n):
    try:
        with Pyro4.Proxy("PYRONAME:inventario.servicio") as p:
            own = "%s-%d" % (prefix, n)
            p.agregar_producto(own, "hilo %d" % n, 0)
            for i in range(1, ROUNDS + 1):
                p.actualizar_stock(own, i)
                p.obtener_producto(shared)
            with lock:
                expected[own] = ROUNDS
    except Exception as e:  # noqa: BLE001
        with lock:
            errors.append(repr(e))


threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
final = {x["id"]: x["stock"] for x in boot.listar_productos()}
ok = not errors and all(final.get(k) == v for k, v in expected.items()) and len(expected) == THREADS
print(json.dumps({"ok": ok, "errors": errors, "expected": expected, "final": {k: final.get(k) for k in expected}}))
sys.exit(0 if ok else 1)
