package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// A movement report reads the rollup (rollup.go) for every whole hour it
// covers and the ledger for the rest: the hours its from and to cut, the
// hours a period boundary of its time zone cuts (zones whose offset is not
// whole hours), and everything when it filters by reference or actor,
// which the rollup does not keep (through their indexes). Rollup and
// ledger are read in one transaction: one snapshot.

// totals accumulates a report's rows by their keys.
type totals struct {
	q    *stock.ReportQuery
	loc  *time.Location
	rows map[string]*stock.ReportRow
	keys []string // scratch
	// periods caches the period keys of an hour of the rollup.
	periods map[int64][]string
}

// newTotals returns empty totals for q in loc.
func newTotals(q *stock.ReportQuery, loc *time.Location) *totals {
	return &totals{q: q, loc: loc, rows: map[string]*stock.ReportRow{}, periods: map[int64][]string{}}
}

// add counts units in and out, count movements and their value under the
// keys of a warehouse, sku, kind and time.
func (t *totals) add(wh, sku, kind string, at time.Time, periods []string, in, out, count, value int64) {
	t.keys = t.keys[:0]
	p := 0
	for _, g := range t.q.GroupBy {
		switch g {
		case stock.GroupSKU:
			t.keys = append(t.keys, sku)
		case stock.GroupKind:
			t.keys = append(t.keys, kind)
		case stock.GroupWarehouse:
			t.keys = append(t.keys, wh)
		default:
			if periods != nil {
				t.keys = append(t.keys, periods[p])
				p++
			} else {
				t.keys = append(t.keys, g.Key(at.In(t.loc)))
			}
		}
	}
	id := strings.Join(t.keys, "\x00")
	r := t.rows[id]
	if r == nil {
		r = &stock.ReportRow{Keys: slices.Clone(t.keys)}
		t.rows[id] = r
	}
	r.UnitsIn += in
	r.UnitsOut += out
	r.Net += in - out
	r.Count += count
	r.Value += stock.Price(value)
}

// hourPeriods returns the period keys of an hour, or nil when a period
// boundary of the report's zone cuts the hour (its movements are then
// counted from the ledger).
func (t *totals) hourPeriods(hour int64) ([]string, bool) {
	if ks, ok := t.periods[hour]; ok {
		return ks, ks != nil || !t.hasPeriods()
	}
	start := time.Unix(hour*3600, 0).In(t.loc)
	end := start.Add(time.Hour - time.Nanosecond)
	var ks []string
	for _, g := range t.q.GroupBy {
		if !g.Period() {
			continue
		}
		k := g.Key(start)
		if k != g.Key(end) {
			t.periods[hour] = nil
			return nil, false
		}
		ks = append(ks, k)
	}
	t.periods[hour] = ks
	return ks, true
}

// hasPeriods reports whether the report groups by a period.
func (t *totals) hasPeriods() bool {
	return slices.ContainsFunc(t.q.GroupBy, stock.ReportGroup.Period)
}

// result returns the rows ordered by their keys.
func (t *totals) result() *stock.Report {
	out := &stock.Report{Rows: make([]stock.ReportRow, 0, len(t.rows))}
	for _, r := range t.rows {
		out.Rows = append(out.Rows, *r)
	}
	slices.SortFunc(out.Rows, func(a, b stock.ReportRow) int { return slices.Compare(a.Keys, b.Keys) })
	return out
}

// movementReport answers a report query.
func (s *Store) movementReport(ctx context.Context, q *stock.ReportQuery) (*stock.Report, error) {
	loc, err := q.Location()
	if err != nil {
		return nil, err
	}
	if q.Filter.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Filter.Warehouse); err != nil {
			return nil, err
		}
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	t := newTotals(q, loc)
	f := q.Filter
	if f.Reference != "" || f.Actor != "" {
		err = ledgerTotals(ctx, tx, t, f)
	} else {
		err = rollupTotals(ctx, tx, t, f)
	}
	if err != nil {
		return nil, err
	}
	return t.result(), nil
}

// ledgerTotals adds the movements f selects to t, read from the ledger.
func ledgerTotals(ctx context.Context, tx *sql.Tx, t *totals, f stock.MovementFilter) error {
	query, args := ledgerTotalsSQL(&f)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var wh, sku, kind string
		var qty, price int64
		var at time.Time
		if err := rows.Scan(&wh, &sku, &kind, &qty, &price, &at); err != nil {
			return err
		}
		t.add(wh, sku, kind, at, nil, max(qty, 0), max(-qty, 0), 1, abs(qty)*price)
	}
	return rows.Err()
}

