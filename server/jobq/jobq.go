package jobq

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Class says whether a job reads or writes.
type Class uint8

const (
	// Read marks a job that only reads; the worker runs reads concurrently.
	Read Class = iota
	// Write marks a job that changes data; the worker runs writes one batch at a time, in arrival order.
	Write
)

// String returns "read", "write" or "class(N)".
func (c Class) String() string {
	switch c {
	case Read:
		return "read"
	case Write:
		return "write"
	default:
		return fmt.Sprintf("class(%d)", uint8(c))
	}
}

// ErrUnavailable is returned (wrapped) when the worker is saturated, gone, or the deadline passes.
var ErrUnavailable = errors.New("jobq: unavailable")

// ErrBadAddr is returned (wrapped) by CheckAddr and the constructors for addresses the queue must not use.
var ErrBadAddr = errors.New("jobq: address not allowed")

// idlePoll bounds every wait of a socket-owning loop so that none blocks without a deadline; loops are
// woken earlier by their sockets or their mailboxes, so this only matters when nothing happens.
const idlePoll = time.Second

// maxRecvRound is the most messages a loop receives before it turns to its outgoing mailbox again.
const maxRecvRound = 512

// loggerOrDiscard returns l, or a logger that discards everything when l is nil.
func loggerOrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
