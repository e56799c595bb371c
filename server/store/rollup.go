package store

import (
	"context"
	"fmt"
)

// The rollup: the totals of the ledger by hour, warehouse, sku and kind,
// kept by a trigger in the transaction that inserts each movement (the
// writer's and log.apply's alike, whatever the kind), so that a report
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

// rollupTrigger adds every inserted movement to the rollup.
const rollupTrigger = `CREATE TRIGGER IF NOT EXISTS movement_rollup_insert AFTER INSERT ON movements BEGIN
	INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
	VALUES (NEW.sku, unixepoch(NEW.created_at) / 3600, NEW.warehouse_id, NEW.kind,
			max(NEW.quantity, 0), max(-NEW.quantity, 0), 1, abs(NEW.quantity) * NEW.price),
		('', unixepoch(NEW.created_at) / 3600, NEW.warehouse_id, NEW.kind,
			max(NEW.quantity, 0), max(-NEW.quantity, 0), 1, abs(NEW.quantity) * NEW.price)
	ON CONFLICT DO UPDATE SET units_in = units_in + excluded.units_in,
		units_out = units_out + excluded.units_out, count = count + 1, value = value + excluded.value;
END`

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

// initRollup creates the rollup and its trigger, filling it from the
// ledger when the database had none, in one transaction.
func (s *Store) initRollup(ctx context.Context) error {
	tx, err := s.wdb.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("creating the movement rollup: %w", err)
	}
	defer tx.Rollback()
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'movement_rollup'`).Scan(&exists); err != nil {
		return fmt.Errorf("creating the movement rollup: %w", err)
	}
	stmts := []string{createRollup, rollupTrigger}
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
