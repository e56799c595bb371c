#!/usr/bin/python3
"""Menu client for inventario.servicio, the exercise's client over Pyro4.

Finds the service through the Pyro4 name server (PYRONAME:inventario.servicio)
and offers the menu 1-5, 0. Errors from the service (product not found,
duplicate id, invalid input) and a lost connection are shown as one clear
message; the menu goes on.

Environment: PYRO_NS_HOST / PYRO_NS_PORT locate the name server (default
localhost:9090), PYRO_SERIALIZER=json switches serializer, PYRO_HMAC_KEY sets
a shared HMAC key. Only the standard library and Pyro4 are used.
"""
import argparse
import os
import sys

import Pyro4
import Pyro4.errors

MENU = """
=== Inventario ===
1. Agregar producto
2. Consultar producto
3. Actualizar stock
4. Listar productos
5. Eliminar producto
0. Salir"""


def read(prompt):
    """Reads one line; end of input ends the program quietly."""
    try:
        return input(prompt).strip()
    except EOFError:
        print()
        sys.exit(0)


def parse_id(text):
    """Digits go as an int, anything else as a str: both name the same product."""
    return int(text) if text.isdigit() else text


def parse_int(text):
    """An int when the text is one; otherwise the text, which the service refuses."""
    try:
        return int(text)
    except ValueError:
        return text


def show(p):
    print("  id: %s | nombre: %s | stock: %s" % (p["id"], p["nombre"], p["stock"]))


def agregar(svc):
    pid = parse_id(read("Id: "))
    nombre = read("Nombre: ")
    stock = parse_int(read("Stock inicial: "))
    svc.agregar_producto(pid, nombre, stock)
    print("Producto agregado.")


def consultar(svc):
    show(svc.obtener_producto(parse_id(read("Id: "))))


def actualizar(svc):
    pid = parse_id(read("Id: "))
    stock = parse_int(read("Nuevo stock: "))
    svc.actualizar_stock(pid, stock)
    print("Stock actualizado.")


def listar(svc):
    productos = svc.listar_productos()
    if not productos:
        print("  (sin productos)")
    for p in productos:
        show(p)


def eliminar(svc):
    svc.eliminar_producto(parse_id(read("Id: ")))
    print("Producto eliminado.")


ACTIONS = {"1": agregar, "2": consultar, "3": actualizar, "4": listar, "5": eliminar}


def run_action(svc, action):
    """Runs one menu action and turns every expected failure into a message."""
    try:
        action(svc)
    except KeyError as e:
        print("No encontrado:", e.args[0] if e.args else e)
    except (ValueError, TypeError) as e:
        print("Error:", e)
    except Pyro4.errors.NamingError as e:
        print("No se encuentra el servicio en el servidor de nombres (%s)." % e)
    except Pyro4.errors.CommunicationError as e:
        print("Se perdió la conexión con el servicio (%s). Se reintentará en la próxima operación." % e)
        svc._pyroRelease()
    except Pyro4.errors.PyroError as e:
        print("Error del servicio:", e)
    except RuntimeError as e:
        print("Servicio no disponible:", e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--uri", default="PYRONAME:inventario.servicio",
                    help="service URI (default: %(default)s)")
    args = ap.parse_args()
    svc = Pyro4.Proxy(args.uri)
    if os.environ.get("PYRO_HMAC_KEY"):
        svc._pyroHmacKey = os.environ["PYRO_HMAC_KEY"].encode()
    try:
        while True:
            print(MENU)
            choice = read("Opción: ")
            if choice == "0":
                print("Hasta luego.")
                return
            action = ACTIONS.get(choice)
            if action is None:
                print("Opción no válida.")
                continue
            run_action(svc, action)
    except KeyboardInterrupt:
        print("\nHasta luego.")


if __name__ == "__main__":
    main()
