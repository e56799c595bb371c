package store

import (
	"context"
	"fmt"
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

// rollupAdd adds the movements of warehouse ?1 with seqs ?2 to ?3 (those
// one write batch recorded, or one run log.apply applied) to the rollup:
// one statement per batch rather than per movement, reading back rows the
// batch just wrote. A trigger per movement cost the writer more than the
// movement itself (BenchmarkHandleWrites).
const rollupAdd = `INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
	SELECT * FROM (
		SELECT sku, unixepoch(created_at) / 3600 AS h, warehouse_id, kind, sum(max(quantity, 0)),
			sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price)
		FROM movements WHERE warehouse_id = ?1 AND seq BETWEEN ?2 AND ?3 GROUP BY sku, h, kind
		UNION ALL
		SELECT '', unixepoch(created_at) / 3600 AS h, warehouse_id, kind, sum(max(quantity, 0)),
			sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price)
		FROM movements WHERE warehouse_id = ?1 AND seq BETWEEN ?2 AND ?3 GROUP BY h, kind
	) WHERE true
	ON CONFLICT DO UPDATE SET units_in = units_in + excluded.units_in,
		units_out = units_out + excluded.units_out, count = count + excluded.count, value = value + excluded.value`

// movedAt notes that the batch recorded a movement of the local warehouse
// under seq: addToRollup counts the batch's movements from the first.
func (b *batch) movedAt(seq int64) {
	if b.rollupFrom == 0 {
		b.rollupFrom = seq
	}
}

// addToRollup adds the local movements the batch recorded to the rollup,
// before it commits. A failed job's movement was never written or was
// rolled back, so counting by seq range counts exactly what commits.
func (b *batch) addToRollup() error {
	if b.rollupFrom == 0 || b.w.local == nil {
		return nil
	}
	return b.rollup(b.w.local.ID, b.rollupFrom, b.w.seq)
}

// rollup adds the movements of warehouse wh with seqs from to to.
func (b *batch) rollup(wh string, from, to int64) error {
	if err := b.exec(stRollupAdd, wh, from, to); err != nil {
		return fmt.Errorf("adding movements %d to %d of %s to the rollup: %w", from, to, wh, err)
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
	FROM movements WHERE true GROUP BY sku, h, warehouse_id, kind;
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
