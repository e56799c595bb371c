package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// The statements of the hot path (recordMovement, setStock). They bypass
// ent's query builders, which cost more CPU than SQLite itself here; the
// driver's per-connection statement cache keeps them compiled. The schema
// stays ent's: a column renamed there breaks these, and every test with it.
const (
	sqlLiveProduct = `SELECT id, quantity FROM products
		WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`
	sqlSetQuantity   = `UPDATE products SET quantity = ?, seq = ?, updated_at = ? WHERE id = ?`
	sqlMovementByKey = `SELECT seq, sku, kind, quantity, balance, reference, note, actor, fingerprint, created_at
		FROM movements WHERE warehouse_id = ? AND idempotency_key = ?`
	sqlInsertMovement = `INSERT INTO movements (warehouse_id, seq, product_id, sku, kind, quantity, balance,
		reference, note, actor, idempotency_key, fingerprint, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
)

// savepoints are the per-job savepoint statements, prepared once on the
// writer connection.
type savepoints struct {
	open, release, rollback *sql.Stmt
}

// prepareSavepoints prepares the savepoint statements on db.
func prepareSavepoints(db *sql.DB) (*savepoints, error) {
	var sp savepoints
	for _, p := range []struct {
		stmt **sql.Stmt
		q    string
	}{{&sp.open, "SAVEPOINT job"}, {&sp.release, "RELEASE job"}, {&sp.rollback, "ROLLBACK TO job"}} {
		s, err := db.Prepare(p.q)
		if err != nil {
			return nil, fmt.Errorf("preparing %s: %w", p.q, err)
		}
		*p.stmt = s
	}
	return &sp, nil
}

// in returns the savepoint statements bound to tx.
func (sp *savepoints) in(ctx context.Context, tx *sql.Tx) *savepoints {
	return &savepoints{tx.StmtContext(ctx, sp.open), tx.StmtContext(ctx, sp.release), tx.StmtContext(ctx, sp.rollback)}
}

// close closes the statements.
func (sp *savepoints) close() error {
	return errors.Join(sp.open.Close(), sp.release.Close(), sp.rollback.Close())
}

// stockOf returns the id and stock of the live product with sku in the
// local warehouse, as a partial ent.Product for move, or NOT_FOUND.
func (b *batch) stockOf(sku string) (*ent.Product, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	p := &ent.Product{WarehouseID: wh.ID, Sku: sku}
	err = b.tx.QueryRowContext(b.ctx, sqlLiveProduct, wh.ID, sku).Scan(&p.ID, &p.Quantity)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(sku)
	}
	return p, err
}

// setQuantity stores a product's new stock and change sequence.
func (b *batch) setQuantity(p *ent.Product, balance, seq int64, now time.Time) error {
	_, err := b.tx.ExecContext(b.ctx, sqlSetQuantity, balance, seq, now, p.ID)
	return err
}

// insertMovement appends mv, a movement of p, to the ledger.
func (b *batch) insertMovement(p *ent.Product, mv *stock.Movement, fp string) error {
	var key any
	if mv.IdempotencyKey != "" {
		key = mv.IdempotencyKey
	}
	_, err := b.tx.ExecContext(b.ctx, sqlInsertMovement, mv.Warehouse, mv.Seq, p.ID, mv.SKU, string(mv.Kind),
		mv.Quantity, mv.Balance, mv.Reference, mv.Note, mv.Actor, key, fp, mv.CreatedAt)
	return err
}

// movementByKey returns the movement of the local warehouse recorded with
// key, nil when there is none, or INVALID_INPUT when it was recorded for a
// request with another fingerprint.
func (b *batch) movementByKey(key, fp string) (*stock.Movement, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	m := &stock.Movement{Warehouse: wh.ID, IdempotencyKey: key}
	var stored string
	err = b.tx.QueryRowContext(b.ctx, sqlMovementByKey, wh.ID, key).Scan(&m.Seq, &m.SKU, &m.Kind,
		&m.Quantity, &m.Balance, &m.Reference, &m.Note, &m.Actor, &stored, &m.CreatedAt)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, err
	case stored != fp:
		return nil, stock.Errorf(stock.CodeInvalidInput,
			"idempotency key %q was used for a different request", key)
	}
	m.ID, m.CreatedAt = stock.MovementID(wh.ID, m.Seq), m.CreatedAt.UTC()
	return m, nil
}
