package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// The rollup: the totals of the ledger by hour, warehouse, sku and kind,
// kept in the transaction that inserts the movements (the writer's batch
// and log.apply's run alike, whatever the kind: rollupAdd), so that a report
// over any period reads hours, not movements. Each movement adds to two
// rows: its sku's, and the row of sku "" that totals every sku of its
// warehouse (reports that neither filter nor group by sku read only
// those). Hours rather than days let a report take days, weeks and months
// in any time zone whose offset is whole hours straight from the rollup;
// in other zones only the hours a period boundary cuts are read from the
// ledger (see report.go). Value sums each movement's units, in or out,
// times the price its product had when it was recorded (movements.price).
const createRollup = `CREATE TABLE IF NOT EXISTS movement_rollup (
	sku TEXT NOT NULL,
	hour INTEGER NOT NULL,
	warehouse_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	units_in INTEGER NOT NULL,
	units_out INTEGER NOT NULL,
	count INTEGER NOT NULL,
	value INTEGER NOT NULL,
	PRIMARY KEY (sku, hour, warehouse_id, kind)
) WITHOUT ROWID`

// rollupAdd adds the movements (but RELOCATIONs, which move no stock) of warehouse ?1 with seqs ?2 to ?3 (those
// one write batch recorded, or one run log.apply applied) to the rollup:
// one statement per batch rather than per movement, reading back rows the
// batch just wrote. A trigger per movement cost the writer more than the
// movement itself (BenchmarkHandleWrites).
const rollupAdd = `INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
	SELECT * FROM (
		SELECT sku, unixepoch(created_at) / 3600 AS h, warehouse_id, kind, sum(max(quantity, 0)),
			sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price)
		FROM movements WHERE warehouse_id = ?1 AND seq BETWEEN ?2 AND ?3 AND kind <> 'RELOCATION' GROUP BY sku, h, kind
		UNION ALL
		SELECT '', unixepoch(created_at) / 3600 AS h, warehouse_id, kind, sum(max(quantity, 0)),
			sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price)
		FROM movements WHERE warehouse_id = ?1 AND seq BETWEEN ?2 AND ?3 AND kind <> 'RELOCATION' GROUP BY h, kind
	) WHERE true
	ON CONFLICT DO UPDATE SET units_in = units_in + excluded.units_in,
		units_out = units_out + excluded.units_out, count = count + excluded.count, value = value + excluded.value`

// How movements reach the rollup. A fast job's movement (recordMovement,
// setStock, a transfer's TRANSFER_OUT: none of them changes a price) is
// summed in memory per product, hour and kind (rolledRow), and
// flushRollup writes each sum with one statement, valued at the product's
// price: before any other job runs (it might change a price) and before
// the batch commits. Every other job's movements (movedAt) are added when
// that job ends, by seq range (rollupAdd), inside its savepoint. One
// rollupAdd per batch read the batch's movements back from the ledger,
// twice, and sorted them: a fixed cost of a few hundred µs that a batch
// of a few movements (Pyro4's, a lightly loaded node's) paid per batch.

// rolledRow is what one product's fast movements of one hour and kind add
// to the rollup.
type rolledRow struct {
	product   int
	sku, kind string
	hour      int64
	in, out   int64
	count     int64
}

// rollUp notes mv, a movement of product id made by a fast job, for
// flushRollup; a failed job's notes go with its log entries (restore).
func (b *batch) rollUp(id int, mv *stock.Movement) {
	r := rolledRow{product: id, sku: mv.SKU, kind: string(mv.Kind), hour: mv.CreatedAt.Unix() / 3600, count: 1}
	if mv.Quantity > 0 {
		r.in = mv.Quantity
	} else {
		r.out = -mv.Quantity
	}
	b.rolled = append(b.rolled, r)
}

// movedAt notes that the running job, not a fast one, recorded a movement
// of the local warehouse under seq: rollupJob adds its movements from the
// first.
func (b *batch) movedAt(seq int64) {
	if b.jobFrom == 0 {
		b.jobFrom = seq
	}
}

// rollupJob adds the local movements the running job recorded through
// movedAt to the rollup, at its end.
func (b *batch) rollupJob() error {
	from := b.jobFrom
	b.jobFrom = 0
	if from == 0 || b.w.local == nil {
		return nil
	}
	return b.rollup(b.w.local.ID, from, b.w.seq)
}

