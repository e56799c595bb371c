package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createTransfers creates the transfers every node keeps, from the entries
// of both owners' logs (see stock.Transfer). Like change_log it is plain
// SQL: its rows are facts merged from two logs, each column set once by the
// owner of that fact, which ent's schema has no words for. Times are Unix
// nanoseconds; the status is derived from which facts are set (statusSQL).
const createTransfers = `CREATE TABLE IF NOT EXISTS transfers (
	id TEXT PRIMARY KEY,
	sender TEXT NOT NULL,
	receiver TEXT NOT NULL,
	sku TEXT NOT NULL,
	quantity INTEGER NOT NULL,
	reference TEXT NOT NULL,
	note TEXT NOT NULL,
	actor TEXT NOT NULL,
	idempotency_key TEXT,
	fingerprint TEXT NOT NULL,
	product BLOB,
	created_at INTEGER NOT NULL,
	out_movement TEXT NOT NULL,
	cancel_requested_at INTEGER,
	received_at INTEGER,
	in_movement TEXT,
	cancelled_at INTEGER,
	returned_at INTEGER,
	return_movement TEXT,
	cancel_requested_by TEXT NOT NULL DEFAULT '',
	cancelled_by TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS transfers_key ON transfers (sender, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS transfers_created ON transfers (created_at, id);
CREATE INDEX IF NOT EXISTS transfers_sku ON transfers (sku)`

// statusSQL is stock.Transfer.StatusOf in SQL.
const statusSQL = `CASE WHEN received_at IS NOT NULL THEN 'RECEIVED' WHEN cancelled_at IS NOT NULL THEN 'CANCELLED'
	WHEN cancel_requested_at IS NOT NULL THEN 'CANCEL_REQUESTED' ELSE 'IN_TRANSIT' END`

// transferColumns are the columns scanTransfer reads, in its order; the
// fingerprint is read by transferByKey alone.
const transferColumns = `id, sender, receiver, sku, quantity, reference, note, actor, COALESCE(idempotency_key, ''),
	product, created_at, out_movement, cancel_requested_at, received_at, COALESCE(in_movement, ''),
	cancelled_at, returned_at, COALESCE(return_movement, ''), cancel_requested_by, cancelled_by`

