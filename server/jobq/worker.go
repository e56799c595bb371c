package jobq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	zmq "github.com/pebbe/zmq4"

	"github.com/stockmesh/stockmesh/internal/wait"
)

// Handler executes jobs on the worker side.
type Handler interface {
	// HandleWrites executes a batch of write jobs in order and returns exactly one reply per job, in the
	// same order. It is called from a single goroutine, never concurrently, and the replies are sent only
	// after it returns (so the handler makes the batch durable before returning).
	HandleWrites(jobs [][]byte) [][]byte
	// HandleRead executes one read job (of class Read, LongRead or Background) until ctx, which carries
	// the caller's deadline, is done; it is called concurrently from up to
	// Readers+LongReaders+BackgroundReaders goroutines.
	HandleRead(ctx context.Context, job []byte) []byte
}

// Observer receives worker metrics; implementations must be fast and concurrency-safe.
type Observer interface {
	// BatchDone is called once per HandleWrites call with the batch size and its execution time.
	BatchDone(size int, took time.Duration)
	// JobDone is called once per executed job with its queue wait and execution time; a write's execution
	// time is that of its whole batch.
	JobDone(class Class, waited, took time.Duration)
	// JobExpired is called for each job skipped because its caller's deadline had passed.
	JobExpired(class Class)
}

// WorkerConfig configures a Worker. Zero values select the defaults.
type WorkerConfig struct {
	Addr              string       // inproc://…, ipc://…, or tcp://127.0.0.1:PORT (see CheckAddr)
	Readers           int          // goroutines for Read jobs (default 4)
	LongReaders       int          // goroutines for LongRead jobs (default 2)
	BackgroundReaders int          // goroutines, at idle priority, for Background jobs (default 2)
	MaxBatch          int          // most writes drained into one HandleWrites call (default 256)
	MaxPending        int          // writes+reads waiting beyond which new jobs are refused at once (default 4096)
	Observer          Observer     // optional metrics hooks, may be nil
	Logger            *slog.Logger // may be nil
	Keys              *Keys        // CURVE keys (see Keys); nil: none, for inproc:// or a private ipc:// folder
}

// Defaults applied by NewWorker to zero WorkerConfig fields.
const (
	DefaultReaders           = 4
	DefaultLongReaders       = 2
	DefaultBackgroundReaders = 2
	DefaultMaxBatch          = 256
	DefaultMaxPending        = 4096
)

