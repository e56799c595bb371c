package jobq

import (
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/idle"
)

// startExecutors starts the writer and the readers; execDone is closed (and the serve loop woken) once
// they have all returned, which they do when intake stops and their queues are empty.
func (w *Worker) startExecutors() {
	var wg sync.WaitGroup
	wg.Go(w.writeLoop)
	for range w.cfg.Readers {
		wg.Go(func() { w.readLoop(Read) })
	}
	for range w.cfg.LongReaders {
		wg.Go(func() { w.readLoop(LongRead) })
	}
	if err := idle.Available(); err != nil {
		w.log.Warn("background reads (reports, exports) run at normal priority", "err", err)
	}
	for range w.cfg.BackgroundReaders {
		wg.Go(w.backgroundLoop)
	}
	go func() {
		wg.Wait()
		close(w.execDone)
		w.box.signal()
	}()
}

// writeLoop is the only goroutine calling HandleWrites: it takes one write, drains whatever else is
// waiting up to MaxBatch, and runs them as one batch.
func (w *Worker) writeLoop() {
	b := &batch{
		jobs:     make([]job, 0, w.cfg.MaxBatch),
		payloads: make([][]byte, 0, w.cfg.MaxBatch),
		out:      make([]envelope, 0, w.cfg.MaxBatch),
	}
	for {
		j, ok := <-w.queues[Write]
		if !ok {
			return
		}
		b.jobs = append(b.jobs[:0], j)
		w.drainWrites(b)
		w.pending.Add(-int64(len(b.jobs)))
		if wait.Closed(w.stopping) {
			w.refuseAll(b)
		} else if w.skipExpired(b); len(b.jobs) > 0 {
			w.runBatch(b)
		}
		clear(b.jobs)
	}
}

// batch holds the writer's reusable buffers.
type batch struct {
	jobs     []job
	payloads [][]byte
	out      []envelope
}

// drainWrites appends the writes already waiting to b, up to MaxBatch, without blocking.
func (w *Worker) drainWrites(b *batch) {
	for len(b.jobs) < w.cfg.MaxBatch {
		select {
		case j, ok := <-w.queues[Write]:
			if !ok {
				return
			}
			b.jobs = append(b.jobs, j)
		default:
			return
		}
	}
}

// runBatch executes b with one HandleWrites call and posts one reply per job, in order. Jobs the handler
// left without a reply (a broken contract) are answered unavailable.
func (w *Worker) runBatch(b *batch) {
	b.payloads = b.payloads[:0]
	for i := range b.jobs {
		b.payloads = append(b.payloads, b.jobs[i].payload)
	}
	start := time.Now()
	replies := w.h.HandleWrites(b.payloads)
	took := time.Since(start)
	clear(b.payloads)
	if len(replies) != len(b.jobs) {
		w.log.Error("handler broke its contract", "jobs", len(b.jobs), "replies", len(replies))
	}
	b.out = b.out[:0]
	for i := range b.jobs {
		if i < len(replies) {
			b.out = append(b.out, b.jobs[i].reply(statusOK, replies[i]))
		} else {
			b.out = append(b.out, b.jobs[i].reply(statusUnavailable, nil))
		}
	}
	w.box.postAll(b.out)
	clear(b.out)
	w.observeBatch(b.jobs, start, took)
}

// skipExpired answers the jobs of b whose callers' deadlines have passed, without running them, and
// removes them from b.
func (w *Worker) skipExpired(b *batch) {
	now := time.Now()
	b.out = b.out[:0]
	kept := b.jobs[:0]
	for _, j := range b.jobs {
		if j.expired(now) {
			b.out = append(b.out, j.reply(statusExpired, nil))
			continue
		}
		kept = append(kept, j)
	}
	clear(b.jobs[len(kept):])
	b.jobs = kept
	if len(b.out) == 0 {
		return
	}
	w.box.postAll(b.out)
	if o := w.cfg.Observer; o != nil {
		for range b.out {
			o.JobExpired(Write)
		}
	}
	clear(b.out)
}

// refuseAll answers every job of b unavailable without running it.
func (w *Worker) refuseAll(b *batch) {
	b.out = b.out[:0]
	for i := range b.jobs {
		b.out = append(b.out, b.jobs[i].reply(statusUnavailable, nil))
	}
	w.box.postAll(b.out)
	clear(b.out)
}

// observeBatch reports a finished batch that started at start to the Observer, if any.
func (w *Worker) observeBatch(jobs []job, start time.Time, took time.Duration) {
	o := w.cfg.Observer
	if o == nil {
		return
	}
	o.BatchDone(len(jobs), took)
	for i := range jobs {
		o.JobDone(Write, start.Sub(jobs[i].queued), took)
	}
}

// backgroundLoop is readLoop for the Background jobs, at idle priority, so that reports and exports take
// only the CPU time the other jobs leave.
func (w *Worker) backgroundLoop() {
	idle.Run(func() { w.readLoop(Background) })
}

// readLoop runs the read jobs of class, one at a time until intake stops and their queue is empty;
// each runs with its caller's deadline, and one whose deadline has passed, or whose caller cancelled it
// (see classCancel), is skipped.
func (w *Worker) readLoop(class Class) {
	for j := range w.queues[class] {
		w.pending.Add(-1)
		if wait.Closed(w.stopping) {
			w.box.post(j.reply(statusUnavailable, nil))
			continue
		}
		start := time.Now()
		deadline := headerDeadline(j.head)
		if !start.Before(deadline) {
			w.box.post(j.reply(statusExpired, nil))
			if o := w.cfg.Observer; o != nil {
				o.JobExpired(class)
			}
			continue
		}
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		key := jobKey(j.route, j.head)
		if w.cancels.start(key, cancel) {
			cancel()
			w.box.post(j.reply(statusExpired, nil)) // its caller left; the reply is discarded
			continue
		}
		out := w.h.HandleRead(ctx, j.payload)
		w.cancels.done(key)
		cancel()
		took := time.Since(start)
		w.box.post(j.reply(statusOK, out))
		if o := w.cfg.Observer; o != nil {
			o.JobDone(class, start.Sub(j.queued), took)
		}
	}
}
