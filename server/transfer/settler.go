package transfer

import (
	"context"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/stock"
)

// SettleEvery is how often the Settler settles without being woken: a
// backstop for a wake-up lost to a failed attempt.
const SettleEvery = 5 * time.Second

// Settler takes the follow-up steps the local warehouse owes (see
// stock.Service.SettleTransfers): at start, whenever replication applied
// transfer entries (Wake), and every SettleEvery. The writer decides each
// step on the state its transaction reads, so settling too often costs a
// read and never takes a step twice.
type Settler struct {
	desk   *Desk
	wake   chan struct{}
	log    *slog.Logger
	passes atomic.Uint64
}

// NewSettler returns a Settler that settles through desk's service and
// publishes the transfers it changed to desk's hub.
func NewSettler(desk *Desk, log *slog.Logger) *Settler {
	return &Settler{desk: desk, wake: make(chan struct{}, 1), log: log}
}

// Wake asks the Settler to settle soon; it never blocks.
func (s *Settler) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run settles until ctx is done, and returns nil then.
func (s *Settler) Run(ctx context.Context) error {
	tick := time.NewTicker(SettleEvery)
	defer tick.Stop()
	s.Wake() // at start: a step owed before a crash is taken now
	retry := backoff.Backoff{First: 100 * time.Millisecond, Max: SettleEvery, Jitter: 0.2}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-tick.C:
		}
		err := s.settle(ctx)
		switch {
		case err == nil:
			s.passes.Add(1)
			retry.Reset()
		case ctx.Err() == nil:
			d := retry.Next()
			s.log.Warn("settling transfers; will retry", "err", err, "in", d)
			if wait.For(ctx, d) != nil {
				return nil
			}
			s.Wake()
		}
	}
}

// Passes returns how many times the Settler took every step owed: its
// passes that ended without an error (stockmesh_transfer_settle_passes_total).
// A pass counted after a change began after it, once one more was counted.
func (s *Settler) Passes() uint64 { return s.passes.Load() }

// settle takes the owed steps once; the transfers they changed reach
// their watchers through the node's stream, as local entries.
func (s *Settler) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done, err := s.desk.svc.SettleTransfers(ctx)
	for _, t := range done {
		s.log.Info("transfer settled", "id", t.ID, "status", t.Status, "returned", t.ReturnedAt != nil)
	}
	return err
}

// Applier is the replicator's way to the local node: it applies through
// the desk's service and wakes the Settler when the entries changed a
// transfer (their watchers hear of it from the node's stream, Hub.Take).
type Applier struct {
	desk     *Desk
	settler  *Settler
	departed func(ctx context.Context, id string) // nil: none
	applied  func([]stock.LogEntry)               // nil: none
}

// NewApplier returns an Applier over desk that wakes settler.
func NewApplier(desk *Desk, settler *Settler) *Applier {
	return &Applier{desk: desk, settler: settler}
}

// OnDeparture has fn called, after the run was applied, with the id of
// each warehouse whose departure (stock.EntryWarehouseLeft) a run
// carried: the node stops following it. Call it before the replicator
// runs.
func (a *Applier) OnDeparture(fn func(ctx context.Context, id string)) { a.departed = fn }

// OnApplied has fn called, after each run was applied, with its entries
// up to the run's signed head (those applied and verified; a copy of the
// batch's slice, whose entries fn must not modify): the node's stream
// publishes them without reading them back from the log. fn must not
// block. Call it before the replicator runs.
func (a *Applier) OnApplied(fn func([]stock.LogEntry)) { a.applied = fn }

// CheckHead compares a member's signed head with this node's history (see
// stock.Service.CheckHead).
func (a *Applier) CheckHead(ctx context.Context, origin, epoch string, h stock.SignedHead) (*stock.HeadVerdict, error) {
	return a.desk.svc.CheckHead(ctx, origin, epoch, h)
}

// ReportProblem records a refused run (see stock.Service.ReportProblem).
func (a *Applier) ReportProblem(ctx context.Context, e *stock.RejectError) error {
	return a.desk.svc.ReportProblem(ctx, e)
}

// Heads returns how far the node holds each log.
func (a *Applier) Heads(ctx context.Context) (*stock.Heads, error) { return a.desk.svc.Heads(ctx) }

// ApplyChanges applies entries of a log (see stock.Service.ApplyChanges);
// when any is a transfer's it wakes the Settler, which it wakes too for a
// departure (the transfers to that warehouse it left undecided come back
// to their senders).
func (a *Applier) ApplyChanges(ctx context.Context, b *stock.ChangeBatch) error {
	if err := a.desk.svc.ApplyChanges(ctx, b); err != nil {
		return err
	}
	entries := b.Entries
	if a.applied != nil && b.Proof != nil && b.Proof.Head != nil {
		n := 0
		for n < len(entries) && entries[n].Seq <= b.Proof.Head.Seq {
			n++
		}
		a.applied(slices.Clone(entries[:n]))
	}
	moved := false
	for i := range entries {
		moved = moved || entries[i].Transfer != nil
		if entries[i].Type == stock.EntryWarehouseLeft {
			a.settler.Wake()
			if a.departed != nil {
				a.departed(ctx, entries[i].Origin)
			}
		}
	}
	if moved {
		a.settler.Wake()
	}
	return nil
}
