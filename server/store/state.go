package store

import "github.com/stockmesh/stockmesh/server/stock"

// maxCached bounds the product cache; past it the cache is emptied after a
// commit and refills from the database as products are moved.
const maxCached = 1 << 16

// writerState is what the writer keeps in memory between batches: the
// change sequence, the local warehouse and a write-through cache of the
// live products' ids and stock. The writer is the database's only writer,
// so the cache is exact as long as every change made in a transaction that
// does not commit is undone: each change is logged, and restore undoes
// them back to a mark, the one place that keeps memory equal to the
// database after a failed job, savepoint or commit.
type writerState struct {
	seq      int64            // last change sequence of the local warehouse
	local    *stock.Warehouse // nil until warehouse.init
	products map[string]cached
	undo     []undoEntry // cache changes since the last commit, oldest first
}

// cached is what the writer knows of a live product of the local warehouse.
type cached struct {
	id       int
	quantity int64
}

// undoEntry is the cache entry of sku before one change: prev, or none
// when !had.
type undoEntry struct {
	sku  string
	prev cached
	had  bool
}

// mark is a point writerState can be restored to.
type mark struct {
	seq   int64
	local *stock.Warehouse
	undo  int
}

// newWriterState returns an empty state with an empty cache.
func newWriterState() writerState {
	return writerState{products: make(map[string]cached)}
}

// mark returns the current point, to restore to on failure.
func (w *writerState) mark() mark {
	return mark{seq: w.seq, local: w.local, undo: len(w.undo)}
}

// restore undoes every change made since m.
func (w *writerState) restore(m mark) {
	for i := len(w.undo) - 1; i >= m.undo; i-- {
		u := w.undo[i]
		if u.had {
			w.products[u.sku] = u.prev
		} else {
			delete(w.products, u.sku)
		}
	}
	clear(w.undo[m.undo:])
	w.seq, w.local, w.undo = m.seq, m.local, w.undo[:m.undo]
}

// committed forgets the undo log once its changes are durable, and empties
// an oversized cache.
func (w *writerState) committed() {
	clear(w.undo)
	w.undo = w.undo[:0]
	if len(w.products) > maxCached {
		clear(w.products)
	}
}

// product returns the cached product with sku.
func (w *writerState) product(sku string) (cached, bool) {
	c, ok := w.products[sku]
	return c, ok
}

// setProduct caches c as the live product with sku.
func (w *writerState) setProduct(sku string, c cached) {
	prev, had := w.products[sku]
	w.undo = append(w.undo, undoEntry{sku: sku, prev: prev, had: had})
	w.products[sku] = c
}

// dropProduct forgets the product with sku.
func (w *writerState) dropProduct(sku string) {
	prev, had := w.products[sku]
	if !had {
		return
	}
	w.undo = append(w.undo, undoEntry{sku: sku, prev: prev, had: true})
	delete(w.products, sku)
}

// nextSeq takes the next change sequence of the local warehouse.
func (w *writerState) nextSeq() int64 {
	w.seq++
	return w.seq
}
