package jobq

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Class says how the worker runs a job: with the short readers, the one writer, the long readers, or the
// background readers.
type Class uint8

const (
	// Read marks a short read; the worker runs reads concurrently on its Readers.
	Read Class = iota
	// Write marks a job that changes data; the worker runs writes one batch at a time, in arrival order.
	Write
	// LongRead marks a long read (a catch-up read); the worker runs them on its LongReaders, apart from
	// the short reads, so that they never starve lookups.
	LongRead
	// Background marks a long read that must take only the CPU time the other jobs leave (a report, an
	// export); the worker runs them on its BackgroundReaders, at idle priority (see package idle).
	Background

	numClasses // the number of classes: each has a queue of its own
)

// String returns "read", "write", "long-read", "background" or "class(N)".
func (c Class) String() string {
	switch c {
	case Read:
		return "read"
	case Write:
		return "write"
	case LongRead:
		return "long-read"
	case Background:
		return "background"
	default:
		return fmt.Sprintf("class(%d)", uint8(c))
	}
}

// ErrUnavailable is returned (wrapped) when a job did not run: the worker is saturated, gone or
// stopping, or the deadline passed before the job was sent or executed.
var ErrUnavailable = errors.New("jobq: unavailable")

// ErrNoReply is returned (wrapped) when a job was sent but no reply came before the deadline, or the
// client closed meanwhile: the job may or may not have run.
var ErrNoReply = errors.New("jobq: no reply")

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
