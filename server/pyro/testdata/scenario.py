"""Drives inventario.servicio through PYRONAME with an unmodified Pyro4 client.

Environment: PYRO_NS_HOST/PYRO_NS_PORT locate the name server, PYRO_SERIALIZER
picks the serializer, HMAC_KEY (optional) is set on the proxy. Prints OK and
exits 0 when every check passed; prints the failed check and exits 1 otherwise.
"""
import os
import sys

import Pyro4
import Pyro4.errors

PREFIX = sys.argv[1] if len(sys.argv) > 1 else "s"


def check(cond, what):
    if not cond:
        print("FAILED:", what)
        sys.exit(1)


def raises(exc, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except exc as e:
        return str(e)
    except Exception as e:  # noqa: BLE001
        print("FAILED: %s raised %r, want %s" % (fn, e, exc.__name__))
        sys.exit(1)
    print("FAILED: %s%r did not raise %s" % (fn, args, exc.__name__))
    sys.exit(1)


p = Pyro4.Proxy("PYRONAME:inventario.servicio")
if os.environ.get("HMAC_KEY"):
    p._pyroHmacKey = os.environ["HMAC_KEY"].encode()

num = abs(hash(PREFIX)) % 100000 + 1000  # an int id unique to this run
sid = PREFIX + "-2"
odd = "Tuerca ñ 'q' \"d\" \\ \n\t fin"

check(p.agregar_producto(num, "Tornillo", 100) is None, "agregar int id")
msg = raises(ValueError, p.agregar_producto, num, "Otro", 5)
check("ya existe" in msg, "duplicate message: " + msg)
check(p.agregar_producto(sid, odd, 7) is None, "agregar str id")
check(p.agregar_producto(PREFIX + "-kw", nombre="kw", stock=2) is None, "keyword args")

long_name = ("nombre largo " * 13).strip()  # the call is over 200 bytes: compressed when PYRO_COMPRESSION is on
check(p.agregar_producto(PREFIX + "-long", long_name, 1) is None, "agregar long name")
check(p.obtener_producto(PREFIX + "-long")["nombre"] == long_name, "long name round-trip")

prod = p.obtener_producto(num)
check(prod["id"] == str(num) and prod["nombre"] == "Tornillo" and prod["stock"] == 100, "obtener %r" % prod)
check(p.obtener_producto(str(num))["stock"] == 100, "str form of an int id names the same product")
check(p.obtener_producto(sid)["nombre"] == odd, "odd characters round-trip")
msg = raises(KeyError, p.obtener_producto, 987654321)
check("no encontrado" in msg, "not found message: " + msg)

check(p.actualizar_stock(num, 42) is None, "actualizar")
check(p.obtener_producto(num)["stock"] == 42, "stock after actualizar")
for bad in (-1, 2.5, True, "5", None):
    msg = raises(ValueError, p.actualizar_stock, num, bad)
    check("inválida" in msg, "invalid stock %r message: %s" % (bad, msg))
for bad in (1.5, None, True, [1]):
    raises(ValueError, p.obtener_producto, bad)
raises(ValueError, p.agregar_producto, PREFIX + "-n", 5, 1)
raises(ValueError, p.agregar_producto, PREFIX + "-neg", "x", -3)
raises(KeyError, p.actualizar_stock, 987654321, 1)
raises(TypeError, p.obtener_producto)
raises(AttributeError, getattr, p, "no_such_method")  # local, from the metadata

ids = {x["id"] for x in p.listar_productos()}
check({str(num), sid, PREFIX + "-kw"} <= ids, "listar %r" % ids)

check(p.eliminar_producto(num) is None, "eliminar")
raises(KeyError, p.eliminar_producto, num)
raises(KeyError, p.obtener_producto, num)

with Pyro4.batch(p) as b:
    b.obtener_producto(sid)
    b.obtener_producto(987654321)
    results = b()
check(next(results)["id"] == sid, "batch first result")
raises(KeyError, next, results)

key = os.environ.get("HMAC_KEY", "").encode() or None
with Pyro4.locateNS(hmac_key=key) as ns:
    uri = ns.lookup("inventario.servicio")
    check(uri.object == "inventario.servicio", "lookup %r" % uri)
    check(ns.list(prefix="inventario.") == {"inventario.servicio": str(uri)}, "ns list")
with Pyro4.Proxy("PYRO:Pyro.Daemon@%s:%d" % (uri.host, uri.port)) as d:
    if os.environ.get("HMAC_KEY"):
        d._pyroHmacKey = os.environ["HMAC_KEY"].encode()
    check(d.ping() is None, "daemon ping")
    check("obtener_producto" in d.get_metadata("inventario.servicio")["methods"], "daemon metadata")
print("OK")