// withDefaults returns c with zero fields set to their defaults, or an error for negative ones.
func (c WorkerConfig) withDefaults() (WorkerConfig, error) {
	if c.Readers < 0 || c.LongReaders < 0 || c.BackgroundReaders < 0 || c.MaxBatch < 0 || c.MaxPending < 0 {
		return c, fmt.Errorf("configuring worker: negative Readers, LongReaders, BackgroundReaders, MaxBatch or MaxPending")
	}
	if c.Readers == 0 {
		c.Readers = DefaultReaders
	}
	if c.LongReaders == 0 {
		c.LongReaders = DefaultLongReaders
	}
	if c.BackgroundReaders == 0 {
		c.BackgroundReaders = DefaultBackgroundReaders
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.MaxPending == 0 {
		c.MaxPending = DefaultMaxPending
	}
	c.Logger = loggerOrDiscard(c.Logger)
	return c, nil
}

// Worker serves jobs from a bound ROUTER socket to a Handler. Create it with NewWorker and call Run once.
type Worker struct {
	cfg WorkerConfig
	h   Handler
	log *slog.Logger

	router  *zmq.Socket // owned by the serve loop
	sendBuf []byte      // the serve loop's buffer for outgoing frames
	waiter  *waiter     // the serve loop's sleep; wake from anywhere
	box     *mailbox    // replies from the executors to the serve loop

	queues   [numClasses]chan job // serve loop → each class's executors; closed by the serve loop
	pending  atomic.Int64         // jobs accepted but not yet taken by an executor
	stopped  bool                 // serve loop only: intake stopped
	cancels  *cancels             // read jobs their callers cancelled
	stopping chan struct{}        // closed when intake stops: executors refuse what is still queued
	execDone chan struct{}        // closed when the writer and all readers have returned
	ran      atomic.Bool
}

// job is one accepted job waiting for an executor.
type job struct {
	route   []byte
	head    []byte
	payload []byte
	queued  time.Time
}

// reply returns the envelope answering j with status and payload.
func (j *job) reply(status byte, payload []byte) envelope {
	e := envelope{route: j.route, payload: payload}
	copy(e.head[:], j.head)
	e.head[headerLen-1] = status
	return e
}

// expired reports whether j's caller gave up (its deadline passed) at now.
func (j *job) expired(now time.Time) bool {
	return !now.Before(headerDeadline(j.head))
}

// NewWorker validates cfg.Addr with CheckAddr and binds the worker's sockets. It closes every socket it
// opened when it fails. The returned Worker serves nothing until Run.
func NewWorker(cfg WorkerConfig, h Handler) (*Worker, error) {
	if h == nil {
		return nil, errors.New("creating worker: nil handler")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := CheckAddr(cfg.Addr); err != nil {
		return nil, fmt.Errorf("creating worker: %w", err)
	}
	// One client may fill the whole queue; its replies must not hit the ROUTER's per-peer limit, above
	// which zmq drops them.
	router, err := newSocket(zmq.ROUTER, cfg.Addr, true,
		withLinger(time.Second), withHWM(cfg.MaxPending+cfg.MaxBatch+cfg.Readers), withIPv6For(cfg.Addr),
		withCurveServer(cfg.Keys))
	if err != nil {
		return nil, fmt.Errorf("creating worker: %w", err)
	}
	wt, err := newWaiter(router)
	if err != nil {
		router.Close()
		return nil, fmt.Errorf("creating worker: %w", err)
	}
	box := newMailbox()
	box.wake = wt.wake
	w := &Worker{
		cfg: cfg, h: h, log: cfg.Logger,
		router: router, waiter: wt, box: box,
		cancels:  newCancels(),
		stopping: make(chan struct{}),
		execDone: make(chan struct{}),
	}
	for c := range w.queues {
		w.queues[c] = make(chan job, cfg.MaxPending)
	}
	return w, nil
}

// Depth returns the number of jobs waiting for an executor. It is safe to call from any goroutine.
func (w *Worker) Depth() int {
	return int(w.pending.Load())
}

// Run serves jobs until ctx is done. Then it stops taking new jobs (refusing those that arrive or are
// still queued with an unavailable reply), waits for the jobs being executed, sends their replies, closes
// its sockets and returns nil. It returns an error only when the queue socket fails, and also closes the
// sockets then. Run must be called once (call it with a done ctx to discard a Worker unused); it waits
// for the Handler, so a Handler that never returns keeps Run from returning. zmq releases a tcp or
// inproc address shortly after Run returns, not at once, so an immediate rebind in the same process
// may fail and should be retried.
func (w *Worker) Run(ctx context.Context) error {
	if !w.ran.CompareAndSwap(false, true) {
		return errors.New("running worker: Run called twice")
	}
	w.startExecutors()
	stopWatch := context.AfterFunc(ctx, w.box.signal)
	err := w.serve(ctx)
	stopWatch()
	if err != nil {
		w.stopIntake()
		<-w.execDone
	}
	w.box.close()
	w.waiter.close()
	w.router.Close()
	return err
}

// serve is the loop owning the ROUTER socket, sleeping in between (see waiter). It returns nil once ctx
// is done and every executor has returned and been answered for.
func (w *Worker) serve(ctx context.Context) error {
	spare := make([]envelope, 0, w.cfg.MaxBatch)
	for {
		w.receiveJobs()
		spare = w.sendReplies(spare)
		if !w.stopped && ctx.Err() != nil {
			w.stopIntake()
		}
		if w.stopped && wait.Closed(w.execDone) {
			w.sendReplies(spare)
			return nil
		}
		w.waiter.arm(idlePoll)
		if !w.box.empty() || (!w.stopped && ctx.Err() != nil) {
			continue
		}
		if err := w.waiter.wait(); err != nil {
			return fmt.Errorf("serving %s: %w", w.cfg.Addr, err)
		}
	}
}

// stopIntake makes the executors refuse queued jobs and lets them return once the queues are empty.
func (w *Worker) stopIntake() {
	if w.stopped {
		return
	}
	w.stopped = true
	close(w.stopping)
	for _, q := range w.queues {
		close(q)
	}
}

// receiveJobs takes the jobs waiting on the ROUTER socket, up to maxRecvRound.
func (w *Worker) receiveJobs() {
	var frames [4][]byte
	for range maxRecvRound {
		msg, err := recvMessage(w.router, frames[:0])
		if err != nil {
			if !isAgain(err) {
				w.log.Warn("receiving job", "addr", w.cfg.Addr, "err", err)
			}
			return
		}
		w.accept(msg)
	}
}

// accept queues one received message for an executor, or refuses it at once when the worker is stopping
// or saturated. It never blocks: pending never exceeds MaxPending, the capacity of each queue.
func (w *Worker) accept(msg [][]byte) {
	if len(msg) != 2 || len(msg[1]) < headerLen {
		w.log.Warn("dropping malformed job", "addr", w.cfg.Addr, "frames", len(msg))
		return
	}
	j := job{route: msg[0], head: msg[1][:headerLen], payload: msg[1][headerLen:]}
	if msg[1][headerLen-1] == classCancel {
		w.cancels.cancel(jobKey(j.route, j.head))
		return
	}
	class := Class(msg[1][headerLen-1])
	if class >= numClasses || w.stopped || w.pending.Load() >= int64(w.cfg.MaxPending) {
		w.refuse(&j)
		return
	}
	if w.cfg.Observer != nil {
		j.queued = time.Now()
	}
	w.pending.Add(1)
	w.queues[class] <- j
}

// refuse answers j with an unavailable status directly on the ROUTER socket (serve loop only).
func (w *Worker) refuse(j *job) {
	e := j.reply(statusUnavailable, nil)
	if err := e.send(w.router, &w.sendBuf); err != nil {
		w.log.Warn("refusing job", "addr", w.cfg.Addr, "err", err)
	}
}

// sendReplies sends every reply the executors posted and returns the emptied buffer for reuse.
func (w *Worker) sendReplies(spare []envelope) []envelope {
	q := w.box.take(spare)
	for i := range q {
		if err := q[i].send(w.router, &w.sendBuf); err != nil {
			w.log.Warn("sending reply", "addr", w.cfg.Addr, "err", err)
		}
	}
	return recycle(q)
}
