"""Expects the Pyro4 client to be refused, through the name server and
directly at the object URI given as argv[1]; prints one REFUSED line each."""
import os
import sys

import Pyro4
import Pyro4.errors

key = os.environ.get("HMAC_KEY", "").encode() or None
for uri in ("PYRONAME:inventario.servicio", sys.argv[1]):
    p = Pyro4.Proxy(uri)
    p._pyroHmacKey = key
    try:
        p.listar_productos()
    except Pyro4.errors.PyroError as e:
        print("REFUSED", uri, type(e).__name__, e)
        continue
    print("NOT REFUSED", uri)
    sys.exit(1)
