package jobq

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// waiter lets the goroutine that owns a socket sleep in Go's network poller
// until the socket may have a message to read, another goroutine wakes it,
// or a deadline passes. Sleeping in zmq_poll instead would park the
// goroutine's thread inside C; every wake-up would then have to win back a
// P from the goroutines that took it meanwhile, which costs the queue
// milliseconds per hop under load.
//
// zmq signals on ZMQ_FD that ZMQ_EVENTS may have changed (edge-triggered);
// the waiter checks ZMQ_EVENTS each time the descriptor becomes readable.
// ZMQ_EVENTS is read only by the owner, like everything else on the socket.
type waiter struct {
	sock *zmq.Socket
	f    *os.File // a duplicate of ZMQ_FD, registered with the poller
	rc   syscall.RawConn
}

// newWaiter returns a waiter for sock, owned by sock's owner.
func newWaiter(sock *zmq.Socket) (*waiter, error) {
	fd, err := sock.GetFd()
	if err != nil {
		return nil, fmt.Errorf("getting ZMQ_FD: %w", err)
	}
	dup, err := syscall.Dup(fd) // the os.File owns the duplicate, zmq keeps its own
	if err != nil {
		return nil, fmt.Errorf("duplicating ZMQ_FD: %w", err)
	}
	if err := syscall.SetNonblock(dup, true); err != nil {
		syscall.Close(dup)
		return nil, fmt.Errorf("setting ZMQ_FD non-blocking: %w", err)
	}
	f := os.NewFile(uintptr(dup), "zmq-events")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("watching ZMQ_FD: %w", err)
	}
	return &waiter{sock: sock, f: f, rc: rc}, nil
}

// arm sets the deadline of the next wait. The owner arms before it checks
// its other sources of work (a mailbox), so that a wake between that check
// and wait is not lost.
func (w *waiter) arm(d time.Duration) { _ = w.f.SetReadDeadline(time.Now().Add(d)) }

// wake ends the owner's current or next wait at once; any goroutine may call it.
func (w *waiter) wake() { _ = w.f.SetReadDeadline(time.Unix(1, 0)) }

// wait returns when the socket has a message to read, or when the deadline
// armed last (or a wake) has passed. It returns an error only when the
// socket or the descriptor failed.
func (w *waiter) wait() error {
	var zerr error
	err := w.rc.Read(func(uintptr) bool {
		ev, err := w.sock.GetEvents()
		if err != nil {
			zerr = err
			return true
		}
		return ev&zmq.POLLIN != 0
	})
	if zerr != nil {
		return fmt.Errorf("reading ZMQ_EVENTS: %w", zerr)
	}
	if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		return fmt.Errorf("waiting on ZMQ_FD: %w", err)
	}
	return nil
}

// close releases the duplicate descriptor.
func (w *waiter) close() error { return w.f.Close() }
