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
// the flusher's business (a write to the peer fails once it has waited
// between writeTimeout/2 and writeTimeout).
type coalescingConn struct {
	net.Conn

	mu       sync.Mutex
	pending  []byte
	err      error         // the first write error; every later write returns it
	closing  bool          // Close was called
	kick     chan struct{} // capacity 1: "pending has bytes"
	drained  *sync.Cond    // signalled when pending shrinks or err is set
	finished chan struct{} // closed when run returns
	waiters  []waker       // to wake once the flusher takes pending (tryWrite, hasRoom)
}

// waker is woken when a connection it could not write to has room again.
// wake must not block.
type waker interface{ wake() }

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
	c.queue(p)
	return len(p), nil
}

// tryWrite queues p unless maxPending bytes already wait for the peer; then
// it queues nothing, registers w to be woken once the flusher has taken
// what waits, and reports false. It never blocks. err is the connection's
// failure, or net.ErrClosed after Close.
func (c *coalescingConn) tryWrite(p []byte, w waker) (ok bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.err != nil:
		return false, c.err
	case c.closing:
		return false, net.ErrClosed
	case len(c.pending)+len(p) > maxPending && len(c.pending) > 0:
		c.addWaiter(w)
		return false, nil
	}
	c.queue(p)
	return true, nil
}

// hasRoom reports whether less than maxPending bytes wait for the peer
// (and the connection works); when they do not it registers w as tryWrite does.
func (c *coalescingConn) hasRoom(w waker) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil || c.closing {
		return false
	}
	if len(c.pending) >= maxPending {
		c.addWaiter(w)
		return false
	}
	return true
}

// force queues p whatever waits already (hasRoom said there was room for
// something), unless the connection failed or is closing.
func (c *coalescingConn) force(p []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil && !c.closing {
		c.queue(p)
	}
}

// queue appends p to pending and kicks the flusher; c.mu must be held.
func (c *coalescingConn) queue(p []byte) {
	c.pending = append(c.pending, p...)
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// addWaiter registers w once; c.mu must be held.
func (c *coalescingConn) addWaiter(w waker) {
	for _, x := range c.waiters {
		if x == w {
			return
		}
	}
	c.waiters = append(c.waiters, w)
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
	var last, deadline time.Time
	for range c.kick {
		if wait := coalesceWindow - time.Since(last); wait > 0 && !c.isClosing() {
			time.Sleep(wait)
		}
		c.mu.Lock()
		out, c.pending = c.pending, out[:0]
		closing := c.closing
		waiters := c.waiters
		c.waiters = nil
		c.mu.Unlock()
		c.drained.Broadcast()
		for _, w := range waiters {
			w.wake()
		}
		if len(out) > 0 {
			// Setting a deadline costs about as much as encrypting a
			// small record, so it is moved only once half of it is used.
			if now := time.Now(); closing {
				deadline = now.Add(closeFlushTimeout)
				_ = c.Conn.SetWriteDeadline(deadline)
			} else if deadline.Sub(now) < writeTimeout/2 {
				deadline = now.Add(writeTimeout)
				_ = c.Conn.SetWriteDeadline(deadline)
			}
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