// initTransfers creates the transfers table, adding to one an older
// version made the columns it lacks.
func (s *Store) initTransfers(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createTransfers); err != nil {
		return fmt.Errorf("creating the transfers table: %w", err)
	}
	for _, column := range []string{"cancel_requested_by", "cancelled_by"} {
		var has int
		err := s.wdb.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('transfers') WHERE name = ?`, column).Scan(&has)
		if err == nil && has == 0 {
			_, err = s.wdb.ExecContext(ctx, `ALTER TABLE transfers ADD COLUMN `+column+` TEXT NOT NULL DEFAULT ''`)
		}
		if err != nil {
			return fmt.Errorf("adding transfers.%s: %w", column, err)
		}
	}
	return nil
}

// rowScanner is a *sql.Row or *sql.Rows.
type rowScanner interface{ Scan(dest ...any) error }

// scanTransfer reads a row of transferColumns, its sealed fields opened.
func (s *Store) scanTransfer(r rowScanner) (*stock.Transfer, error) {
	var (
		t                                        stock.Transfer
		product                                  []byte
		created                                  int64
		requested, received, cancelled, returned sql.NullInt64
	)
	err := r.Scan(&t.ID, &t.From, &t.To, &t.SKU, &t.Quantity, &t.Reference, &t.Note, &t.Actor, &t.IdempotencyKey,
		&product, &created, &t.OutMovement, &requested, &received, &t.InMovement,
		&cancelled, &returned, &t.ReturnMovement, &t.CancelRequestedBy, &t.CancelledBy)
	if err != nil {
		return nil, err
	}
	if len(product) > 0 {
		t.Product = new(stock.Product)
		if err := json.Unmarshal(product, t.Product); err != nil {
			return nil, fmt.Errorf("decoding the catalogue data of transfer %s: %w", t.ID, err)
		}
	}
	t.CreatedAt = time.Unix(0, created).UTC()
	t.CancelRequestedAt, t.ReceivedAt = timeOf(requested), timeOf(received)
	t.CancelledAt, t.ReturnedAt = timeOf(cancelled), timeOf(returned)
	t.Status = t.StatusOf()
	return &t, s.openTransfer(&t)
}

// timeOf converts a nullable Unix-nanosecond column.
func timeOf(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := time.Unix(0, n.Int64).UTC()
	return &t
}

// nanos converts an optional time for a nullable column.
func nanos(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixNano()
}

// nullable stores "" as NULL.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// recordTransfer merges into the transfers table the facts a transfer
// entry e carries: the transfer's own data when the row is new
// (reference, note and actor sealed, the fingerprint keyed by this node),
// then only what its origin owns (the sender: the cancel request and the
// return; the receiver: the receipt and the cancellation), each set once,
// with who asked for or made a cancellation (the entry's actor, sealed).
// An entry whose origin is neither side is refused.
func (b *batch) recordTransfer(e *stock.LogEntry) error {
	origin, t := e.Origin, e.Transfer
	var product any
	if t.Product != nil {
		data, err := json.Marshal(t.Product)
		if err != nil {
			return err
		}
		product = data
	}
	row := sealTransferRow(b.sealer, t)
	b.wrote = true
	err := b.exec(stInsertTransfer, t.ID, t.From, t.To, t.SKU, t.Quantity, row.reference, row.note, row.actor,
		nullable(t.IdempotencyKey), b.s.transferFingerprint(transferInputOf(t)), product, t.CreatedAt.UnixNano(), t.OutMovement)
	if err != nil {
		return fmt.Errorf("recording transfer %s: %w", t.ID, err)
	}
	switch {
	case origin == t.From && t.CancelRequestedAt == nil && t.ReturnedAt == nil,
		origin == t.To && t.ReceivedAt == nil && t.CancelledAt == nil:
		return nil // no fact of its origin's but the transfer itself
	case origin == t.From:
		err = b.exec(stTransferSenderFacts, nanos(t.CancelRequestedAt), nanos(t.ReturnedAt), nullable(t.ReturnMovement),
			b.sealCause(e, stock.EntryTransferCancelRequested, fieldCancelRequestedBy), t.ID)
	case origin == t.To:
		err = b.exec(stTransferReceiverFacts, nanos(t.ReceivedAt), nullable(t.InMovement), nanos(t.CancelledAt),
			b.sealCause(e, stock.EntryTransferCancelled, fieldCancelledBy), t.ID)
	default:
		return stock.Errorf(stock.CodeInvalidInput, "transfer %s is between %s and %s: %s has no say in it", t.ID, t.From, t.To, origin)
	}
	if err != nil {
		return fmt.Errorf("recording transfer %s: %w", t.ID, err)
	}
	return nil
}

// applyTransfer applies a transfer entry of another warehouse's log; a
// sender's entry of a transfer to a warehouse that left is cancelled by
// that departure (see cancelIfReceiverLeft).
func (b *batch) applyTransfer(e *stock.LogEntry) error {
	if err := b.recordTransfer(e); err != nil {
		return err
	}
	if e.Origin == e.Transfer.From {
		if err := b.cancelIfReceiverLeft(e.Transfer); err != nil {
			return err
		}
	}
	return b.appendLog(e)
}

// transferInTx returns the transfer with id as the writer's transaction
// sees it, or NOT_FOUND.
func (b *batch) transferInTx(id string) (*stock.Transfer, error) {
	t, err := b.s.scanTransfer(b.wc.conn.QueryRowContext(b.ctx, `SELECT `+transferColumns+` FROM transfers WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, transferNotFound(id)
	}
	return t, err
}

// transferNotFound is the error for a transfer this node does not know.
func transferNotFound(id string) error {
	return stock.Errorf(stock.CodeNotFound, "transfer %s not found on this node (a transfer just sent may not have reached it yet)", id)
}

