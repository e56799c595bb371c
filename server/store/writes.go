package store

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// errMidJob breaks a fast attempt whose job failed in an unexpected way,
// possibly after it began writing: without a savepoint its partial writes
// cannot be undone alone, so the batch reruns with savepoints.
var errMidJob = errors.New("store: job failed without a savepoint")

// HandleWrites executes a batch of write jobs in order, in one transaction,
// so that a failing job fails alone. It commits once and only then returns
// exactly one reply per job, in order; when the commit fails every job gets
// an UNAVAILABLE reply (saying so when the disk is full) and nothing
// changed, and when a job panics every job
// gets an INTERNAL reply and nothing changed. Committed changes are
// published afterwards, in commit order.
//
// Jobs that move stock check everything before they write and run without
// a savepoint; when one of them fails in an unexpected way (a database
// error), the transaction is rolled back and the batch reruns with a
// savepoint per job, as every other job always runs.
func (s *Store) HandleWrites(jobs [][]byte) [][]byte {
	if len(jobs) == 0 {
		return nil
	}
	replies, changes, err := s.attempt(jobs, false)
	if errors.Is(err, errMidJob) {
		s.log.Debug("rerunning write batch with savepoints", "jobs", len(jobs), "err", err)
		replies, changes, err = s.attempt(jobs, true)
	}
	if err != nil {
		s.log.Error("write batch failed, nothing committed", "jobs", len(jobs), "err", err)
		return failAll(len(jobs), commitError(err))
	}
	s.publish(changes)
	return replies
}

// attempt runs jobs in one transaction and commits it, each job in its own
// savepoint when careful. It returns a reply per job and the committed log
// entries; on an error nothing was committed and the writer's state is as
// before. A panicking job rolls the batch back: it is logged once and every
// job gets an INTERNAL reply.
func (s *Store) attempt(jobs [][]byte, careful bool) (replies [][]byte, changes []logged, err error) {
	start := s.w.mark()
	b, err := s.begin(careful)
	if err != nil {
		return nil, nil, fmt.Errorf("beginning write transaction: %w", err)
	}
	defer b.close()
	defer func() {
		if p := recover(); p != nil {
			b.rollback()
			s.w.restore(start)
			s.log.Error("write job panicked, batch rolled back", "jobs", len(jobs), "panic", p, "stack", string(debug.Stack()))
			replies, changes, err = failAll(len(jobs), stock.Errorf(stock.CodeInternal, "internal error")), nil, nil
		}
	}()
	if err := b.advanceSalesWindow(time.Now()); err != nil {
		b.rollback()
		s.w.restore(start)
		return nil, nil, err
	}
	replies = make([][]byte, len(jobs))
	for i, raw := range jobs {
		if replies[i] = b.run(raw); b.broken != nil {
			break
		}
	}
	if b.broken == nil {
		if err := b.flushRollup(); err != nil {
			b.broken = err
		} else if err := b.flushKeys(); err != nil {
			b.broken = err
		} else if err := b.signHead(); err != nil {
			b.broken = err
		} else if err := b.commit(); err != nil {
			b.broken = fmt.Errorf("committing: %w", err)
		}
	}
	if b.broken != nil {
		b.rollback()
		s.w.restore(start)
		return nil, nil, b.broken
	}
	s.w.committed()
	s.local.Store(s.w.local)
	return replies, b.changes, nil
}

// run decodes and executes one job and returns its reply.
func (b *batch) run(raw []byte) []byte {
	meta, body, err := stock.DecodeJob(raw)
	if err != nil {
		return stock.EncodeError(stock.Errorf(stock.CodeInvalidInput, "malformed job: %v", err))
	}
	h, err := b.s.ops.lookup(meta.Op, true)
	if err != nil {
		return stock.EncodeError(err.(*stock.Error))
	}
	b.meta = meta
	b.s.hooks.beforeJob(meta.Op, body)
	if !b.careful && h.fast {
		return b.runFast(h, body)
	}
	return b.runSaved(h, body)
}

// runFast executes a job that checks everything before its first write,
// without a savepoint: when it fails with a domain error it wrote nothing.
// Any other error breaks the attempt with errMidJob.
func (b *batch) runFast(h handler, body []byte) []byte {
	m := b.mark()
	b.wrote, b.fastJob = false, true
	defer func() { b.fastJob = false }()
	before := b.changesSoFar(h)
	r, err := h.write(b, body)
	if err == nil {
		if err = b.recordOutcome(h, r, before); err == nil {
			return r
		}
	}
	b.restore(m)
	var e *stock.Error
	if b.wrote || !errors.As(err, &e) {
		b.broken = fmt.Errorf("%w: %s: %w", errMidJob, b.meta.Op, err)
		return nil
	}
	return stock.EncodeError(e)
}

// runSaved executes one job inside its own savepoint, so that whatever
// makes it fail, it fails alone.
func (b *batch) runSaved(h handler, body []byte) []byte {
	if err := b.flushRollup(); err != nil { // before the job may change a price
		b.broken = err
		return nil
	}
	m := b.mark()
	if err := b.savepoint(); err != nil {
		b.broken = fmt.Errorf("opening savepoint: %w", err)
		return nil
	}
	before := b.changesSoFar(h)
	b.jobFrom = 0
	r, err := h.write(b, body)
	if err == nil {
		err = b.rollupJob()
	}
	if err == nil {
		err = b.recordOutcome(h, r, before)
	}
	if err != nil {
		b.restore(m)
		if rerr := b.rollbackJob(); rerr != nil {
			b.broken = fmt.Errorf("rolling back %s job: %w (after %w)", b.meta.Op, rerr, err)
			return nil
		}
		return b.s.fail(b.meta.Op, err)
	}
	if err := b.release(); err != nil {
		b.broken = fmt.Errorf("releasing savepoint: %w", err)
		return nil
	}
	return r
}

// jobMark is the point a batch returns to when one job fails: the
// writer's state and the log entries appended so far.
type jobMark struct {
	state   mark
	changes int
	rolled  int
}

// mark returns the batch's current point.
func (b *batch) mark() jobMark {
	return jobMark{state: b.w.mark(), changes: len(b.changes), rolled: len(b.rolled)}
}

// restore undoes, in memory, what the jobs since m did; the database side
// is the caller's (rolled back, or never written).
func (b *batch) restore(m jobMark) {
	b.w.restore(m.state)
	clear(b.changes[m.changes:])
	b.changes = b.changes[:m.changes]
	b.rolled = b.rolled[:m.rolled]
}

// now returns the time the writer stamps on a change.
func (b *batch) now() time.Time { return writerClock().UTC() }

// writerClock is the time the writer records changes at; tests set it to
// make a warehouse's log carry other hours (as a node whose log arrives
// late does), never while a batch runs.
var writerClock = time.Now

// localWarehouse returns the local warehouse, or UNAVAILABLE before
// warehouse.init.
func (b *batch) localWarehouse() (*stock.Warehouse, error) {
	if b.w.local == nil {
		return nil, stock.ErrNoWarehouse
	}
	return b.w.local, nil
}

// publish sends the committed log entries to the publisher, in order, a
// local movement's with the units reserved right after it.
func (s *Store) publish(changes []logged) {
	if s.pub == nil {
		return
	}
	for _, c := range changes {
		if c.held != nil {
			s.pub.Publish(stock.WithReserved(append(make([]byte, 0, len(c.data)+24), c.data...), *c.held))
			continue
		}
		s.pub.Publish(c.data)
	}
}
