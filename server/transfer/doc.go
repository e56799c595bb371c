// Package transfer runs a node's part of the transfers between warehouses
// above the database (the saga's rules and its steps live in server/stock
// and server/store): a Desk through which the APIs send, receive and cancel
// transfers and watch them change, a Settler that takes the follow-up steps
// the local warehouse owes as soon as replication brings what calls for
// them (and again at start, so a crash between the two loses nothing), and
// an Applier that tells both of the transfer entries replication applied.
package transfer
