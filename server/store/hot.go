package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/stockmesh/stockmesh/server/stock"
)

// stmtID names a statement the writer prepares on its connection.
type stmtID int

// The statements of the hot path (recordMovement, setStock), of the
// transaction and of the savepoints. They bypass ent's query builders, which cost more CPU than
// SQLite itself here. The schema stays ent's: a column renamed there
// breaks these, and every test with it.
const (
	stLiveProduct stmtID = iota
	stSetQuantity
	stKeySeq
	stMovementBySeq
	stInsertMovement
	stInsertLog
	stInsertHead
	stInsertKeys
	stSetKeysSeq
	stRollupAdd
	stRollupProduct
	stSavepoint
	stRelease
	stRollbackTo
	stBegin
	stCommit
	stRollback
	stInsertProduct
	stTransferByKey
	stWarehouseDeparted
	stCatalogue
	stInsertTransfer
	stTransferSenderFacts
	stTransferReceiverFacts
	stSalesAdd
	stSalesAddRange
	numStmts
)

// query returns the SQL of the statement.
func (id stmtID) query() string {
	switch id {
	case stLiveProduct:
		return `SELECT id, quantity FROM products WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`
	case stSetQuantity:
		return `UPDATE products SET quantity = ?, seq = ?, updated_at = ? WHERE id = ?`
	case stKeySeq:
		return `SELECT seq FROM idempotency_keys WHERE warehouse_id = ? AND key = ?`
	case stMovementBySeq:
		return `SELECT sku, kind, quantity, balance, reference, note, actor, fingerprint, created_at, detail
			FROM movements WHERE warehouse_id = ? AND seq = ?`
	case stInsertMovement:
		// price: the product's when recorded, for reports (rollup.go).
		return `INSERT INTO movements (warehouse_id, seq, product_id, sku, kind, quantity, balance,
			reference, note, actor, idempotency_key, fingerprint, created_at, price,
			reference_hash, actor_hash, detail)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
				(SELECT price FROM products WHERE id = ?3), ?14, ?15, ?16)`
	case stInsertHead:
		return `INSERT OR REPLACE INTO log_heads (origin, seq, digest, sig) VALUES (?, ?, ?, ?)`
	case stInsertLog:
		return `INSERT INTO change_log (origin, seq, at, type, job, data) VALUES (?, ?, ?, ?, ?, ?)`
	case stInsertKeys:
		return `INSERT INTO idempotency_keys (warehouse_id, key, seq)
			SELECT ?1, value ->> 0, value ->> 1 FROM json_each(?2)`
	case stSetKeysSeq:
		return `UPDATE warehouses SET keys_seq = ? WHERE id = ?`
	case stRollupAdd:
		return rollupAdd
	case stRollupProduct:
		return rollupProduct
	case stSavepoint:
		return "SAVEPOINT job"
	case stRelease:
		return "RELEASE job"
	case stRollbackTo:
		return "ROLLBACK TO job"
	case stBegin:
		return "BEGIN IMMEDIATE"
	case stCommit:
		return "COMMIT"
	case stRollback:
		return "ROLLBACK"
	case stSalesAdd:
		return salesAdd
	case stSalesAddRange:
		return salesAddRange
	case stInsertProduct:
		return `INSERT INTO products (warehouse_id, sku, name, description, price, quantity, reorder_point,
			seq, created_at, updated_at, unit, packs, max_stock) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?) RETURNING id`
	}
	return id.transferQuery()
}

// transferQuery returns the SQL of the transfer statements
// (transfer_write.go, transfer.go): prepared once like the others, as
// preparing them per transfer cost more than running them.
func (id stmtID) transferQuery() string {
	switch id {
	case stTransferByKey:
		return `SELECT id, fingerprint FROM transfers WHERE sender = ? AND idempotency_key = ?`
	case stWarehouseDeparted:
		return `SELECT departed_at FROM warehouses WHERE id = ?`
	case stCatalogue:
		return `SELECT name, description, price, reorder_point, unit, packs FROM products WHERE id = ?`
	case stInsertTransfer:
		return `INSERT INTO transfers (id, sender, receiver, sku, quantity, reference, note,
			actor, idempotency_key, fingerprint, product, created_at, out_movement) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`
	case stTransferSenderFacts:
		return `UPDATE transfers SET
			cancel_requested_at = COALESCE(cancel_requested_at, ?), returned_at = COALESCE(returned_at, ?),
			return_movement = COALESCE(return_movement, ?),
			cancel_requested_by = CASE cancel_requested_by WHEN '' THEN ? ELSE cancel_requested_by END WHERE id = ?`
	case stTransferReceiverFacts:
		return `UPDATE transfers SET
			received_at = COALESCE(received_at, ?), in_movement = COALESCE(in_movement, ?),
			cancelled_at = COALESCE(cancelled_at, ?),
			cancelled_by = CASE cancelled_by WHEN '' THEN ? ELSE cancelled_by END WHERE id = ?`
	}
	panic("store: unknown statement")
}

