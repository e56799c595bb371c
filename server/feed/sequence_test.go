package feed

import (
	"context"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestSequencerPublishesDeletions: a product.deleted entry reaches
// subscribers as a deleted change with quantity 0, product.created and
// product.updated entries as the product's quantity and reorder point
// (PointOnly), movements as stock changes, all in log order.
func TestSequencerPublishesDeletions(t *testing.T) {
	h := newTestHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := subscribe(ctx, h, Filter{}, 16)
	s := NewSequencer(NewStream(nil, h), nil)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p := &stock.Product{Warehouse: "w", SKU: "a", ReorderPoint: 2}
	moved := &stock.Product{Warehouse: "w", SKU: "a", Quantity: 3, ReorderPoint: 5}
	entries := []stock.LogEntry{
		{Origin: "w", Seq: 1, Type: stock.EntryProductCreated, Product: p},
		{Origin: "w", Seq: 2, Type: stock.EntryMovement, Movement: &stock.Movement{Warehouse: "w", SKU: "a", Seq: 2, Quantity: 3, Balance: 3}},
		{Origin: "w", Seq: 3, Type: stock.EntryProductUpdated, Product: moved},
		{Origin: "w", Seq: 4, Type: stock.EntryProductDeleted, Product: p, At: at},
	}
	for i := range entries {
		if err := s.Offer(ctx, &entries[i]); err != nil {
			t.Fatal(err)
		}
	}
	got := receive(t, ch, 4)
	tests := []struct {
		name  string
		seq   int64
		point int64 // -1: not PointOnly
		qty   int64
	}{{"created", 1, 2, 0}, {"movement", 2, -1, 3}, {"updated", 3, 5, 3}, {"deleted", 4, -1, 0}}
	for i, tt := range tests {
		e := got[i]
		if e.Seq != tt.seq || e.Quantity != tt.qty || e.PointOnly() != (tt.point >= 0) || (tt.point >= 0 && *e.ReorderPoint != tt.point) {
			t.Errorf("%s: event %+v", tt.name, e)
		}
	}
	want := Event{Change: stock.Change{Warehouse: "w", SKU: "a", Deleted: true, Seq: 4, At: at}}
	if got[3] != want {
		t.Errorf("deletion %+v, want %+v", got[3], want)
	}
}

// logOf is a LogReader over one origin's entries that counts its reads.
type logOf struct {
	entries []stock.LogEntry
	reads   int
}

func (l *logOf) Changes(_ context.Context, origin string, after int64, limit int) (*stock.ChangePage, error) {
	l.reads++
	page := &stock.ChangePage{}
	for _, e := range l.entries {
		if e.Origin == origin && e.Seq > after && len(page.Entries) < limit {
			page.Entries = append(page.Entries, e)
		}
	}
	return page, nil
}

// seqs is a Consumer that keeps the seqs it takes.
type seqs struct{ got []int64 }

func (c *seqs) Take(e *stock.LogEntry) { c.got = append(c.got, e.Seq) }
func (*seqs) Active() bool             { return true }

// TestSequencerTakesRunsFromTheApplier: a run another warehouse's log
// announced (EntryRun) is published from the entries the applier handed
// over, whichever comes first, without reading the log; one never handed
// over is read from the log once FillDue runs; entries are published once
// and in order either way.
func TestSequencerTakesRunsFromTheApplier(t *testing.T) {
	ctx := context.Background()
	mv := func(seq int64) stock.LogEntry {
		return stock.LogEntry{Origin: "BCN-1", Seq: seq, Type: stock.EntryMovement,
			Movement: &stock.Movement{Warehouse: "BCN-1", SKU: "a", Seq: seq, Quantity: 1, Balance: seq}}
	}
	run := func(from, to int64) *stock.LogEntry {
		return &stock.LogEntry{Origin: "BCN-1", Seq: to, From: from, Type: stock.EntryRun}
	}
	var all []stock.LogEntry
	for seq := int64(1); seq <= 9; seq++ {
		all = append(all, mv(seq))
	}
	tests := []struct {
		name  string
		steps func(s *Sequencer)
		reads int   // pages read from the log
		last  int64 // the last seq published
	}{
		{"announced, then handed over", func(s *Sequencer) {
			s.Offer(ctx, run(1, 3))
			s.Hand(all[0:3])
		}, 0, 3},
		{"handed over, then announced", func(s *Sequencer) {
			s.Hand(all[0:3])
			s.Offer(ctx, run(1, 3))
		}, 0, 3},
		{"announced, never handed over", func(s *Sequencer) {
			s.Offer(ctx, run(1, 3))
			s.FillDue(ctx)
		}, 1, 3},
		{"a product entry of the run published alone, ahead of it", func(s *Sequencer) {
			s.Hand(all[0:1])
			s.Offer(ctx, &all[4]) // alone, before the run 2 to 6 comes
			s.Offer(ctx, run(2, 6))
			s.Hand(all[1:6])
		}, 0, 6},
		{"a run handed over past a lost one", func(s *Sequencer) {
			s.Hand(all[0:3])
			s.Offer(ctx, run(4, 6)) // its entries were never handed over
			s.Hand(all[6:9])        // a gap: stops
			s.Offer(ctx, run(7, 9))
			s.FillDue(ctx)
		}, 1, 9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, log := &seqs{}, &logOf{entries: all}
			s := NewSequencer(NewStream(nil, out), log)
			s.SetLocal("MAD-1")
			tt.steps(s)
			for i, seq := range out.got {
				if seq != int64(i+1) || len(out.got) != int(tt.last) {
					t.Fatalf("published %v, want 1 to %d once and in order", out.got, tt.last)
				}
			}
			if s.Waiting() || log.reads != tt.reads {
				t.Errorf("waiting %v after %d reads of the log; want none waiting after %d", s.Waiting(), log.reads, tt.reads)
			}
		})
	}
}
