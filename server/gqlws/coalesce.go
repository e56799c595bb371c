package gqlws

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Tuning of the coalescing writer.
const (
	// coalesceWindow is the shortest time between two writes to one peer.
	// A frame queued after a quiet spell goes out at once; frames queued
	// sooner than this after a write wait for the window to end and then
	// leave together, in one TLS record and one system call, which is what
	// lets one node feed a thousand busy subscribers.
	coalesceWindow = 10 * time.Millisecond
	// maxPending is how many bytes may wait for one peer before writers
	// block. Blocking is the back-pressure that lets the feed merge a slow
	// subscriber's changes instead of queueing them without bound.
	maxPending = 64 << 10
	// closeFlushTimeout bounds the last write when a connection closes.
	closeFlushTimeout = time.Second
)

// errWriteTimeout is returned by a write that waited writeTimeout for a
// peer that does not read.
var errWriteTimeout = errors.New("gqlws: peer not reading: write timed out")

// coalescingConn is the network connection under one websocket. gorilla's
// frame writes land in a buffer (pending); one goroutine (run) writes the
// buffer to the peer, at most once per coalesceWindow while busy. Reads and
// read deadlines go straight to the wrapped connection; write deadlines are
// the flusher's business (writeTimeout per write).
type coalescingConn struct {
	net.Conn

	mu       sync.Mutex
	pending  []byte
	err      error         // the first write error; every later write returns it
	closing  bool          // Close was called
	kick     chan struct{} // capacity 1: "pending has bytes"
	drained  *sync.Cond    // signalled when pending shrinks or err is set
	finished chan struct{} // closed when run returns
}

// newCoalescingConn wraps c and starts its flusher.
func newCoalescingConn(c net.Conn) *coalescingConn {
	cc := &coalescingConn{Conn: c, kick: make(chan struct{}, 1), finished: make(chan struct{})}
	cc.drained = sync.NewCond(&cc.mu)
	go cc.run()
	return cc
}

// Write queues p for the peer. It blocks while maxPending bytes wait, for
// at most writeTimeout, and fails once a write to the peer has failed.
func (c *coalescingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mustWait(len(p)) {
		deadline := time.AfterFunc(writeTimeout, func() {
			c.fail(errWriteTimeout)
		})
		for c.mustWait(len(p)) {
			c.drained.Wait()
		}
		deadline.Stop()
	}
	if c.err != nil {
		return 0, c.err
	}
	if c.closing {
		return 0, net.ErrClosed
	}
	c.pending = append(c.pending, p...)
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return len(p), nil
}

// mustWait reports whether a write of n bytes has to wait for pending to
// drain: it would overflow maxPending, something is pending, and the
// connection has neither failed nor been closed. c.mu must be held.
func (c *coalescingConn) mustWait(n int) bool {
	return len(c.pending)+n > maxPending && len(c.pending) > 0 && c.err == nil && !c.closing
}

// fail records err as the connection's write error and wakes blocked writers.
func (c *coalescingConn) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.mu.Unlock()
	c.drained.Broadcast()
}

// SetWriteDeadline is ignored: writes only queue, and the flusher bounds
// each write to the peer by writeTimeout.
func (c *coalescingConn) SetWriteDeadline(time.Time) error { return nil }

// SetDeadline sets the read deadline only (see SetWriteDeadline).
func (c *coalescingConn) SetDeadline(t time.Time) error { return c.Conn.SetReadDeadline(t) }

// Close writes what is pending (for at most closeFlushTimeout: a close
// frame is usually among it) and closes the connection.
func (c *coalescingConn) Close() error {
	c.mu.Lock()
	already := c.closing
	c.closing = true
	c.mu.Unlock()
	if already {
		<-c.finished
		return net.ErrClosed
	}
	c.drained.Broadcast()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	<-c.finished
	return c.Conn.Close()
}

// run writes pending bytes to the peer until Close, or until a write fails
// (which closes the peer's connection so that its reader ends too).
func (c *coalescingConn) run() {
	defer close(c.finished)
	var out []byte
	var last time.Time
	for range c.kick {
		if wait := coalesceWindow - time.Since(last); wait > 0 && !c.isClosing() {
			time.Sleep(wait)
		}
		c.mu.Lock()
		out, c.pending = c.pending, out[:0]
		closing := c.closing
		c.mu.Unlock()
		c.drained.Broadcast()
		if len(out) > 0 {
			timeout := writeTimeout
			if closing {
				timeout = closeFlushTimeout
			}
			_ = c.Conn.SetWriteDeadline(time.Now().Add(timeout))
			if _, err := c.Conn.Write(out); err != nil {
				c.fail(err)
				if !closing {
					_ = c.Conn.Close()
				}
				return
			}
			last = time.Now()
		}
		if closing {
			return
		}
	}
}

// isClosing reports whether Close was called.
func (c *coalescingConn) isClosing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closing
}

// coalescingWriter hands gorilla's Upgrade a hijacked connection wrapped in
// a coalescingConn.
type coalescingWriter struct {
	http.ResponseWriter
}

// Hijack takes over the connection, wrapping it.
func (w coalescingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	return newCoalescingConn(c), brw, nil
}
