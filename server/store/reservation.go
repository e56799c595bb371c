package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createReservations creates the reservations every node keeps: its own
// warehouse's, written by its writer, and the replicas', applied from
// their logs (see stock.Reservation). Like transfers it is plain SQL.
// Times are Unix nanoseconds. The units a product holds for orders are
// the sum of its ACTIVE rows, read through reservations_active: never a
// counter kept beside the quantity.
const createReservations = `CREATE TABLE IF NOT EXISTS reservations (
	id TEXT PRIMARY KEY,
	warehouse_id TEXT NOT NULL,
	sku TEXT NOT NULL,
	quantity INTEGER NOT NULL,
	fulfilled INTEGER NOT NULL DEFAULT 0,
	reference TEXT NOT NULL DEFAULT '', -- sealed (seal_promise.go)
	status TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER,
	ended_at INTEGER,
	sale TEXT NOT NULL DEFAULT '',
	idempotency_key TEXT,
	fingerprint TEXT NOT NULL DEFAULT '',
	seq INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS reservations_key ON reservations (warehouse_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS reservations_active ON reservations (warehouse_id, sku, created_at) WHERE status = 'ACTIVE';
CREATE INDEX IF NOT EXISTS reservations_expiry ON reservations (warehouse_id, expires_at) WHERE status = 'ACTIVE' AND expires_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS reservations_created ON reservations (created_at, id)`

// heldSQL is the units the active reservations of a warehouse (?1) and sku
// (?2) hold.
const heldSQL = `SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE warehouse_id = ?1 AND sku = ?2 AND status = 'ACTIVE'`

// reservedColumn is heldSQL as a column of a query over products p.
const reservedColumn = `(SELECT COALESCE(SUM(r.quantity), 0) FROM reservations r
	WHERE r.warehouse_id = p.warehouse_id AND r.sku = p.sku AND r.status = 'ACTIVE')`

// reservationColumns are the columns scanReservation reads.
const reservationColumns = `id, warehouse_id, sku, quantity, fulfilled, reference, status, created_at,
	expires_at, ended_at, sale, COALESCE(idempotency_key, ''), fingerprint`