// flushRollup adds the fast jobs' movements noted since the last flush to
// the rollup: one statement per product, hour and kind, which adds to
// that sku's row and to the "" row of the hour and kind.
func (b *batch) flushRollup() error {
	if len(b.rolled) == 0 {
		return nil
	}
	if b.w.local == nil {
		return errors.New("store: movements to roll up without a local warehouse")
	}
	rows := sumRolled(b.rolled)
	b.rolled = b.rolled[:0]
	for _, r := range rows {
		if err := b.exec(stRollupProduct, r.sku, r.hour, b.w.local.ID, r.kind, r.in, r.out, r.count, r.product); err != nil {
			return fmt.Errorf("adding the movements of %s to the rollup: %w", r.sku, err)
		}
		if r.kind == string(stock.KindSale) && r.hour >= b.w.salesFrom && r.out > 0 {
			if err := b.exec(stSalesAdd, r.sku, b.w.local.ID, r.out); err != nil {
				return fmt.Errorf("adding the sales of %s to the sales window: %w", r.sku, err)
			}
		}
	}
	return nil
}

// sumRolled returns the sums of rows per product, hour and kind, in
// product order.
func sumRolled(rows []rolledRow) []rolledRow {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b rolledRow) int {
		return cmp.Or(cmp.Compare(a.product, b.product), cmp.Compare(a.hour, b.hour), strings.Compare(a.kind, b.kind))
	})
	n := 0
	for _, r := range out {
		if t := &out[max(n-1, 0)]; n > 0 && t.product == r.product && t.hour == r.hour && t.kind == r.kind {
			t.in, t.out, t.count = t.in+r.in, t.out+r.out, t.count+r.count
			continue
		}
		out[n] = r
		n++
	}
	return out[:n]
}

// rollupProduct adds one product's movements of one hour and kind to its
// sku's row and to the "" row, valued at its price (?1 sku, ?2 hour, ?3
// warehouse, ?4 kind, ?5 units in, ?6 units out, ?7 count, ?8 product).
const rollupProduct = `INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
	SELECT * FROM (
		SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, (?5 + ?6) * price FROM products WHERE id = ?8
		UNION ALL
		SELECT '', ?2, ?3, ?4, ?5, ?6, ?7, (?5 + ?6) * price FROM products WHERE id = ?8
	) WHERE true
	ON CONFLICT DO UPDATE SET units_in = units_in + excluded.units_in,
		units_out = units_out + excluded.units_out, count = count + excluded.count, value = value + excluded.value`

// rollup adds the movements of warehouse wh with seqs from to to.
func (b *batch) rollup(wh string, from, to int64) error {
	if err := b.exec(stRollupAdd, wh, from, to); err != nil {
		return fmt.Errorf("adding movements %d to %d of %s to the rollup: %w", from, to, wh, err)
	}
	if err := b.exec(stSalesAddRange, wh, from, to, b.w.salesFrom); err != nil {
		return fmt.Errorf("adding the sales %d to %d of %s to the sales window: %w", from, to, wh, err)
	}
	return nil
}

// backfillRollup fills a new rollup from a ledger recorded before it.
// Movements recorded before movements.price existed are valued at their
// product's price when the rollup was made: the price they had is not
// recorded anywhere else.
const backfillRollup = `
UPDATE movements SET price = (SELECT price FROM products WHERE products.id = movements.product_id)
	WHERE price = 0;
INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
	SELECT sku, unixepoch(created_at) / 3600 AS h, warehouse_id, kind, sum(max(quantity, 0)),
		sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price)
	FROM movements WHERE kind <> 'RELOCATION' GROUP BY sku, h, warehouse_id, kind;
INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
	SELECT '', hour, warehouse_id, kind, sum(units_in), sum(units_out), sum(count), sum(value)
	FROM movement_rollup WHERE sku <> '' GROUP BY hour, warehouse_id, kind;`

// initReports creates the rollup, filling it from the ledger when the
// database had none, and the log's product index, in one transaction.
func (s *Store) initReports(ctx context.Context) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("creating the movement rollup: %w", err)
	}
	defer tx.Rollback()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'movement_rollup'`).Scan(&exists); err != nil {
		return fmt.Errorf("creating the movement rollup: %w", err)
	}
	stmts := []string{createRollup, createProductIndex}
	if exists == 0 {
		stmts = append(stmts, backfillRollup)
	}
	for _, q := range stmts {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("creating the movement rollup: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("creating the movement rollup: %w", err)
	}
	return nil
}
