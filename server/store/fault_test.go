package store

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestWriterFaults runs a batch of three sales of A (10 in stock), the
// second marked with the note "x", while a fault hits it, and wants the
// replies, the stock, the publications, the logs, the ledger and the next
// batch to show that a failure leaves no trace but its replies.
func TestWriterFaults(t *testing.T) {
	errInjected := errors.New("injected fault")
	tests := []struct {
		name      string
		setup     func(t *testing.T, h *harness)
		second    int64 // quantity of the second sale
		want      []stock.Code
		wantQty   int64
		wantError int // error records logged
	}{
		{name: "business failure", second: 50,
			want: []stock.Code{"", stock.CodeInsufficientStock, ""}, wantQty: 6},
		{name: "transient failure between writes", setup: func(_ *testing.T, h *harness) {
			calls := 0
			h.s.hooks.write = func() error {
				if calls++; calls == 2 {
					return errInjected
				}
				return nil
			}
		}, second: 2, want: []stock.Code{"", "", ""}, wantQty: 4},
		{name: "failure between writes", setup: func(_ *testing.T, h *harness) {
			var cur []byte
			h.s.hooks.job = func(_ string, req []byte) { cur = req }
			h.s.hooks.write = func() error {
				if bytes.Contains(cur, []byte(`"note":"x"`)) {
					return errInjected
				}
				return nil
			}
		}, second: 2, want: []stock.Code{"", stock.CodeInternal, ""}, wantQty: 6, wantError: 1},
		{name: "panic", setup: func(_ *testing.T, h *harness) {
			h.s.hooks.job = func(_ string, req []byte) {
				if bytes.Contains(req, []byte(`"note":"x"`)) {
					panic("injected panic")
				}
			}
		}, second: 2, want: []stock.Code{stock.CodeInternal, stock.CodeInternal, stock.CodeInternal}, wantQty: 10, wantError: 1},
		{name: "failed commit", setup: func(_ *testing.T, h *harness) {
			h.failCommitsOf("x")
		}, second: 2, want: []stock.Code{stock.CodeUnavailable, stock.CodeUnavailable, stock.CodeUnavailable}, wantQty: 10, wantError: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.create("A", 10) // seqs 1 and 2
			var logs bytes.Buffer
			h.s.log = slog.New(slog.NewTextHandler(&logs, nil))
			if tt.setup != nil {
				tt.setup(t, h)
			}
			marked := sale("A", tt.second)
			marked.Movement.Note, marked.Movement.Reference = "x", "x"
			replies := h.write(sale("A", 1), marked, sale("A", 3))
			h.s.hooks = hooks{}
			applied := int64(0)
			for i, r := range replies {
				if code(r) != tt.want[i] {
					t.Errorf("job %d: %+v, want code %q", i, r.Err, tt.want[i])
				}
				if r.Err == nil {
					applied++
					if r.Movement.Seq != 2+applied {
						t.Errorf("job %d: seq %d, want %d", i, r.Movement.Seq, 2+applied)
					}
				}
			}
			if n := strings.Count(logs.String(), "level=ERROR"); n != tt.wantError {
				t.Errorf("%d errors logged, want %d:\n%s", n, tt.wantError, logs.String())
			}
			if n := int64(len(h.pub.changes())); n != 1+applied {
				t.Errorf("%d changes published, want %d", n, 1+applied)
			}
			next := h.ok(sale("A", 1)).Movement
			if next.Balance != tt.wantQty-1 || next.Seq != 3+applied {
				t.Errorf("next sale: balance %d seq %d, want %d and %d", next.Balance, next.Seq, tt.wantQty-1, 3+applied)
			}
			checkLedger(t, h)
		})
	}
}

// TestCacheFollowsProductChanges moves products between creating,
// updating, deleting and re-creating them, within a batch and across
// batches, and wants every balance to follow the stock in the database.
func TestCacheFollowsProductChanges(t *testing.T) {
	h := newHarness(t)
	create := func(sku string, q int64) testJob {
		return testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: sku, Name: sku, InitialQuantity: q}}
	}
	batches := []struct {
		name string
		jobs []testJob
		want []int64 // balance of each movement reply, -1 for a failure
	}{
		{"create and sell", []testJob{create("A", 5), sale("A", 1), sale("A", 1)}, []int64{0, 4, 3}},
		{"delete and re-create", []testJob{sale("A", 1), {Op: stock.OpProductDelete, SKU: "A"}, sale("A", 1),
			create("A", 3), sale("A", 1)}, []int64{2, 0, -1, 0, 2}},
		{"update quantity", []testJob{{Op: stock.OpProductUpdate, SKU: "A", Update: &stock.UpdateProductInput{Quantity: ptr[int64](9)}},
			sale("A", 1)}, []int64{0, 8}},
		{"set stock", []testJob{sale("A", 1), {Op: stock.OpStockSet, SKU: "A", Quantity: 2}, sale("A", 3), sale("A", 2)},
			[]int64{7, 2, -1, 0}},
		{"after the batches", []testJob{move("A", stock.KindPurchase, 4)}, []int64{4}},
	}
	for _, b := range batches {
		for i, r := range h.write(b.jobs...) {
			switch {
			case b.want[i] < 0 && r.Err == nil:
				t.Errorf("%s: job %d succeeded, want a failure", b.name, i)
			case b.want[i] >= 0 && r.Err != nil:
				t.Errorf("%s: job %d: %s %s", b.name, i, r.Err.Code, r.Err.Message)
			case r.Movement != nil && r.Movement.Balance != b.want[i]:
				t.Errorf("%s: job %d: balance %d, want %d", b.name, i, r.Movement.Balance, b.want[i])
			}
		}
	}
	if q := h.product("A").Quantity; q != 4 {
		t.Errorf("A = %d, want 4", q)
	}
	checkLedger(t, h)
}

// TestDiscardedConnectionIsReplaced marks the writer's connection as
// discarded during a batch and wants the next batch on a new connection
// with the same settings.
func TestDiscardedConnectionIsReplaced(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	old := h.s.wc
	h.s.hooks.job = func(string, []byte) { h.s.wc.discard = true }
	if r := h.write(sale("A", 1))[0]; r.Err != nil {
		t.Fatalf("sale: %+v", r.Err)
	}
	h.s.hooks = hooks{}
	if h.s.wc != nil {
		t.Fatal("the discarded connection is still held")
	}
	if n := h.s.wdb.Stats().OpenConnections; n != 0 {
		t.Fatalf("%d writer connections open, want 0: the discarded one went back to the pool", n)
	}
	if m := h.ok(sale("A", 1)).Movement; m.Balance != 3 {
		t.Errorf("balance %d, want 3", m.Balance)
	}
	if h.s.wc == nil || h.s.wc == old {
		t.Fatal("the next batch did not take a new connection")
	}
	var sync int
	if err := h.s.wc.conn.QueryRowContext(t.Context(), "PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous = %d (%v), want 2 (FULL)", sync, err)
	}
}
