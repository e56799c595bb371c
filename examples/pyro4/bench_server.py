#!/usr/bin/python3
"""The exercise's Python server, for the benchmark: inventario.servicio as a
Pyro4 object guarded by one threading.Lock, saving the whole inventory to a
JSON file after every change.

Usage: bench_server.py --port 0 [--ns HOST:PORT] [--file inv.json]
Prints "URI PYRO:inventario.servicio@HOST:PORT" once it is serving.
"""
import argparse
import json
import os
import tempfile
import threading

import Pyro4


@Pyro4.expose
@Pyro4.behavior(instance_mode="single")
class Inventario(object):
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.items = {}
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                self.items = json.load(f)

    def _save(self):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self.items, f, ensure_ascii=False)
        os.replace(tmp, self.path)

    @staticmethod
    def _stock(value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("entrada inválida: el stock debe ser un entero no negativo")
        return value

    def agregar_producto(self, id, nombre, stock):
        key = str(id)
        with self.lock:
            if key in self.items:
                raise ValueError("producto %s ya existe" % key)
            self.items[key] = {"id": key, "nombre": nombre, "stock": self._stock(stock)}
            self._save()

    def obtener_producto(self, id):
        with self.lock:
            if str(id) not in self.items:
                raise KeyError("producto %s no encontrado" % id)
            return dict(self.items[str(id)])

    def actualizar_stock(self, id, nuevo_stock):
        with self.lock:
            if str(id) not in self.items:
                raise KeyError("producto %s no encontrado" % id)
            self.items[str(id)]["stock"] = self._stock(nuevo_stock)
            self._save()

    def listar_productos(self):
        with self.lock:
            return [dict(p) for p in self.items.values()]

    def eliminar_producto(self, id):
        with self.lock:
            if self.items.pop(str(id), None) is None:
                raise KeyError("producto %s no encontrado" % id)
            self._save()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ns", help="register in this name server (HOST:PORT)")
    ap.add_argument("--file", default=os.path.join(tempfile.mkdtemp(), "inventario.json"))
    args = ap.parse_args()
    daemon = Pyro4.Daemon(host=args.host, port=args.port)
    uri = daemon.register(Inventario(args.file), "inventario.servicio")
    if args.ns:
        host, port = args.ns.rsplit(":", 1)
        with Pyro4.locateNS(host=host, port=int(port)) as ns:
            ns.register("inventario.servicio", uri)
    print("URI", uri, flush=True)
    daemon.requestLoop()


if __name__ == "__main__":
    main()
