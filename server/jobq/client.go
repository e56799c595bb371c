package jobq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// ClientConfig configures a Client. Zero values select the defaults.
type ClientConfig struct {
	Addr    string        // the Worker's address (see CheckAddr)
	Conns   int           // most jobs in flight at once; further Do calls wait for a slot (default 128)
	Timeout time.Duration // deadline applied when ctx has none (default 10s)
	Logger  *slog.Logger  // may be nil
	Keys    *Keys         // CURVE keys (see Keys); nil: none, for inproc:// or a private ipc:// folder
}

// Defaults applied by NewClient to zero ClientConfig fields.
const (
	DefaultConns   = 128
	DefaultTimeout = 10 * time.Second
)

// Client sends jobs to a Worker. It is safe for concurrent use.
//
// One goroutine owns a single DEALER socket and multiplexes every in-flight job over it, matching
// replies to callers by a per-job id, so a late reply to an abandoned job is discarded. Conns bounds how
// many jobs are in flight; ZMQ_IMMEDIATE makes a send fail at once while no worker is connected, and
// zmq reconnects by itself (every 100ms) when a worker binds the address again.
type Client struct {
	addr    string
	timeout time.Duration
	log     *slog.Logger

	dealer *zmq.Socket // owned by the serve loop
	waiter *waiter     // the serve loop's sleep; wake from anywhere
	box    *mailbox    // requests from Do to the serve loop

	slots  chan struct{} // a token per job in flight
	nextID atomic.Uint64
	mu     sync.Mutex
	calls  map[uint64]*call // jobs sent or about to be, by id
	pool   sync.Pool        // of *call whose done channel is empty
	timers sync.Pool        // of stopped *time.Timer, for Do calls whose ctx has no deadline

	errRefused, errExpired, errNoWorker, errClosed, errClosedSent error

	quit      chan struct{} // closed by Close
	done      chan struct{} // closed when the serve loop has returned
	closeOnce sync.Once
}

// call is one job waiting for its reply.
type call struct {
	done  chan result   // capacity 1; receives exactly one result per registration
	state atomic.Uint32 // callQueued, then callSending and callSent, or callAbandoned
}

// States of a call's request. Do abandons a request only while it is queued; once the serve loop is
// sending it, Do waits for the (non-blocking) send to finish, so the serve loop never reads a job
// after Do has returned, and a job abandoned before it was sent is never sent.
const (
	callQueued uint32 = iota
	callSending
	callSent
	callAbandoned
)

// result is a reply payload or an error.
type result struct {
	reply []byte
	err   error
}

// NewClient validates cfg.Addr with CheckAddr and connects to it. Connecting succeeds whether or not a
// worker is bound there yet. It closes every socket it opened when it fails.
func NewClient(cfg ClientConfig) (*Client, error) {
	if cfg.Conns < 0 || cfg.Timeout < 0 {
		return nil, fmt.Errorf("creating client: negative Conns or Timeout")
	}
	if err := CheckAddr(cfg.Addr); err != nil {
		return nil, fmt.Errorf("creating client: %w", err)
	}
	c := newClient(cfg)
	var err error
	c.dealer, err = newSocket(zmq.DEALER, cfg.Addr, false,
		withLinger(0), withImmediate(), withReconnect(), withHWM(cap(c.slots)), withIPv6For(cfg.Addr), withCurveClient(cfg.Keys))
	if err != nil {
		return nil, fmt.Errorf("creating client: %w", err)
	}
	if c.waiter, err = newWaiter(c.dealer); err != nil {
		c.dealer.Close()
		return nil, fmt.Errorf("creating client: %w", err)
	}
	c.box.wake = c.waiter.wake
	c.start()
	return c, nil
}