// ledgerTotalsSQL returns the query of the movements a report counts
// from the ledger.
func ledgerTotalsSQL(f *stock.MovementFilter) (string, []any) {
	ix := indexFor(f)
	where, args := ledgerWhere(ix, f, nil)
	return "SELECT warehouse_id, sku, kind, quantity, price, created_at FROM movements INDEXED BY " + ix.name + where, args
}

// abs returns |n|.
func abs(n int64) int64 { return max(n, -n) }

// rollupQuery returns the query of the rollup rows a report reads in the
// hours [lo, hi): those of f.SKU, else of every sku when the report groups
// by sku, else the totals of every sku (sku "").
func rollupQuery(f *stock.MovementFilter, bySKU bool, lo, hi int64) (string, []any) {
	cond, args := "sku = ?", []any{f.SKU}
	if f.SKU == "" && bySKU {
		cond = "sku > ?"
	}
	query := "SELECT hour, warehouse_id, sku, kind, units_in, units_out, count, value FROM movement_rollup WHERE " +
		cond + " AND hour >= ? AND hour < ?"
	args = append(args, lo, hi)
	if f.Warehouse != "" {
		query, args = query+" AND warehouse_id = ?", append(args, f.Warehouse)
	}
	return query, args
}

// rollupTotals adds the movements f selects to t: the rollup's whole
// hours, and from the ledger the hours from, to or a period boundary cut.
func rollupTotals(ctx context.Context, tx *sql.Tx, t *totals, f stock.MovementFilter) error {
	lo, hi := int64(-1<<40), int64(1<<40) // hours: any time
	var cut [][2]time.Time                // ranges counted from the ledger
	if f.From != nil {
		lo = hourOf(*f.From)
		if f.From.Unix()%3600 != 0 || f.From.Nanosecond() != 0 {
			cut = append(cut, [2]time.Time{*f.From, minTime(time.Unix((lo+1)*3600, 0), f.To)})
			lo++
		}
	}
	if f.To != nil {
		h := hourOf(*f.To)
		if f.To.Unix()%3600 != 0 || f.To.Nanosecond() != 0 {
			if start := time.Unix(h*3600, 0); h >= lo {
				cut = append(cut, [2]time.Time{start, *f.To})
			}
		}
		hi = h
	}
	query, args := rollupQuery(&f, slices.Contains(t.q.GroupBy, stock.GroupSKU), lo, hi)
	if lo < hi {
		hours, err := readRollup(ctx, tx, t, f, query, args)
		if err != nil {
			return err
		}
		for _, h := range hours {
			cut = append(cut, [2]time.Time{time.Unix(h*3600, 0), time.Unix((h+1)*3600, 0)})
		}
	}
	for _, c := range cut {
		from, to := c[0].UTC(), c[1].UTC()
		g := f
		g.From, g.To = &from, &to
		if err := ledgerTotals(ctx, tx, t, g); err != nil {
			return err
		}
	}
	return nil
}

// minTime returns the earlier of a and *b (a when b is nil).
func minTime(a time.Time, b *time.Time) time.Time {
	if b != nil && b.Before(a) {
		return *b
	}
	return a
}

// readRollup adds the rollup rows query selects to t, and returns the
// hours a period boundary cuts, which it left for the ledger.
func readRollup(ctx context.Context, tx *sql.Tx, t *totals, f stock.MovementFilter, query string, args []any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cut []int64
	seen := map[int64]bool{}
	for rows.Next() {
		var hour, in, out, count, value int64
		var wh, sku, kind string
		if err := rows.Scan(&hour, &wh, &sku, &kind, &in, &out, &count, &value); err != nil {
			return nil, err
		}
		if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, stock.Kind(kind)) {
			continue
		}
		periods, whole := t.hourPeriods(hour)
		if !whole {
			if !seen[hour] {
				seen[hour] = true
				cut = append(cut, hour)
			}
			continue
		}
		t.add(wh, sku, kind, time.Time{}, periods, in, out, count, value)
	}
	return cut, rows.Err()
}
