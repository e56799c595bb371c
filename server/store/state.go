package store

import "github.com/stockmesh/stockmesh/server/stock"

// maxCached bounds the product cache; past it the cache is emptied after a
// commit and refills from the database as products are moved.
const maxCached = 1 << 16

// writerState is what the writer keeps in memory between batches: the
// change sequence, the local warehouse, a write-through cache of the live
// products' ids and stock, and the idempotency keys not yet flushed to the
// key table (see keys.go). The writer is the database's only writer, so
// memory is exact as long as every change made in a transaction that does
// not commit is undone: each change is logged, and restore undoes them
// back to a mark, the one place that keeps memory equal to the database
// after a failed job, savepoint or commit.
type writerState struct {
	seq      int64            // last change sequence of the local warehouse
	local    *stock.Warehouse // nil until warehouse.init
	products map[string]cached
	keys     map[string]int64 // idempotency keys after keysSeq → their movement's seq
	keysSeq  int64            // every key of a movement up to this seq is in the key table
	// clearKeys: the local warehouse holds idempotency keys stored clear,
	// by a version before hashing (see storedKey). Only ever set.
	clearKeys bool
	undo      []undoEntry // changes since the last commit, oldest first
	chain     digestState // the local log's digest as last signed (heads.go)
	noops     noopReplies // replies of recorded-outcome jobs that changed nothing (outcome.go)
	salesFrom int64       // sales_window_from's hour (saleswindow.go)
}

// cached is what the writer knows of a live product of the local warehouse.
type cached struct {
	id       int
	quantity int64
}

// undoEntry is one change to undo: the key added, or else the cache entry
// of sku before the change, prev, or none when !had.
type undoEntry struct {
	key  string
	sku  string
	prev cached
	had  bool
}

// mark is a point writerState can be restored to.
type mark struct {
	chain   digestState
	seq     int64
	local   *stock.Warehouse
	keysSeq int64
	undo    int
	// salesFrom is writerState.salesFrom.
	salesFrom int64
}

// newWriterState returns an empty state with an empty cache.
func newWriterState() writerState {
	return writerState{products: make(map[string]cached), keys: make(map[string]int64)}
}

// mark returns the current point, to restore to on failure.
func (w *writerState) mark() mark {
	return mark{chain: w.chain, seq: w.seq, local: w.local, keysSeq: w.keysSeq, undo: len(w.undo), salesFrom: w.salesFrom}
}

// restore undoes every change made since m.
func (w *writerState) restore(m mark) {
	for i := len(w.undo) - 1; i >= m.undo; i-- {
		switch u := w.undo[i]; {
		case u.key != "":
			delete(w.keys, u.key)
		case u.had:
			w.products[u.sku] = u.prev
		default:
			delete(w.products, u.sku)
		}
	}
	clear(w.undo[m.undo:])
	w.chain, w.seq, w.local, w.keysSeq, w.undo = m.chain, m.seq, m.local, m.keysSeq, w.undo[:m.undo]
	w.salesFrom = m.salesFrom
}

// committed forgets the undo log once its changes are durable, forgets the
// keys once the key table has them all (keysSeq reached seq: a batch that
// flushes them does so after its last change), and empties an oversized
// cache.
func (w *writerState) committed() {
	clear(w.undo)
	w.undo = w.undo[:0]
	if w.keysSeq == w.seq {
		clear(w.keys)
	}
	if len(w.products) > maxCached {
		clear(w.products)
	}
}

// addKey remembers that the movement with seq was recorded with key.
func (w *writerState) addKey(key string, seq int64) {
	w.undo = append(w.undo, undoEntry{key: key})
	w.keys[key] = seq
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
