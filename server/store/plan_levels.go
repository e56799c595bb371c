package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"

	"github.com/stockmesh/stockmesh/server/replenish"
)

// levelSet is the levels a plan reads: each sku's side by side in chunks
// of levelChunk, the skus in order, so that a plan of 10,000 skus in 24
// warehouses allocates a few dozen chunks rather than a map entry and a
// slice per sku (or copies of one growing slice), and finds a sku by
// binary search.
type levelSet struct {
	skus   []string            // in order (SQLite's BINARY collation, Go's string order)
	groups [][]replenish.Level // skus[i]'s levels, by warehouse
	chunk  []replenish.Level   // where the next sku's levels go
}

// levelChunk is how many levels levelSet allocates at once.
const levelChunk = 4096

// of returns the levels of the i-th sku.
func (ls *levelSet) of(i int) []replenish.Level { return ls.groups[i] }

// level returns the level of sku in warehouse wh, or nil.
func (ls *levelSet) level(sku, wh string) *replenish.Level {
	i, ok := slices.BinarySearch(ls.skus, sku)
	if !ok {
		return nil
	}
	levels := ls.groups[i]
	if j := slices.IndexFunc(levels, func(l replenish.Level) bool { return l.Warehouse == wh }); j >= 0 {
		return &levels[j]
	}
	return nil
}

// add appends sku's levels, taken from the end of ls.chunk, where
// first is where they begin.
func (ls *levelSet) add(sku string, first int) {
	mine := ls.chunk[first:len(ls.chunk):len(ls.chunk)]
	if len(mine) == 0 {
		return // in no warehouse that is still here
	}
	if !slices.IsSortedFunc(mine, levelsByWarehouse) {
		slices.SortFunc(mine, levelsByWarehouse)
	}
	ls.skus = append(ls.skus, sku)
	ls.groups = append(ls.groups, mine)
}

// room makes room in ls.chunk for n more levels of one sku.
func (ls *levelSet) room(n int) {
	if cap(ls.chunk)-len(ls.chunk) < n {
		ls.chunk = make([]replenish.Level, 0, max(levelChunk, n))
	}
}

// read reads planGroups' rows (query, with args): each sku and its
// levels in the warehouses live names (those of other warehouses, which
// left, are skipped).
func (ls *levelSet) read(ctx context.Context, tx *sql.Tx, query string, args []any, live map[string]string) error {
	var whs, qty, reorder, maxStock sql.RawBytes
	return eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var sku string
		if err := rows.Scan(&sku, &whs, &qty, &reorder, &maxStock); err != nil {
			return err
		}
		ls.room(len(whs)/2 + 1) // at least 2 bytes per level: an id and a space
		first := len(ls.chunk)
		w, q, r, m := words{b: whs}, words{b: qty}, words{b: reorder}, words{b: maxStock}
		for !w.done() {
			l := replenish.Level{Warehouse: live[string(w.next())], OnHand: q.int(), ReorderPoint: r.int(), MaxStock: m.int()}
			if q.bad || r.bad || m.bad {
				return fmt.Errorf("reading the levels of %s: %q, %q, %q, %q are not as many quantities as warehouses", sku, whs, qty, reorder, maxStock)
			}
			if l.Warehouse != "" {
				ls.chunk = append(ls.chunk, l)
			}
		}
		ls.add(sku, first)
		return nil
	})
}

// levelsByWarehouse orders levels by warehouse, the order replenish.Plan
// is handed them in.
func levelsByWarehouse(a, b replenish.Level) int { return cmp.Compare(a.Warehouse, b.Warehouse) }

// readSales sets the sales of the levels planSales' rows (query, with
// args) name; both come in sku order, so one pass merges them.
func (ls *levelSet) readSales(ctx context.Context, tx *sql.Tx, query string, args []any) error {
	i := 0
	var whs, units sql.RawBytes
	return eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var sku string
		if err := rows.Scan(&sku, &whs, &units); err != nil {
			return err
		}
		i += sort.SearchStrings(ls.skus[i:], sku)
		if i == len(ls.skus) || ls.skus[i] != sku {
			return nil // a sku of no live product
		}
		levels, j := ls.groups[i], 0
		for w, u := (words{b: whs}), (words{b: units}); !w.done(); {
			id, n := w.next(), u.int()
			if u.bad {
				return fmt.Errorf("reading the sales of %s: %q, %q are not as many sums as warehouses", sku, whs, units)
			}
			// Both by warehouse (the window's key is sku, warehouse): walk on.
			for j < len(levels) && levels[j].Warehouse < string(id) {
				j++
			}
			if j < len(levels) && levels[j].Warehouse == string(id) {
				levels[j].Sold = n
			} else if k := slices.IndexFunc(levels, func(l replenish.Level) bool { return l.Warehouse == string(id) }); k >= 0 {
				levels[k].Sold = n // out of order after all
			}
		}
		return nil
	})
}

// words reads the fields of a text SQLite's group_concat wrote, separated
// by single spaces, without allocating.
type words struct {
	b   []byte
	bad bool // a field was missing or not an integer
}

// done reports whether every field was read.
func (w *words) done() bool { return len(w.b) == 0 || w.bad }

// next returns the next field.
func (w *words) next() []byte {
	if len(w.b) == 0 {
		w.bad = true
		return nil
	}
	i := 0
	for i < len(w.b) && w.b[i] != ' ' {
		i++
	}
	f := w.b[:i]
	w.b = w.b[min(i+1, len(w.b)):]
	return f
}

// int returns the next field as a decimal integer (of at most 18 digits:
// quantities are far below).
func (w *words) int() int64 {
	f := w.next()
	neg := len(f) > 0 && f[0] == '-'
	if neg {
		f = f[1:]
	}
	if len(f) == 0 || len(f) > 18 {
		w.bad = true
		return 0
	}
	var n int64
	for _, c := range f {
		if c < '0' || c > '9' {
			w.bad = true
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
