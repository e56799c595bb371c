package pyro

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Limits on what a client may make a daemon hold. Pyro4 itself has none.
const (
	// HandshakeTimeout is how long a new connection may take to send its
	// CONNECT frame; a connection that sends nothing is closed after it.
	HandshakeTimeout = 10 * time.Second
	// FrameTimeout is how long the rest of a frame may take once its
	// header has arrived. Between frames there is no deadline: a Python
	// proxy sits idle between calls and breaks if the server drops it.
	FrameTimeout = 10 * time.Second
	// MaxRequest is the largest request a daemon reads (annotations and
	// payload, and a payload once decompressed); a larger one closes the
	// connection. The largest call of inventario.servicio is a few hundred
	// bytes; a batch of MaxBatch calls a few KiB.
	MaxRequest = 256 << 10
	// MaxBatch is the most calls one batch may carry; a larger batch is
	// refused as a whole with a ValueError.
	MaxBatch = 100
	// MaxReply is the largest reply a daemon sends; a larger result is
	// replaced by a ValueError that says so.
	MaxReply = 8 << 20
	// maxReading bounds the request bytes all connections of a daemon read
	// at once; a frame that cannot get its share within FrameTimeout closes
	// its connection.
	maxReading = 32 << 20
	// maxCalls bounds the calls a daemon runs at once (each may build a
	// reply of up to MaxReply); a call waits FrameTimeout at most for its
	// turn, then gets a RuntimeError to retry.
	maxCalls = 16
)

// limits is a daemon's shared budgets.
type limits struct {
	reading *semaphore.Weighted // request bytes being read and handled
	calls   *semaphore.Weighted // calls running
}

// newLimits returns a daemon's budgets.
func newLimits() limits {
	return limits{reading: semaphore.NewWeighted(maxReading), calls: semaphore.NewWeighted(maxCalls)}
}

// Connection states for eviction (conn.state).
const (
	stateHandshake int32 = iota // accepted, no valid CONNECT yet
	stateIdle                   // between frames
	stateBusy                   // reading or handling a frame
)

// readFrame reads c's next frame. Waiting for its header, the connection
// is idle (evictable) until idleDeadline (zero: no deadline); the rest of
// the frame must then arrive within FrameTimeout and fit in MaxRequest and
// the daemon's reading budget. The caller calls release once it is done
// with the frame.
func (d *daemon) readFrame(ctx context.Context, c *conn, idleDeadline time.Time) (f *Frame, release func(), err error) {
	if err := c.nc.SetReadDeadline(idleDeadline); err != nil {
		return nil, nil, err
	}
	var h [headerSize]byte
	if _, err := io.ReadFull(c.r, h[:]); err != nil {
		return nil, nil, err
	}
	c.setState(stateBusy)
	f, payloadLen, annLen, err := parseHeader(h[:], MaxRequest)
	if err != nil {
		return nil, nil, err
	}
	n := int64(payloadLen + annLen)
	if n > MaxRequest {
		return nil, nil, fmt.Errorf("%w: a frame of %d bytes (limit %d)", ErrProtocol, n, MaxRequest)
	}
	if err := acquire(ctx, d.limits.reading, n); err != nil {
		return nil, nil, fmt.Errorf("%w: the server is reading too much at once", ErrProtocol)
	}
	release = func() { d.limits.reading.Release(n) }
	if err := c.nc.SetReadDeadline(time.Now().Add(FrameTimeout)); err != nil {
		release()
		return nil, nil, err
	}
	if err := readBody(c.r, f, payloadLen, annLen); err != nil {
		release()
		return nil, nil, err
	}
	return f, release, nil
}

// setState records c's state for eviction, with the time it began.
func (c *tracked) setState(s int32) {
	c.state.Store(s)
	c.since.Store(time.Now().UnixNano())
}

// tracked is a connection as the Server sees it for shutdown and eviction.
type tracked struct {
	nc    net.Conn
	state atomic.Int32
	since atomic.Int64 // unix nanoseconds the state began
}

// evictable returns the connection to close to make room for a new one:
// the one waiting longest for its CONNECT, else the one idle longest; nil
// when every connection is busy.
func evictable(conns map[*tracked]struct{}) *tracked {
	var best *tracked
	for c := range conns {
		s := c.state.Load()
		if s == stateBusy {
			continue
		}
		if best == nil {
			best = c
			continue
		}
		bs := best.state.Load()
		if s < bs || s == bs && c.since.Load() < best.since.Load() {
			best = c
		}
	}
	return best
}

// acquire takes n of sem at once when free, or waits up to FrameTimeout
// for them.
func acquire(ctx context.Context, sem *semaphore.Weighted, n int64) error {
	if sem.TryAcquire(n) {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, FrameTimeout)
	defer cancel()
	return sem.Acquire(ctx, n)
}
