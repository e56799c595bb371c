package store

import (
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestMovementCursorStableWhileNewArrive(t *testing.T) {
	h := newHarness(t)
	h.create("A", 100)
	for range 9 {
		h.ok(sale("A", 1))
	}
	// 10 movements, seqs 2..11. Page through 3 at a time while new sales arrive.
	q := stock.MovementQuery{First: 3}
	var seen []int64
	for {
		p := h.ok(testJob{Op: stock.OpMovementList, Movements: &q}).MovementPage
		for _, m := range p.Movements {
			seen = append(seen, m.Seq)
		}
		h.ok(sale("A", 1))
		if !p.HasNext {
			break
		}
		q.After = stock.MovementCursor(&p.Movements[len(p.Movements)-1])
	}
	if len(seen) != 10 {
		t.Fatalf("saw %v, want the 10 movements that existed at the start", seen)
	}
	for i, s := range seen {
		if s != int64(11-i) {
			t.Fatalf("saw %v, want 11 down to 2", seen)
		}
	}
}

func TestMovementFilters(t *testing.T) {
	h := newHarness(t)
	h.create("A", 10)                      // seq 2: purchase
	h.create("B", 0)                       // seq 3
	h.ok(sale("A", 1))                     // 4
	h.ok(move("B", stock.KindPurchase, 5)) // 5
	// Each write commits (and syncs) before the next starts, so 6 is later than 5.
	mid := h.ok(move("A", stock.KindReturn, 1)).Movement.CreatedAt // 6
	h.ok(move("B", stock.KindAdjustment, -1))                      // 7
	h.ok(testJob{Op: stock.OpStockSet, SKU: "A", Quantity: 3})     // 8
	later := time.Now().UTC().Add(time.Hour)
	tests := []struct {
		name   string
		filter stock.MovementFilter
		want   []int64
	}{
		{"all", stock.MovementFilter{}, []int64{8, 7, 6, 5, 4, 2}},
		{"sku", stock.MovementFilter{SKU: "B"}, []int64{7, 5}},
		{"kinds", stock.MovementFilter{Kinds: []stock.Kind{stock.KindSale, stock.KindReturn}}, []int64{6, 4}},
		{"from inclusive", stock.MovementFilter{From: &mid}, []int64{8, 7, 6}},
		{"to exclusive", stock.MovementFilter{To: &mid}, []int64{5, 4, 2}},
		{"sku kinds and range", stock.MovementFilter{SKU: "A", Kinds: []stock.Kind{stock.KindAdjustment}, From: &mid, To: &later}, []int64{8}},
		{"no match", stock.MovementFilter{SKU: "C"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []int64
			for _, m := range h.movements(tt.filter) {
				got = append(got, m.Seq)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("seqs = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("seqs = %v, want %v", got, tt.want)
				}
			}
		})
	}
	// From exactly at a movement's time includes it, To exactly at it excludes it.
	m := h.movements(stock.MovementFilter{SKU: "B", Kinds: []stock.Kind{stock.KindAdjustment}})[0]
	at := m.CreatedAt
	if n := len(h.movements(stock.MovementFilter{SKU: "B", From: &at})); n != 1 {
		t.Errorf("from = its time: %d movements, want 1", n)
	}
	if got := h.movements(stock.MovementFilter{SKU: "B", To: &at}); len(got) != 1 || got[0].Seq != 5 {
		t.Errorf("to = its time: %+v, want only seq 5", got)
	}
}
