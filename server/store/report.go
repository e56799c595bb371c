package store

import (
	"context"
	"database/sql"
	"fmt"
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
	// lot is the LOT key of what add counts next (ledger totals only).
	lot string
}

// newTotals returns empty totals for q in loc.
func newTotals(q *stock.ReportQuery, loc *time.Location) *totals {
	return &totals{q: q, loc: loc, rows: map[string]*stock.ReportRow{}, periods: map[int64][]string{}}
}

// add counts units in and out, count movements and their value under the
// keys of a warehouse, sku, kind and time. It returns stock.ErrTooManyRows
// instead of making a row beyond stock.MaxReportRows.
func (t *totals) add(wh, sku, kind string, at time.Time, periods []string, in, out, count, value int64) error {
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
		case stock.GroupLot:
			t.keys = append(t.keys, t.lot)
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
		if len(t.rows) >= stock.MaxReportRows {
			return stock.ErrTooManyRows
		}
		r = &stock.ReportRow{Keys: slices.Clone(t.keys)}
		t.rows[id] = r
	}
	r.UnitsIn += in
	r.UnitsOut += out
	r.Net += in - out
	r.Count += count
	r.Value += stock.Price(value)
	return nil
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
	if f.Reference != "" || f.Actor != "" || f.Lot != "" || f.Location != "" || slices.Contains(q.GroupBy, stock.GroupLot) {
		err = ledgerTotals(ctx, tx, t, f, s.keys)
	} else {
		err = rollupTotals(ctx, tx, t, f, s.keys)
	}
	if err != nil {
		return nil, err
	}
	return t.result(), nil
}

