package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createStocktakes creates the stocktakes every node keeps (its own
// warehouse's, written by its writer, and the replicas', applied from
// their logs) and their lines. Plain SQL, times in Unix nanoseconds. A
// line is open while its stocktake is: the unique index keeps a sku in one
// open stocktake of its warehouse at a time.
const createStocktakes = `CREATE TABLE IF NOT EXISTS stocktakes (
	id TEXT PRIMARY KEY,
	warehouse_id TEXT NOT NULL,
	status TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '', -- sealed (seal_promise.go)
	created_at INTEGER NOT NULL,
	finalized_at INTEGER,
	ended_at INTEGER,
	variance_value INTEGER NOT NULL DEFAULT 0,
	seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stocktakes_created ON stocktakes (created_at, id);
CREATE TABLE IF NOT EXISTS stocktake_lines (
	stocktake_id TEXT NOT NULL,
	warehouse_id TEXT NOT NULL,
	sku TEXT NOT NULL,
	snapshot INTEGER NOT NULL,
	snapshot_seq INTEGER NOT NULL,
	counted INTEGER,
	expected INTEGER,
	counted_at INTEGER,
	counted_by TEXT, -- sealed (seal_promise.go)
	open INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (stocktake_id, sku)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS stocktake_lines_open ON stocktake_lines (warehouse_id, sku) WHERE open = 1`

// initStocktakes creates the stocktake tables.
func (s *Store) initStocktakes(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createStocktakes); err != nil {
		return fmt.Errorf("creating the stocktake tables: %w", err)
	}
	return nil
}

// stocktakeColumns are the columns scanStocktake reads.
const stocktakeColumns = `id, warehouse_id, status, note, created_at, finalized_at, ended_at, variance_value`

// lineColumns are the columns scanLine reads, of stocktake_lines l, with
// the live product's price.
const lineColumns = `l.sku, l.snapshot, l.snapshot_seq, l.counted, l.expected, l.counted_at, l.counted_by,
	COALESCE((SELECT p.price FROM products p WHERE p.warehouse_id = l.warehouse_id AND p.sku = l.sku AND p.deleted_at IS NULL), 0)`

// scanStocktake reads a row of stocktakeColumns, its note opened.
func (s *Store) scanStocktake(row interface{ Scan(...any) error }) (*stock.Stocktake, error) {
	var st stock.Stocktake
	var created, value int64
	var finalized, ended sql.NullInt64
	if err := row.Scan(&st.ID, &st.Warehouse, &st.Status, &st.Note, &created, &finalized, &ended, &value); err != nil {
		return nil, err
	}
	st.CreatedAt = time.Unix(0, created).UTC()
	st.FinalizedAt, st.EndedAt, st.VarianceValue = nanoTime(finalized), nanoTime(ended), stock.Amount(value)
	var err error
	st.Note, err = s.openField(st.Note, stocktakeNoteAD(st.ID), "note of stocktake "+st.ID)
	return &st, err
}

// scanLine reads a row of lineColumns of stocktake id, who counted it
// opened.
func (s *Store) scanLine(id string, row interface{ Scan(...any) error }) (stock.StocktakeLine, error) {
	var l stock.StocktakeLine
	var counted, expected, at sql.NullInt64
	var by sql.NullString
	var price int64
	if err := row.Scan(&l.SKU, &l.Snapshot, &l.SnapshotSeq, &counted, &expected, &at, &by, &price); err != nil {
		return l, err
	}
	if counted.Valid {
		who, err := s.openField(by.String, lineAD(id, l.SKU), "counter of "+l.SKU+" in stocktake "+id)
		if err != nil {
			return l, err
		}
		c, x := counted.Int64, expected.Int64
		l.Counted, l.Expected, l.CountedBy = &c, &x, &who
	}
	l.CountedAt, l.Price = nanoTime(at), stock.Price(price)
	return l, nil
}

// stocktakeNotFound is the error for a stocktake this node does not hold.
func stocktakeNotFound(id string) error {
	return stock.Errorf(stock.CodeNotFound, "stocktake %s not found on this node", id)
}

// readStocktake reads stocktake id with its lines through q, or NOT_FOUND.
func (s *Store) readStocktake(ctx context.Context, q querier, id string) (*stock.Stocktake, error) {
	st, err := s.scanStocktake(q.QueryRowContext(ctx, `SELECT `+stocktakeColumns+` FROM stocktakes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, stocktakeNotFound(id)
	}
	if err != nil {
		return nil, fmt.Errorf("reading stocktake %s: %w", id, err)
	}
	if st.Lines, err = s.readLines(ctx, q, id); err != nil {
		return nil, err
	}
	if st.Status != stock.StocktakeFinalized {
		st.VarianceValue = stock.VarianceValueOf(st.Lines)
	}
	return st, nil
}

// readLines reads the lines of stocktake id, by sku.
func (s *Store) readLines(ctx context.Context, q querier, id string) ([]stock.StocktakeLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+lineColumns+` FROM stocktake_lines l WHERE l.stocktake_id = ? ORDER BY l.sku`, id)
	if err != nil {
		return nil, fmt.Errorf("reading the lines of stocktake %s: %w", id, err)
	}
	defer rows.Close()
	lines := []stock.StocktakeLine{}
	for rows.Next() {
		l, err := s.scanLine(id, rows)
		if err != nil {
			return nil, fmt.Errorf("reading the lines of stocktake %s: %w", id, err)
		}
		lines = append(lines, l)
	}
	return lines, rows.Err()
}

// getStocktake returns the stocktake with id and its lines, or NOT_FOUND.
func (s *Store) getStocktake(ctx context.Context, r *stock.StocktakeRef) (*stock.Stocktake, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return s.readStocktake(ctx, tx, r.ID)
}

// listStocktakes returns a page of stocktakes, newest first, with their
// lines, in one read transaction.
func (s *Store) listStocktakes(ctx context.Context, q *stock.StocktakeQuery) (*stock.StocktakePage, error) {
	if q.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Warehouse); err != nil {
			return nil, err
		}
	}
	var at int64 = 1<<63 - 1
	id := ""
	if q.After != "" {
		var err error
		if at, id, err = stock.DecodeStocktakeCursor(q.After); err != nil {
			return nil, err
		}
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id FROM stocktakes
		WHERE (?1 = '' OR warehouse_id = ?1) AND (?2 = '' OR status = ?2)
		AND (created_at < ?3 OR (created_at = ?3 AND ?4 != '' AND id < ?4))
		ORDER BY created_at DESC, id DESC LIMIT ?5`, q.Warehouse, string(q.Status), at, id, q.First+1)
	if err != nil {
		return nil, fmt.Errorf("listing stocktakes: %w", err)
	}
	var ids []string
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	page := &stock.StocktakePage{Stocktakes: []stock.Stocktake{}}
	if len(ids) > q.First {
		ids, page.HasNext = ids[:q.First], true
	}
	for _, x := range ids {
		st, err := s.readStocktake(ctx, tx, x)
		if err != nil {
			return nil, err
		}
		page.Stocktakes = append(page.Stocktakes, *st)
	}
	return page, nil
}
