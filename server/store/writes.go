package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"entgo.io/ent/dialect"
	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// batch is one HandleWrites call: its transaction, an ent client bound to
// it, and the movements its successful jobs recorded.
type batch struct {
	s       *Store
	ctx     context.Context
	tx      *sql.Tx
	db      *ent.Client
	sp      *savepoints
	changes []*stock.Movement
	broken  error // the transaction failed as a whole; no further job runs
}

// HandleWrites executes a batch of write jobs in order, in one transaction
// with a savepoint per job, so a failing job fails alone. It commits once
// and only then returns exactly one reply per job, in order; when the
// commit fails every job gets an UNAVAILABLE reply and nothing changed.
// Committed movements are published afterwards, in commit order.
func (s *Store) HandleWrites(jobs [][]byte) [][]byte {
	if len(jobs) == 0 {
		return nil
	}
	replies := make([]*stock.Reply, len(jobs))
	saved := s.w
	b, err := s.begin()
	if err != nil {
		s.log.Error("beginning write transaction", "err", err)
		return encodeAll(failAll(len(jobs)))
	}
	for i, raw := range jobs {
		if b.broken != nil {
			break
		}
		replies[i] = b.run(raw)
	}
	if b.broken == nil {
		b.broken = b.tx.Commit()
	} else {
		b.tx.Rollback()
	}
	if b.broken != nil {
		s.w = saved
		s.log.Error("write batch failed, nothing committed", "jobs", len(jobs), "err", b.broken)
		return encodeAll(failAll(len(jobs)))
	}
	s.local.Store(s.w.local)
	s.publish(b.changes)
	return encodeAll(replies)
}

// begin starts the batch's transaction.
func (s *Store) begin() (*batch, error) {
	ctx := context.Background() // no Done channel: the driver then skips its interrupt goroutine
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	drv := txDriver{entsql.Conn{ExecQuerier: tx}}
	return &batch{s: s, ctx: ctx, tx: tx, db: ent.NewClient(ent.Driver(drv)), sp: s.sp.in(ctx, tx)}, nil
}

// txDriver runs ent on the batch's transaction; the transactions ent opens
// for multi-statement operations become no-ops inside it.
type txDriver struct {
	entsql.Conn
}

func (d txDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }
func (txDriver) Close() error                             { return nil }
func (txDriver) Dialect() string                          { return dialect.SQLite }

// run executes one job inside its own savepoint and returns its reply.
func (b *batch) run(raw []byte) *stock.Reply {
	var job stock.Job
	if err := json.Unmarshal(raw, &job); err != nil {
		return errReply(stock.Errorf(stock.CodeInvalidInput, "malformed job: %v", err))
	}
	if !job.Op.Writes() {
		return errReply(stock.Errorf(stock.CodeInvalidInput, "%q is not a write job", job.Op))
	}
	state, changes := b.s.w, len(b.changes)
	if _, err := b.sp.open.ExecContext(b.ctx); err != nil {
		b.broken = fmt.Errorf("opening savepoint: %w", err)
		return nil
	}
	r, err := b.do(&job)
	if err != nil {
		b.s.w, b.changes = state, b.changes[:changes]
		if rerr := b.rollback(); rerr != nil {
			b.broken = fmt.Errorf("rolling back %s job: %w (after %w)", job.Op, rerr, err)
			return nil
		}
		return b.s.fail(job.Op, err)
	}
	if _, err := b.sp.release.ExecContext(b.ctx); err != nil {
		b.broken = fmt.Errorf("releasing savepoint: %w", err)
		return nil
	}
	return r
}

// rollback undoes the current job and ends its savepoint.
func (b *batch) rollback() error {
	if _, err := b.sp.rollback.ExecContext(b.ctx); err != nil {
		return err
	}
	_, err := b.sp.release.ExecContext(b.ctx)
	return err
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

// nextSeq takes the next change sequence of the local warehouse.
func (b *batch) nextSeq() int64 {
	b.s.w.seq++
	return b.s.w.seq
}

// now returns the time the writer stamps on a change.
func (b *batch) now() time.Time { return time.Now().UTC() }

// localWarehouse returns the local warehouse, or UNAVAILABLE before
// warehouse.init.
func (b *batch) localWarehouse() (*stock.Warehouse, error) {
	if b.s.w.local == nil {
		return nil, errNoWarehouse
	}
	return b.s.w.local, nil
}

// publish sends the committed movements to the publisher, in order.
func (s *Store) publish(ms []*stock.Movement) {
	if s.pub == nil {
		return
	}
	for _, m := range ms {
		msg, err := json.Marshal(stock.ChangeOf(m))
		if err != nil {
			s.log.Error("encoding change", "movement", m.ID, "err", err)
			continue
		}
		s.pub.Publish(msg)
	}
}
