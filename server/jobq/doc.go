// Package jobq is the ZeroMQ job queue between a stockmesh node's API layer and its database handler.
//
// A Client sends opaque job payloads to a Worker and waits for the reply; the Worker runs reads concurrently
// and writes strictly one batch at a time, draining every write waiting in the queue into one
// Handler.HandleWrites call (group commit). A Publisher and Subscribers broadcast committed-change events.
//
// Every ZeroMQ socket is owned by exactly one goroutine; everyone else talks to it through Go channels or
// a mutex-guarded mailbox. The owners of the job sockets sleep in Go's network poller on ZMQ_FD, not in
// zmq_poll, and a post to their mailbox wakes them by moving the descriptor's read deadline (see waiter).
// Sends never block: a saturated, absent or silent worker surfaces as ErrUnavailable within the caller's
// deadline.
//
// CheckAddr only admits inproc://, ipc:// and loopback tcp:// addresses. Over tcp:// any local user can
// connect, so the peers authenticate each other with ZeroMQ's CURVE security (Keys, checked by the
// process's ZAP handler); an ipc:// socket file is made 0600, so only the node's user can connect.
package jobq