// stockRow is what move needs of a product: where it is and its stock.
type stockRow struct {
	id        int
	warehouse string
	sku       string
	quantity  int64
}

// stockOf returns the live product with sku in the local warehouse, from
// the writer's cache or else the database (caching it), or NOT_FOUND.
func (b *batch) stockOf(sku string) (stockRow, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return stockRow{}, err
	}
	if c, ok := b.w.product(sku); ok {
		return stockRow{id: c.id, warehouse: wh.ID, sku: sku, quantity: c.quantity}, nil
	}
	var c cached
	err = b.queryRow(stLiveProduct, []any{wh.ID, sku}, &c.id, &c.quantity)
	if errors.Is(err, sql.ErrNoRows) {
		return stockRow{}, notFound(sku)
	}
	if err != nil {
		return stockRow{}, err
	}
	b.w.setProduct(sku, c)
	return stockRow{id: c.id, warehouse: wh.ID, sku: sku, quantity: c.quantity}, nil
}

// timestamp formats t as the driver stores a time.Time, so that a movement's
// two writes format it once.
func timestamp(t time.Time) string {
	return t.Format(sqlite3.SQLiteTimestampFormats[0])
}

// setQuantity stores a product's new stock and change sequence, stamped
// with a timestamp, in the database and the cache.
func (b *batch) setQuantity(p stockRow, balance, seq int64, stamp string) error {
	b.wrote = true
	if err := b.exec(stSetQuantity, balance, seq, stamp, p.id); err != nil {
		return err
	}
	b.w.setProduct(p.sku, cached{id: p.id, quantity: balance})
	return nil
}

// insertMovement appends mv, a movement of product id created at stamp
// (its CreatedAt as timestamp formats it), to the ledger, its reference,
// note and actor sealed.
func (b *batch) insertMovement(id int, mv *stock.Movement, fp, stamp string) error {
	var key any
	if mv.IdempotencyKey != "" {
		key = mv.IdempotencyKey
	}
	detail, err := detailOf(mv)
	if err != nil {
		return err
	}
	sm := b.s.sealMovement(b.sealer, mv)
	b.wrote = true
	return b.exec(stInsertMovement, mv.Warehouse, mv.Seq, id, mv.SKU, string(mv.Kind),
		mv.Quantity, mv.Balance, sm.reference, sm.note, sm.actor, key, fp, stamp,
		sm.referenceHash, sm.actorHash, detail)
}

// movementByKey returns the movement of the local warehouse recorded with
// key (storedKey of sent, the key as the client sent it), nil when there
// is none, or INVALID_INPUT when it was recorded for another request than
// req (recordedRequest's bytes of it, whose fingerprint is fp).
func (b *batch) movementByKey(key, sent string, req []byte, fp string) (*stock.Movement, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	seq, err := b.keySeq(wh.ID, key)
	if err == nil && seq == 0 && b.w.clearLookup(sent) {
		key = sent
		seq, err = b.keySeq(wh.ID, key)
	}
	if err != nil || seq == 0 {
		return nil, err
	}
	m := &stock.Movement{ID: stock.MovementID(wh.ID, seq), Warehouse: wh.ID, Seq: seq, IdempotencyKey: key}
	var stored string
	var detail sql.NullString
	err = b.queryRow(stMovementBySeq, []any{wh.ID, seq}, &m.SKU, &m.Kind,
		&m.Quantity, &m.Balance, &m.Reference, &m.Note, &m.Actor, &stored, &m.CreatedAt, &detail)
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading movement %d of idempotency key %q: %w", seq, sent, err)
	case stored != fp && !b.s.sameDigest(stored, req):
		return nil, stock.Errorf(stock.CodeInvalidInput,
			"idempotency key %q was used for a different request", sent)
	}
	m.CreatedAt = m.CreatedAt.UTC()
	if err := openDetail(m, detail); err != nil {
		return nil, err
	}
	if err := b.s.openMovement(m); err != nil {
		return nil, err
	}
	return m, nil
}