// initReservations creates the reservations table and notes whether the
// local warehouse holds any active reservation (see writerReservations).
func (s *Store) initReservations(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createReservations); err != nil {
		return fmt.Errorf("creating the reservations table: %w", err)
	}
	var n int
	err := s.wdb.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM reservations r
		JOIN warehouses w ON w.id = r.warehouse_id AND w.local WHERE r.status = 'ACTIVE' LIMIT 1)`).Scan(&n)
	if err != nil {
		return fmt.Errorf("reading the active reservations: %w", err)
	}
	s.held.any = n > 0
	return nil
}

// writerReservations is what the writer knows of reservations besides the
// database: whether the local warehouse may hold any active one. It is
// only ever set (creating a reservation sets it, even in a job that fails)
// and read at start, so it may say "maybe" when there is none, never
// "none" when there is one: a sale checks the units others hold only when
// some may, and costs nothing more where reservations are not used.
type writerReservations struct {
	any bool
	// stmts are the reservations' statements prepared on conn, the
	// writer's connection (prep).
	conn  *writerConn
	stmts map[string]*sql.Stmt
}

// scanReservation reads a row of reservationColumns, its reference
// opened.
func (s *Store) scanReservation(row interface{ Scan(...any) error }) (*stock.Reservation, error) {
	var r stock.Reservation
	var created int64
	var expires, ended sql.NullInt64
	if err := row.Scan(&r.ID, &r.Warehouse, &r.SKU, &r.Quantity, &r.Fulfilled, &r.Reference, &r.Status,
		&created, &expires, &ended, &r.Sale, &r.IdempotencyKey, new(string)); err != nil {
		return nil, err
	}
	r.CreatedAt = time.Unix(0, created).UTC()
	r.ExpiresAt, r.EndedAt = nanoTime(expires), nanoTime(ended)
	var err error
	r.Reference, err = s.openField(r.Reference, reservationAD(r.ID), "reference of reservation "+r.ID)
	return &r, err
}

// nanoTime converts a nullable Unix-nanosecond column.
func nanoTime(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(0, n.Int64).UTC()
	return &t
}

// reservationNotFound is the error for a reservation this node does not hold.
func reservationNotFound(id string) error {
	return stock.Errorf(stock.CodeNotFound, "reservation %s not found on this node (one just made elsewhere may not have reached it yet)", id)
}

// getReservation returns the reservation with id, or NOT_FOUND.
func (s *Store) getReservation(ctx context.Context, q *stock.ReservationRef) (*stock.Reservation, error) {
	r, err := s.scanReservation(s.rdb.QueryRowContext(ctx, `SELECT `+reservationColumns+` FROM reservations WHERE id = ?`, q.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, reservationNotFound(q.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading reservation %s: %w", q.ID, err)
	}
	return r, s.markAtRisk(ctx, s.rdb, r)
}

// listReservations returns a page of reservations, newest first, those
// the stock no longer covers marked at risk.
func (s *Store) listReservations(ctx context.Context, q *stock.ReservationQuery) (*stock.ReservationPage, error) {
	if q.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Warehouse); err != nil {
			return nil, err
		}
	}
	var at int64 = 1<<63 - 1
	id := ""
	if q.After != "" {
		var err error
		if at, id, err = stock.DecodeReservationCursor(q.After); err != nil {
			return nil, err
		}
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+reservationColumns+` FROM reservations
		WHERE (?1 = '' OR warehouse_id = ?1) AND (?2 = '' OR status = ?2) AND (?3 = '' OR sku = ?3)
		AND (created_at < ?4 OR (created_at = ?4 AND ?5 != '' AND id < ?5))
		ORDER BY created_at DESC, id DESC LIMIT ?6`, q.Warehouse, string(q.Status), q.SKU, at, id, q.First+1)
	if err != nil {
		return nil, fmt.Errorf("listing reservations: %w", err)
	}
	defer rows.Close()
	page := &stock.ReservationPage{Reservations: []stock.Reservation{}}
	for rows.Next() {
		r, err := s.scanReservation(rows)
		if err != nil {
			return nil, fmt.Errorf("listing reservations: %w", err)
		}
		page.Reservations = append(page.Reservations, *r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Reservations) > q.First {
		page.Reservations, page.HasNext = page.Reservations[:q.First], true
	}
	for i := range page.Reservations {
		if err := s.markAtRisk(ctx, tx, &page.Reservations[i]); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// markAtRisk marks r at risk when it is active and the stock no longer
// covers it: a product's reservations are served oldest first, so one is
// at risk when the stock is below the units held by it and those made
// before it.
func (s *Store) markAtRisk(ctx context.Context, q querier, r *stock.Reservation) error {
	if r.Status != stock.ReservationActive {
		return nil
	}
	var quantity, before int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE((SELECT quantity FROM products
		WHERE warehouse_id = ?1 AND sku = ?2 AND deleted_at IS NULL), 0),
		(SELECT COALESCE(SUM(quantity), 0) FROM reservations WHERE warehouse_id = ?1 AND sku = ?2
			AND status = 'ACTIVE' AND (created_at < ?3 OR (created_at = ?3 AND id <= ?4)))`,
		r.Warehouse, r.SKU, r.CreatedAt.UnixNano(), r.ID).Scan(&quantity, &before)
	if err != nil {
		return fmt.Errorf("checking reservation %s: %w", r.ID, err)
	}
	r.AtRisk = quantity < before
	return nil
}

// fillReserved sets the Reserved of each product of warehouse wh, in one
// query.
func (s *Store) fillReserved(ctx context.Context, wh string, ps []stock.Product) error {
	if len(ps) == 0 {
		return nil
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT sku, SUM(quantity) FROM reservations
		WHERE warehouse_id = ? AND status = 'ACTIVE' GROUP BY sku`, wh)
	if err != nil {
		return fmt.Errorf("reading the reserved stock of %s: %w", wh, err)
	}
	defer rows.Close()
	held := map[string]int64{}
	for rows.Next() {
		var sku string
		var n int64
		if err := rows.Scan(&sku, &n); err != nil {
			return err
		}
		held[sku] = n
	}
	for i := range ps {
		ps[i].Reserved = held[ps[i].SKU]
	}
	return rows.Err()
}
