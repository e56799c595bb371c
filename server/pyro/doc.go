// Package pyro speaks the Pyro4 wire protocol (protocol version 48, as in
// Pyro4 4.82) so that unmodified Python clients can use a stockmesh node as
// the remote object inventario.servicio.
//
// It contains the frame reader and writer (frame.go), the serpent and json
// serializers over one value model (value.go, serpent*.go, json.go), a
// daemon that serves fixed method tables per object id (daemon.go,
// dispatch.go), the inventory object (inventory.go), a Pyro4-compatible name
// server (nameserver.go), and a small client that keeps the object
// registered in an external Python name server (client.go, registrar.go).
//
// The package does not know about the queue, ent or SQLite: it consumes the
// Inventory interface, which the node adapts from its stock.Service.
package pyro
