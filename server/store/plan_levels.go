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

// levelSet is the levels a plan reads: every sku's side by side in one
// slice, the skus in order, so that a plan of 10,000 skus in 24
// warehouses allocates a few slices rather than a map entry and a slice
// per sku, and finds a sku by binary search.
type levelSet struct {
	skus   []string          // in order (SQLite's BINARY collation, Go's string order)
	starts []int             // skus[i]'s levels are levels[starts[i]:starts[i+1]]
	levels []replenish.Level // each sku's by warehouse
}

// of returns the levels of the i-th sku.
func (ls *levelSet) of(i int) []replenish.Level {
	return ls.levels[ls.starts[i]:ls.starts[i+1]:ls.starts[i+1]]
}

// level returns the level of sku in warehouse wh, or nil.
func (ls *levelSet) level(sku, wh string) *replenish.Level {
	i, ok := slices.BinarySearch(ls.skus, sku)
	if !ok {
		return nil
	}
	levels := ls.of(i)
	if j := slices.IndexFunc(levels, func(l replenish.Level) bool { return l.Warehouse == wh }); j >= 0 {
		return &levels[j]
	}
	return nil
}

// read reads planGroups' rows (query, with args): each sku and its
// levels in the warehouses live names (those of other warehouses, which
// left, are skipped).
func (ls *levelSet) read(ctx context.Context, tx *sql.Tx, query string, args []any, live map[string]string) error {
	ls.starts = append(ls.starts[:0], 0)
	var text sql.RawBytes
	return eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var sku string
		if err := rows.Scan(&sku, &text); err != nil {
			return err
		}
		first := len(ls.levels)
		for w := (words{b: text}); !w.done(); {
			var l replenish.Level
			id := w.next()
			l.OnHand, l.ReorderPoint, l.MaxStock = w.int(), w.int(), w.int()
			if w.bad {
				return fmt.Errorf("reading the levels of %s: %q is not warehouse, quantity, reorder point, maximum", sku, text)
			}
			if l.Warehouse = live[string(id)]; l.Warehouse != "" {
				ls.levels = append(ls.levels, l)
			}
		}
		if len(ls.levels) == first {
			return nil // in no warehouse that is still here
		}
		mine := ls.levels[first:]
		if !slices.IsSortedFunc(mine, levelsByWarehouse) {
			slices.SortFunc(mine, levelsByWarehouse)
		}
		ls.skus = append(ls.skus, sku)
		ls.starts = append(ls.starts, len(ls.levels))
		return nil
	})
}

// levelsByWarehouse orders levels by warehouse, the order replenish.Plan is
// handed them in.
func levelsByWarehouse(a, b replenish.Level) int { return cmp.Compare(a.Warehouse, b.Warehouse) }

// readSales adds planSales' sums (query, with args) to the levels they
// name; both come in sku order, so one pass merges them.
func (ls *levelSet) readSales(ctx context.Context, tx *sql.Tx, query string, args []any, live map[string]string) error {
	i := 0
	var text sql.RawBytes
	return eachRow(ctx, tx, query, args, func(rows *sql.Rows) error {
		var sku string
		if err := rows.Scan(&sku, &text); err != nil {
			return err
		}
		i += sort.SearchStrings(ls.skus[i:], sku)
		if i == len(ls.skus) || ls.skus[i] != sku {
			return nil // a sku of no live product
		}
		levels := ls.of(i)
		for w := (words{b: text}); !w.done(); {
			id, n := w.next(), w.int()
			if w.bad {
				return fmt.Errorf("reading the sales of %s: %q is not warehouse, units", sku, text)
			}
			if j := slices.IndexFunc(levels, func(l replenish.Level) bool { return l.Warehouse == string(id) }); j >= 0 {
				levels[j].Sold = n
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