// newClient returns a Client for cfg with its defaults applied and no sockets yet.
func newClient(cfg ClientConfig) *Client {
	if cfg.Conns == 0 {
		cfg.Conns = DefaultConns
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	c := &Client{
		addr: cfg.Addr, timeout: cfg.Timeout, log: loggerOrDiscard(cfg.Logger),
		box:   newMailbox(),
		slots: make(chan struct{}, cfg.Conns),
		calls: make(map[uint64]*call, cfg.Conns),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	c.pool.New = func() any { return &call{done: make(chan result, 1)} }
	c.timers.New = func() any {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t
	}
	c.errRefused = fmt.Errorf("worker at %s refused job: %w", cfg.Addr, ErrUnavailable)
	c.errExpired = fmt.Errorf("worker at %s skipped job past its deadline: %w", cfg.Addr, ErrUnavailable)
	c.errClosedSent = fmt.Errorf("waiting for reply from %s: client closed: %w", cfg.Addr, ErrNoReply)
	c.errNoWorker = fmt.Errorf("sending job to %s: no worker connected: %w", cfg.Addr, ErrUnavailable)
	c.errClosed = fmt.Errorf("sending job to %s: client closed: %w", cfg.Addr, ErrUnavailable)
	return c
}

// start runs the serve loop; done is closed when it has returned.
func (c *Client) start() {
	go func() {
		c.serve()
		close(c.done)
	}()
}

// Do sends one job and waits for its reply until the deadline: ctx's, or the client's Timeout when ctx
// has none. The deadline travels with the job, and the worker skips a job whose deadline has passed. Do
// never hangs. It returns an error wrapping ErrUnavailable when the job did not run: the worker refused
// or skipped it (saturated, stopping, expired), no worker is connected, the client is closed, or the
// deadline passed before the job was sent. When the job was sent and no reply came before the deadline
// (or the client closed meanwhile) the error wraps ErrNoReply instead: the job may have run, all or
// nothing (the handler's transaction makes it so). When ctx is cancelled (its caller left) after a read
// was sent, the worker is told to skip it, or to cancel it if it runs.
func (c *Client) Do(ctx context.Context, class Class, job []byte) ([]byte, error) {
	if class >= numClasses {
		return nil, fmt.Errorf("sending job to %s: unknown %v", c.addr, class)
	}
	var expired <-chan time.Time
	deadline, ok := ctx.Deadline()
	if !ok {
		t := c.timers.Get().(*time.Timer)
		t.Reset(c.timeout)
		defer c.putTimer(t)
		expired = t.C
		deadline = time.Now().Add(c.timeout)
	}
	if err := c.acquire(ctx, expired); err != nil {
		return nil, err
	}
	defer func() { <-c.slots }()
	id := c.nextID.Add(1)
	cl := c.register(id)
	e := envelope{payload: job, call: cl}
	putHeader(&e.head, id, deadline, byte(class))
	if !c.box.post(e) {
		c.forget(id, cl)
		return nil, c.errClosed
	}
	select {
	case r := <-cl.done:
		c.pool.Put(cl)
		return r.reply, r.err
	case <-ctx.Done():
	case <-expired:
	}
	if c.abandon(id, cl) {
		return nil, fmt.Errorf("waiting to send job to %s: %w: %w", c.addr, ErrUnavailable, expiry(ctx))
	}
	if class != Write && errors.Is(ctx.Err(), context.Canceled) {
		c.cancel(id, deadline) // its caller left: the worker need not run it
	}
	return nil, fmt.Errorf("waiting for reply from %s: %w: %w", c.addr, ErrNoReply, expiry(ctx))
}

// cancel asks the worker to drop the sent read job id (see classCancel), on a best-effort basis.
func (c *Client) cancel(id uint64, deadline time.Time) {
	var e envelope
	putHeader(&e.head, id, deadline, classCancel)
	c.box.post(e)
}

// InFlight returns how many jobs this client has sent, or is sending, and
// has not had answered: the node's view of its queue, whichever process
// runs the database handler.
func (c *Client) InFlight() int { return len(c.slots) }

// acquire takes a slot for one job in flight, waiting no longer than ctx or expired allow.
func (c *Client) acquire(ctx context.Context, expired <-chan time.Time) error {
	select {
	case c.slots <- struct{}{}:
		return nil
	default:
	}
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
	case <-expired:
	}
	return fmt.Errorf("waiting for a free connection to %s: %w: %w", c.addr, ErrUnavailable, expiry(ctx))
}

// expiry returns why a wait ended: ctx's error, or DeadlineExceeded when the client's Timeout passed.
func expiry(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return context.DeadlineExceeded
}

// putTimer stops t and keeps it for reuse; since Go 1.23 a stopped timer delivers no stale tick.
func (c *Client) putTimer(t *time.Timer) {
	t.Stop()
	c.timers.Put(t)
}

// register records a call waiting for the reply to job id.
func (c *Client) register(id uint64) *call {
	cl := c.pool.Get().(*call)
	cl.state.Store(callQueued)
	c.mu.Lock()
	c.calls[id] = cl
	c.mu.Unlock()
	return cl
}

// abandon gives up on job id after its deadline and reports whether its request was never sent. A
// request still queued is marked so that it is never sent; a request being sent is waited for (the send
// does not block).
func (c *Client) abandon(id uint64, cl *call) (unsent bool) {
	for !cl.state.CompareAndSwap(callQueued, callAbandoned) && cl.state.Load() == callSending {
		runtime.Gosched()
	}
	if cl.state.Load() == callAbandoned {
		c.claim(id) // the queued envelope still points to cl, so cl is not reused
		return true
	}
	c.forget(id, cl)
	return false
}

// forget removes job id, whose request the serve loop no longer holds. When the serve loop has not
// claimed cl yet, cl's channel stays empty and cl is reused; otherwise a result is or will be in it
// and cl is left to the garbage collector.
func (c *Client) forget(id uint64, cl *call) {
	if c.claim(id) == cl {
		c.pool.Put(cl)
	}
}

// claim removes and returns the call waiting for job id, or nil when there is none (any more).
// Whoever claims a call delivers its one result, or drops it.
func (c *Client) claim(id uint64) *call {
	c.mu.Lock()
	cl := c.calls[id]
	delete(c.calls, id)
	c.mu.Unlock()
	return cl
}

// deliver hands r to the call waiting for job id, if it is still waiting; late replies are discarded.
func (c *Client) deliver(id uint64, r result) {
	if cl := c.claim(id); cl != nil {
		cl.done <- r
	}
}

// Close stops the client: jobs in flight and later Do calls fail with ErrUnavailable. It waits for the
// client's goroutines to return and closes its sockets. It is safe to call more than once.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		close(c.quit)
		c.box.signal()
	})
	<-c.done
	return nil
}
