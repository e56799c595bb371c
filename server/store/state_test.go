package store

import (
	"maps"
	"strconv"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestWriterStateRestore changes the state after a mark in several ways
// and wants restore to bring back exactly what was marked.
func TestWriterStateRestore(t *testing.T) {
	wh := &stock.Warehouse{ID: "W"}
	tests := []struct {
		name   string
		change func(w *writerState)
	}{
		{"nothing", func(*writerState) {}},
		{"new product", func(w *writerState) { w.setProduct("NEW", cached{id: 9, quantity: 1}) }},
		{"changed product twice", func(w *writerState) {
			w.setProduct("A", cached{id: 1, quantity: 4})
			w.setProduct("A", cached{id: 1, quantity: 3})
		}},
		{"dropped product", func(w *writerState) { w.dropProduct("B") }},
		{"dropped then recreated", func(w *writerState) {
			w.dropProduct("A")
			w.setProduct("A", cached{id: 7, quantity: 0})
		}},
		{"dropped unknown", func(w *writerState) { w.dropProduct("NOPE") }},
		{"sequence and warehouse", func(w *writerState) {
			w.nextSeq()
			w.nextSeq()
			w.local = &stock.Warehouse{ID: "OTHER"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWriterState()
			w.seq, w.local = 10, wh
			w.setProduct("A", cached{id: 1, quantity: 5})
			w.setProduct("B", cached{id: 2, quantity: 6})
			w.committed()
			w.setProduct("C", cached{id: 3, quantity: 1}) // before the mark, not committed
			want := maps.Clone(w.products)
			m := w.mark()
			tt.change(&w)
			w.restore(m)
			if !maps.Equal(w.products, want) {
				t.Errorf("products %v, want %v", w.products, want)
			}
			if w.seq != 10 || w.local != wh || len(w.undo) != 1 {
				t.Errorf("seq %d, local %v, %d undo entries; want 10, %v, 1", w.seq, w.local, len(w.undo), wh)
			}
			w.restore(mark{seq: 10, local: wh}) // back to the commit
			if _, ok := w.product("C"); ok || len(w.products) != 2 {
				t.Errorf("after restoring to the commit: %v", w.products)
			}
		})
	}
}

// TestWriterStateCommittedBoundsCache wants an oversized cache emptied at
// commit.
func TestWriterStateCommittedBoundsCache(t *testing.T) {
	w := newWriterState()
	for i := range maxCached + 1 {
		w.products[strconv.Itoa(i)] = cached{id: i}
	}
	w.setProduct("X", cached{})
	w.committed()
	if len(w.products) != 0 || len(w.undo) != 0 {
		t.Errorf("%d products and %d undo entries after commit, want 0 and 0", len(w.products), len(w.undo))
	}
}
