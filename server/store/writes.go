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
// an UNAVAILABLE reply (saying so when the disk is full) and nothing changed, and when a job panics every job
// gets an INTERNAL reply and nothing changed. Committed movements are
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
		if diskFull(err) {
			return encodeAll(failAll(len(jobs), errDiskFull.Code, errDiskFull.Message))
		}
		return encodeAll(failAll(len(jobs), stock.CodeUnavailable, "the database could not save the change, try again"))
	}
	s.publish(changes)
	return encodeAll(replies)
}

// attempt runs jobs in one transaction and commits it, each job in its own
// savepoint when careful. It returns a reply per job and the committed
// movements; on an error nothing was committed and the writer's state is
// as before. A panicking job rolls the batch back: it is logged once and
// every job gets an INTERNAL reply.
func (s *Store) attempt(jobs [][]byte, careful bool) (replies []*stock.Reply, changes []*stock.Movement, err error) {
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
			replies, changes, err = failAll(len(jobs), stock.CodeInternal, "internal error"), nil, nil
		}
	}()
	replies = make([]*stock.Reply, len(jobs))
	for i, raw := range jobs {
		if replies[i] = b.run(raw); b.broken != nil {
			break
		}
	}
	if b.broken == nil {
		if err := b.flushKeys(); err != nil {
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
func (b *batch) run(raw []byte) *stock.Reply {
	var job stock.Job
	if err := decodeJob(raw, &job); err != nil {
		return errReply(stock.Errorf(stock.CodeInvalidInput, "malformed job: %v", err))
	}
	if !job.Op.Writes() {
		return errReply(stock.Errorf(stock.CodeInvalidInput, "%q is not a write job", job.Op))
	}
	b.s.hooks.beforeJob(&job)
	if !b.careful && (job.Op == stock.OpMovementRecord || job.Op == stock.OpStockSet) {
		return b.runFast(&job)
	}
	return b.runSaved(&job)
}

// runFast executes a job that checks everything before its first write,
// without a savepoint: when it fails with a domain error it wrote nothing.
// Any other error breaks the attempt with errMidJob.
func (b *batch) runFast(job *stock.Job) *stock.Reply {
	m := b.mark()
	b.wrote = false
	r, err := b.do(job)
	if err == nil {
		return r
	}
	b.restore(m)
	var e *stock.Error
	if b.wrote || !errors.As(err, &e) {
		b.broken = fmt.Errorf("%w: %s: %w", errMidJob, job.Op, err)
		return nil
	}
	return errReply(e)
}

// runSaved executes one job inside its own savepoint, so that whatever
// makes it fail, it fails alone.
func (b *batch) runSaved(job *stock.Job) *stock.Reply {
	m := b.mark()
	if err := b.savepoint(); err != nil {
		b.broken = fmt.Errorf("opening savepoint: %w", err)
		return nil
	}
	r, err := b.do(job)
	if err != nil {
		b.restore(m)
		if rerr := b.rollbackJob(); rerr != nil {
			b.broken = fmt.Errorf("rolling back %s job: %w (after %w)", job.Op, rerr, err)
			return nil
		}
		return b.s.fail(job.Op, err)
	}
	if err := b.release(); err != nil {
		b.broken = fmt.Errorf("releasing savepoint: %w", err)
		return nil
	}
	return r
}

// jobMark is the point a batch returns to when one job fails: the
// writer's state and the movements recorded so far.
type jobMark struct {
	state   mark
	changes int
}

// mark returns the batch's current point.
func (b *batch) mark() jobMark { return jobMark{state: b.w.mark(), changes: len(b.changes)} }

// restore undoes, in memory, what the jobs since m did; the database side
// is the caller's (rolled back, or never written).
func (b *batch) restore(m jobMark) {
	b.w.restore(m.state)
	b.changes = b.changes[:m.changes]
}

// do dispatches a write job.
func (b *batch) do(job *stock.Job) (*stock.Reply, error) {
	switch job.Op {
	case stock.OpWarehouseInit:
		return b.initWarehouse(job.Warehouse)
	case stock.OpProductCreate:
		return b.createProduct(job.Actor, job.Create)
	case stock.OpProductUpdate:
		return b.updateProduct(job.Actor, job.SKU, job.Update)
	case stock.OpProductDelete:
		return b.deleteProduct(job.SKU)
	case stock.OpMovementRecord:
		return b.recordMovement(job.Actor, job.Movement)
	case stock.OpStockSet:
		return b.setStock(job.Actor, job.SKU, job.Quantity, job.Note)
	case stock.OpTokenEnsure:
		return b.ensureToken(job.Token)
	}
	return nil, stock.Errorf(stock.CodeInvalidInput, "unknown job %q", job.Op)
}

// now returns the time the writer stamps on a change.
func (b *batch) now() time.Time { return time.Now().UTC() }

// localWarehouse returns the local warehouse, or UNAVAILABLE before
// warehouse.init.
func (b *batch) localWarehouse() (*stock.Warehouse, error) {
	if b.w.local == nil {
		return nil, errNoWarehouse
	}
	return b.w.local, nil
}

// publish sends the committed movements to the publisher, in order.
func (s *Store) publish(ms []*stock.Movement) {
	if s.pub == nil {
		return
	}
	for _, m := range ms {
		msg, err := encodeChange(m)
		if err != nil {
			s.log.Error("encoding change", "movement", m.ID, "err", err)
			continue
		}
		s.pub.Publish(msg)
	}
}
