package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/replenish"
)

// The sales window: every product's SALE units per warehouse over the
// hours since sales_window_from, a running sum kept beside the rollup by
// the two paths that add to it (flushRollup's sums, stSalesAdd; rollup's
// seq ranges, stSalesAddRange; a new window is filled from the rollup), so
// that days of cover and a replenishment plan read
// one row per product and warehouse instead of summing a month of hourly
// rollup rows (a million of them for 240,000 products: a second of
// SQLite). The writer moves sales_window_from to the first hour of the
// node's window when a batch begins in a later hour (advanceSalesWindow);
// a reader that wants another first hour corrects the sums with the
// rollup rows between the two (salesSince), so the answer is always the
// rollup's, only cheaper. Invariant, in every committed state:
//
//	sales_window.units = SUM(units_out) of the rollup rows of its sku and
//	warehouse with kind SALE and hour >= sales_window_from.hour
//
// Rows whose units fell to zero stay (one per product and warehouse that
// ever sold, at most), to be reused. Triggers on the rollup kept it at
// first: they cost the writer 10 to 25 µs of CPU per movement
// (BenchmarkHandleWrites), several times these statements.
const createSalesWindow = `
CREATE TABLE IF NOT EXISTS sales_window (
	sku TEXT NOT NULL,
	warehouse_id TEXT NOT NULL,
	units INTEGER NOT NULL,
	PRIMARY KEY (sku, warehouse_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sales_window_from (hour INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS movement_rollup_sale_hour ON movement_rollup (hour) WHERE kind = 'SALE' AND sku <> '';
DROP TRIGGER IF EXISTS sales_window_insert;
DROP TRIGGER IF EXISTS sales_window_update;`

// salesAdd adds ?3 SALE units of sku ?1 to warehouse ?2's sum.
const salesAdd = `INSERT INTO sales_window (sku, warehouse_id, units) VALUES (?1, ?2, ?3)
	ON CONFLICT DO UPDATE SET units = units + excluded.units`

// salesAddRange adds the SALE units of warehouse ?1's movements with seqs
// ?2 to ?3 made from hour ?4 on (the window's first) to the sums, as
// rollupAdd adds them to the rollup.
const salesAddRange = `INSERT INTO sales_window (sku, warehouse_id, units)
	SELECT sku, warehouse_id, sum(max(-quantity, 0)) FROM movements
	WHERE warehouse_id = ?1 AND seq BETWEEN ?2 AND ?3 AND kind = 'SALE' AND unixepoch(created_at) / 3600 >= ?4
	GROUP BY sku, warehouse_id
	ON CONFLICT DO UPDATE SET units = units + excluded.units`

// shiftSalesWindow adds ?3 times the SALE units of the rollup's hours from
// ?1 to ?2 (excluded) to the window's sums: -1 to drop hours the window
// left, 1 to take in hours it grew over.
const shiftSalesWindow = `INSERT INTO sales_window (sku, warehouse_id, units)
	SELECT sku, warehouse_id, ?3 * SUM(units_out) FROM movement_rollup INDEXED BY movement_rollup_sale_hour
	WHERE kind = 'SALE' AND sku <> '' AND hour >= ?1 AND hour < ?2 GROUP BY 1, 2
	ON CONFLICT DO UPDATE SET units = units + excluded.units`

// salesSince selects the SALE units of the skus a JSON array (?1) names
// per warehouse since hour ?2: the window's sums, then the rollup rows
// between ?2 and the window's first hour, added when ?2 is earlier and
// subtracted when it is later. A warehouse may come in several rows;
// their sum is the answer.
const salesSince = `SELECT s.warehouse_id, s.sku, s.units FROM json_each(?1) c CROSS JOIN sales_window s WHERE s.sku = c.value
	UNION ALL ` + salesGap

// salesGap selects the rollup rows salesSince corrects the window's sums
// with (?1 the skus, ?2 the first hour wanted): alone, it corrects sums
// read from sales_window in the same snapshot.
const salesGap = salesGapRows + `
	FROM sales_window_from f CROSS JOIN json_each(?1) c CROSS JOIN movement_rollup r
	WHERE r.sku = c.value AND r.hour >= min(?2, f.hour) AND r.hour < max(?2, f.hour) AND r.kind = 'SALE'`

// salesGapAll is salesGap for every sku (?1 unused): through the rollup's
// index by hour, rather than a search per sku of a plan of every sku,
// almost always for no row (the window rarely moves between a plan's
// hour and the window's).
const salesGapAll = salesGapRows + `
	FROM sales_window_from f CROSS JOIN movement_rollup r INDEXED BY movement_rollup_sale_hour
	WHERE r.hour >= min(?2, f.hour) AND r.hour < max(?2, f.hour) AND r.kind = 'SALE' AND r.sku <> ''`

// salesGapRows is what salesGap and salesGapAll select.
const salesGapRows = `SELECT r.warehouse_id, r.sku, CASE WHEN r.hour < f.hour THEN r.units_out ELSE -r.units_out END`

// initSalesWindow creates the sales window, filled from the rollup from
// the first hour of a window of days ending now when the database had
// none, and loads its first hour into the writer's state. It runs after
// initReports, which makes the rollup.
func (s *Store) initSalesWindow(ctx context.Context, days int, now time.Time) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("creating the sales window: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, createSalesWindow); err != nil {
		return fmt.Errorf("creating the sales window: %w", err)
	}
	var from int64
	switch err := tx.QueryRowContext(ctx, `SELECT hour FROM sales_window_from`).Scan(&from); {
	case errors.Is(err, sql.ErrNoRows):
		from = windowStart(now, windowDays(days))
		if _, err := tx.ExecContext(ctx, `INSERT INTO sales_window_from (hour) VALUES (?)`, from); err != nil {
			return fmt.Errorf("creating the sales window: %w", err)
		}
		if _, err := tx.ExecContext(ctx, shiftSalesWindow, from, int64(1)<<62, 1); err != nil {
			return fmt.Errorf("filling the sales window: %w", err)
		}
	case err != nil:
		return fmt.Errorf("reading the sales window: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("creating the sales window: %w", err)
	}
	s.w.salesFrom = from
	return nil
}

// windowDays returns days, or replenish.DefaultWindowDays when it is not
// positive.
func windowDays(days int) int {
	if days <= 0 {
		return replenish.DefaultWindowDays
	}
	return days
}

// advanceSalesWindow moves the sales window's first hour to that of the
// node's window ending now, when the hour changed since the last move: at
// most once an hour, in the batch that begins first in it, reading only
// the rollup rows of the hours between (through their index by hour).
func (b *batch) advanceSalesWindow(now time.Time) error {
	want := windowStart(now, b.s.salesDays)
	from := b.w.salesFrom
	if want == from {
		return nil
	}
	lo, hi, sign := from, want, -1
	if want < from { // the window grew (a longer --sales-window-days)
		lo, hi, sign = want, from, 1
	}
	if _, err := b.wc.conn.ExecContext(b.ctx, shiftSalesWindow, lo, hi, sign); err != nil {
		return fmt.Errorf("moving the sales window to hour %d: %w", want, err)
	}
	if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE sales_window_from SET hour = ?`, want); err != nil {
		return fmt.Errorf("moving the sales window to hour %d: %w", want, err)
	}
	b.w.salesFrom = want
	return nil
}