// getTransfer returns the transfer with id, or NOT_FOUND.
func (s *Store) getTransfer(ctx context.Context, r *stock.TransferRef) (*stock.Transfer, error) {
	t, err := s.scanTransfer(s.rdb.QueryRowContext(ctx, `SELECT `+transferColumns+` FROM transfers WHERE id = ?`, r.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, transferNotFound(r.ID)
	}
	return t, err
}

// transfersByID returns the transfers with the ids that the node knows.
func (s *Store) transfersByID(ctx context.Context, q *stock.TransferIDs) (*stock.TransferPage, error) {
	ids, err := json.Marshal(q.IDs)
	if err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+transferColumns+` FROM transfers WHERE id IN (SELECT value FROM json_each(?))`, string(ids))
	if err != nil {
		return nil, fmt.Errorf("reading transfers: %w", err)
	}
	defer rows.Close()
	page := &stock.TransferPage{Transfers: []stock.Transfer{}}
	for rows.Next() {
		t, err := s.scanTransfer(rows)
		if err != nil {
			return nil, fmt.Errorf("reading transfers: %w", err)
		}
		page.Transfers = append(page.Transfers, *t)
	}
	return page, rows.Err()
}

// listTransfers returns a page of transfers, newest first.
func (s *Store) listTransfers(ctx context.Context, q *stock.TransferQuery) (*stock.TransferPage, error) {
	if q.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Warehouse); err != nil {
			return nil, err
		}
	}
	var at int64 = 1<<63 - 1
	id := ""
	if q.After != "" {
		var err error
		if at, id, err = stock.DecodeTransferCursor(q.After); err != nil {
			return nil, err
		}
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+transferColumns+` FROM transfers
		WHERE (?1 = '' OR sender = ?1 OR receiver = ?1) AND (?2 = '' OR `+statusSQL+` = ?2)
		AND (created_at < ?3 OR (created_at = ?3 AND ?4 != '' AND id < ?4))
		ORDER BY created_at DESC, id DESC LIMIT ?5`, q.Warehouse, string(q.Status), at, id, q.First+1)
	if err != nil {
		return nil, fmt.Errorf("listing transfers: %w", err)
	}
	defer rows.Close()
	page := &stock.TransferPage{Transfers: []stock.Transfer{}}
	for rows.Next() {
		t, err := s.scanTransfer(rows)
		if err != nil {
			return nil, fmt.Errorf("listing transfers: %w", err)
		}
		page.Transfers = append(page.Transfers, *t)
	}
	if len(page.Transfers) > q.First {
		page.Transfers, page.HasNext = page.Transfers[:q.First], true
	}
	return page, rows.Err()
}

// stock.Transfer.InTransit in SQL over the transfers table: the
// warehouse a transfer's units are on their way to (inTransitTo), for the
// transfers whose units are on their way (inTransitOpen).
const (
	inTransitTo   = `CASE WHEN cancelled_at IS NULL THEN receiver ELSE sender END`
	inTransitOpen = `received_at IS NULL AND returned_at IS NULL`
)

// inTransitSQL selects the units of a sku on their way to each warehouse.
const inTransitSQL = `SELECT ` + inTransitTo + `, SUM(quantity)
	FROM transfers WHERE sku = ? AND ` + inTransitOpen + ` GROUP BY 1`

// inTransit returns the units of sku on their way to each warehouse (see
// stock.Transfer.InTransit), as of one read of st, the prepared
// inTransitSQL.
func inTransit(ctx context.Context, st *sql.Stmt, sku string) (map[string]int64, error) {
	rows, err := st.QueryContext(ctx, sku)
	if err != nil {
		return nil, fmt.Errorf("reading the stock of %s in transit: %w", sku, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var wh string
		var n int64
		if err := rows.Scan(&wh, &n); err != nil {
			return nil, err
		}
		out[wh] = n
	}
	return out, rows.Err()
}

// addInTransit sets the units of sku in transit to each warehouse on its
// level, adding a level (quantity 0) for a warehouse that has units on
// their way but no live product of the sku.
func addInTransit(ctx context.Context, s *Store, sku string, out *stock.StockLevels, local string, now time.Time) error {
	moving, err := inTransit(ctx, s.transit, sku)
	if err != nil {
		return err
	}
	for i := range out.Levels {
		l := &out.Levels[i]
		l.InTransit = moving[l.Warehouse]
		delete(moving, l.Warehouse)
	}
	for wh, n := range moving {
		l := stock.StockLevel{Warehouse: wh, InTransit: n}
		if wh == local {
			l.AsOf = &now
		}
		out.Levels = append(out.Levels, l)
	}
	return nil
}