// ledgerTotals adds the movements f selects to t, read from the ledger.
func ledgerTotals(ctx context.Context, tx *sql.Tx, t *totals, f stock.MovementFilter, keys hasher) error {
	query, args := ledgerTotalsSQL(&f, keys)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	byLot := slices.Contains(t.q.GroupBy, stock.GroupLot)
	for rows.Next() {
		var wh, sku, kind string
		var qty, price int64
		var at time.Time
		var detail sql.NullString
		if err := rows.Scan(&wh, &sku, &kind, &qty, &price, &at, &detail); err != nil {
			return err
		}
		if !byLot || !detail.Valid {
			if err := t.add(wh, sku, kind, at, nil, max(qty, 0), max(-qty, 0), 1, abs(qty)*price); err != nil {
				return err
			}
			continue
		}
		if err := t.addByLot(wh, sku, kind, at, qty, price, detail); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ledgerTotalsSQL returns the query of the movements a report counts
// from the ledger, reference and actor by their keyed hashes.
func ledgerTotalsSQL(f *stock.MovementFilter, keys hasher) (string, []any) {
	ix := indexFor(f)
	where, args := ledgerWhere(ix, f, nil, keys)
	if where == "" { // RELOCATIONs move no stock: reports never count them
		where = " WHERE true"
	}
	return "SELECT warehouse_id, sku, kind, quantity, price, created_at, detail FROM movements INDEXED BY " + ix.name + where +
		" AND kind <> 'RELOCATION'", args
}

// addByLot counts a movement of quantity qty under each lot its detail
// says it drew from or went into, with that lot's units.
func (t *totals) addByLot(wh, sku, kind string, at time.Time, qty, price int64, detail sql.NullString) error {
	m := stock.Movement{ID: wh + "/" + sku, Quantity: qty}
	if err := openDetail(&m, detail); err != nil {
		return err
	}
	units := map[string]int64{}
	var order []string
	for _, l := range m.LotsOrNoLot() {
		key := l.Code
		if l.ExpiresOn != "" {
			key += "@" + string(l.ExpiresOn)
		}
		if _, ok := units[key]; !ok {
			order = append(order, key)
		}
		units[key] += l.Quantity
	}
	defer func() { t.lot = "" }()
	for _, key := range order {
		n := units[key]
		if qty < 0 {
			n = -n
		}
		t.lot = key
		if err := t.add(wh, sku, kind, at, nil, max(n, 0), max(-n, 0), 1, abs(n)*price); err != nil {
			return err
		}
	}
	return nil
}

// abs returns |n|.
func abs(n int64) int64 { return max(n, -n) }

// rollupQuery returns the query of the rollup rows a report reads in the
// hours [lo, hi) when it groups by sku without naming one: every sku's
// rows, one by one.
func rollupQuery(f *stock.MovementFilter, lo, hi int64) (string, []any) {
	query := "SELECT hour, warehouse_id, sku, kind, units_in, units_out, count, value FROM movement_rollup " +
		"WHERE sku > ? AND hour >= ? AND hour < ?"
	args := []any{"", lo, hi}
	if f.Warehouse != "" {
		query, args = query+" AND warehouse_id = ?", append(args, f.Warehouse)
	}
	return query, args
}

// segmentQuery returns the query that totals, inside SQLite, the rollup
// rows of f.SKU (or "", the totals of every sku) in each segment of
// segments, a JSON array of [segment, first hour, end hour]: a report of a
// year by month reads a dozen rows per warehouse and kind, not 8,760.
// CROSS JOIN keeps SQLite's order: each segment, then its hours by key.
func segmentQuery(f *stock.MovementFilter, segments string) (string, []any) {
	query := `WITH seg(i, lo, hi) AS (SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?))
		SELECT seg.i, r.warehouse_id, r.sku, r.kind, sum(r.units_in), sum(r.units_out), sum(r.count), sum(r.value)
		FROM seg CROSS JOIN movement_rollup AS r ON r.sku = ? AND r.hour >= seg.lo AND r.hour < seg.hi`
	args := []any{segments, f.SKU}
	if f.Warehouse != "" {
		query, args = query+" AND r.warehouse_id = ?", append(args, f.Warehouse)
	}
	return query + " GROUP BY seg.i, r.warehouse_id, r.sku, r.kind", args
}

// rollupRange returns the hours the rollup holds, [lo, hi); lo == hi when
// it is empty. Every movement adds to the totals (sku ""), so their range
// is every sku's.
const rollupRange = `SELECT coalesce(min(hour), 0), coalesce(max(hour) + 1, 0) FROM movement_rollup WHERE sku = ''`

// rollupTotals adds the movements f selects to t: the rollup's whole
// hours, and from the ledger the hours from, to or a period boundary cut.
func rollupTotals(ctx context.Context, tx *sql.Tx, t *totals, f stock.MovementFilter, keys hasher) error {
	lo, hi, cut := edges(f)
	var dlo, dhi int64
	if err := tx.QueryRowContext(ctx, rollupRange).Scan(&dlo, &dhi); err != nil {
		return err
	}
	lo, hi = max(lo, dlo), min(hi, dhi)
	if lo < hi {
		var hours []int64
		var err error
		if f.SKU == "" && slices.Contains(t.q.GroupBy, stock.GroupSKU) {
			query, args := rollupQuery(&f, lo, hi)
			hours, err = readRollup(ctx, tx, t, f, query, args)
		} else {
			hours, err = readSegments(ctx, tx, t, f, lo, hi)
		}
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
		if err := ledgerTotals(ctx, tx, t, g, keys); err != nil {
			return err
		}
	}
	return nil
}

// edges returns the whole hours [lo, hi) of f's period and the ranges at
// its edges that cut an hour, which the ledger counts.
func edges(f stock.MovementFilter) (lo, hi int64, cut [][2]time.Time) {
	lo, hi = int64(-1<<40), int64(1<<40) // hours: any time
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
	return lo, hi, cut
}

// minTime returns the earlier of a and *b (a when b is nil).
func minTime(a time.Time, b *time.Time) time.Time {
	if b != nil && b.Before(a) {
		return *b
	}
	return a
}

// segments splits the hours [lo, hi) into runs whose hours fall in the
// same periods of the report (one run when it groups by none), returning
// them as segmentQuery's JSON with each run's period keys, and the hours
// a period boundary cuts, which the ledger counts.
func (t *totals) segments(lo, hi int64) (string, [][]string, []int64) {
	var b strings.Builder
	var keys [][]string
	var cut []int64
	b.WriteByte('[')
	open := int64(-1)
	closeRun := func(end int64) {
		if open >= 0 {
			if len(keys) > 1 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "[%d,%d,%d]", len(keys)-1, open, end)
			open = -1
		}
	}
	for h := lo; h < hi; h++ {
		ks, whole := t.hourPeriods(h)
		switch {
		case !whole:
			closeRun(h)
			cut = append(cut, h)
		case open < 0 || !slices.Equal(ks, keys[len(keys)-1]):
			closeRun(h)
			keys, open = append(keys, ks), h
		}
		if !t.hasPeriods() && h == lo { // one run: no need to look at every hour
			h = hi - 1
		}
	}
	closeRun(hi)
	b.WriteByte(']')
	return b.String(), keys, cut
}

// readSegments adds the rollup's totals of f.SKU ("" for every sku) in
// [lo, hi) to t, run by run, and returns the hours a period boundary cuts.
func readSegments(ctx context.Context, tx *sql.Tx, t *totals, f stock.MovementFilter, lo, hi int64) ([]int64, error) {
	segs, keys, cut := t.segments(lo, hi)
	query, args := segmentQuery(&f, segs)
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var in, out, count, value int64
		var wh, sku, kind string
		if err := rows.Scan(&i, &wh, &sku, &kind, &in, &out, &count, &value); err != nil {
			return nil, err
		}
		if len(f.Kinds) > 0 && !slices.Contains(f.Kinds, stock.Kind(kind)) {
			continue
		}
		if err := t.add(wh, sku, kind, time.Time{}, keys[i], in, out, count, value); err != nil {
			return nil, err
		}
	}
	return cut, rows.Err()
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
		if err := t.add(wh, sku, kind, time.Time{}, periods, in, out, count, value); err != nil {
			return nil, err
		}
	}
	return cut, rows.Err()
}
