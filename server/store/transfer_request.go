package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// The transfer requests this node knows (see stock.TransferRequest): one
// row per request, from the entries of both sides' logs. The requester's
// facts (the request, its cancellation) and the source's (acceptance or
// decline) are each set once, from entries of the warehouse that owns
// them; status is computed from them when read. Note, actor and reason
// are sealed, the fingerprint keyed (seal_request.go).
const createTransferRequests = `CREATE TABLE IF NOT EXISTS transfer_requests (
	id TEXT PRIMARY KEY,
	requester TEXT NOT NULL,
	source TEXT NOT NULL,
	sku TEXT NOT NULL,
	quantity INTEGER NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	actor TEXT NOT NULL DEFAULT '',
	idempotency_key TEXT,
	fingerprint TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	cancelled_at INTEGER,
	accepted_at INTEGER,
	declined_at INTEGER,
	reason TEXT NOT NULL DEFAULT '',
	transfer TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS transfer_requests_key ON transfer_requests (requester, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS transfer_requests_created ON transfer_requests (created_at, id)`

// requestColumns are the columns scanRequest reads, in its order.
const requestColumns = `id, requester, source, sku, quantity, note, actor, COALESCE(idempotency_key, ''), created_at,
	cancelled_at, accepted_at, declined_at, reason, transfer`

// initTransferRequests creates the transfer requests table.
func (s *Store) initTransferRequests(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createTransferRequests); err != nil {
		return fmt.Errorf("creating the transfer requests table: %w", err)
	}
	return nil
}

// registerRequests adds the handlers of transfer requests.
func registerRequests(r registry) {
	onChange(r, stock.OpRequestCreate, false, (*batch).createRequest)
	onChange(r, stock.OpRequestAccept, false, (*batch).acceptRequest)
	onChange(r, stock.OpRequestDecline, false, (*batch).declineRequest)
	onChange(r, stock.OpRequestCancel, false, (*batch).cancelRequest)
	onRead(r, stock.OpRequestGet, (*Store).getRequest)
	onRead(r, stock.OpRequestList, (*Store).listRequests)
}

// scanRequest reads a row of requestColumns, its sealed fields opened.
func (s *Store) scanRequest(r rowScanner) (*stock.TransferRequest, error) {
	var (
		q                             stock.TransferRequest
		created                       int64
		cancelled, accepted, declined sql.NullInt64
	)
	err := r.Scan(&q.ID, &q.To, &q.From, &q.SKU, &q.Quantity, &q.Note, &q.Actor, &q.IdempotencyKey, &created,
		&cancelled, &accepted, &declined, &q.Reason, &q.Transfer)
	if err != nil {
		return nil, err
	}
	q.CreatedAt = time.Unix(0, created).UTC()
	q.CancelledAt, q.AcceptedAt, q.DeclinedAt = timeOf(cancelled), timeOf(accepted), timeOf(declined)
	q.Status = q.StatusOf()
	if err := s.openRequest(&q); err != nil {
		return nil, err
	}
	return &q, nil
}

// recordRequest merges into the table the facts a request entry carries:
// the request itself when the row is new, then only what its origin owns
// (the requester: the cancellation; the source: its decision), each set
// once. Note, actor and reason are sealed with the batch's key.
func (b *batch) recordRequest(e *stock.LogEntry) error {
	r := e.TransferRequest
	b.wrote = true
	_, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO transfer_requests (id, requester, source, sku, quantity,
		note, actor, idempotency_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.To, r.From, r.SKU, r.Quantity, b.sealRequestField(r.ID, fieldNote, r.Note),
		b.sealRequestField(r.ID, fieldActor, r.Actor), nullable(r.IdempotencyKey), r.CreatedAt.UnixNano())
	switch {
	case err != nil:
	case e.Origin == r.To:
		_, err = b.wc.conn.ExecContext(b.ctx, `UPDATE transfer_requests SET cancelled_at = `+earliestCancel+`
			WHERE id = ?2`, nanos(r.CancelledAt), r.ID)
	case e.Origin == r.From:
		_, err = b.wc.conn.ExecContext(b.ctx, `UPDATE transfer_requests SET accepted_at = COALESCE(accepted_at, ?),
			declined_at = COALESCE(declined_at, ?),
			reason = CASE reason WHEN '' THEN ? ELSE reason END,
			transfer = CASE transfer WHEN '' THEN ? ELSE transfer END WHERE id = ?`,
			nanos(r.AcceptedAt), nanos(r.DeclinedAt), b.sealRequestField(r.ID, fieldReason, r.Reason), r.Transfer, r.ID)
	default:
		return stock.Errorf(stock.CodeInvalidInput, "transfer request %s is between %s and %s: %s has no say in it", r.ID, r.From, r.To, e.Origin)
	}
	if err != nil {
		return fmt.Errorf("recording transfer request %s: %w", r.ID, err)
	}
	for _, party := range []string{r.From, r.To} {
		at, err := b.leftAt(party)
		if err == nil && at != nil {
			err = b.cancelRequestsOf(party, *at, r.ID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// earliestCancel is the cancellation time a request keeps when given ?1:
// the earliest it has been given, whichever came first here (the
// requester's cancellation, the departure of either side), so that every
// node ends with the same.
const earliestCancel = `CASE WHEN ?1 IS NOT NULL AND (cancelled_at IS NULL OR cancelled_at > ?1) THEN ?1 ELSE cancelled_at END`

// cancelRequestsOf cancels, as of wh's departure at at, the requests
// to or from it that its source neither accepted nor declined (only the
// one with id, when id is not ""): a warehouse that left decides nothing
// more, and nothing can be sent to it. Derived on every node from the
// departure entry (and from a request entry that arrives after it), so
// the order in which the two logs arrive changes nothing.
func (b *batch) cancelRequestsOf(wh string, at time.Time, id string) error {
	b.wrote = true
	_, err := b.wc.conn.ExecContext(b.ctx, `UPDATE transfer_requests SET cancelled_at = `+earliestCancel+`
		WHERE (source = ?2 OR requester = ?2) AND (?3 = '' OR id = ?3) AND accepted_at IS NULL AND declined_at IS NULL`,
		at.UnixNano(), wh, id)
	if err != nil {
		return fmt.Errorf("cancelling the transfer requests of %s, which left: %w", wh, err)
	}
	return nil
}

// applyRequest applies a request entry of another warehouse's log.
func (b *batch) applyRequest(e *stock.LogEntry) error {
	if err := b.recordRequest(e); err != nil {
		return err
	}
	return b.appendLog(e)
}

// requestInTx returns the request with id as the writer's transaction sees
// it, or NOT_FOUND.
func (b *batch) requestInTx(id string) (*stock.TransferRequest, error) {
	r, err := b.s.scanRequest(b.wc.conn.QueryRowContext(b.ctx, `SELECT `+requestColumns+` FROM transfer_requests WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, requestNotFound(id)
	}
	return r, err
}

// requestNotFound is the error for a request this node does not know.
func requestNotFound(id string) error {
	return stock.Errorf(stock.CodeNotFound, "transfer request %s not found on this node (a request just made may not have reached it yet)", id)
}

// getRequest returns the request with id, or NOT_FOUND.
func (s *Store) getRequest(ctx context.Context, d *stock.RequestDecision) (*stock.TransferRequest, error) {
	r, err := s.scanRequest(s.rdb.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM transfer_requests WHERE id = ?`, d.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, requestNotFound(d.ID)
	}
	return r, err
}

// requestStatusSQL is stock.TransferRequest.StatusOf in SQL.
const requestStatusSQL = `CASE WHEN accepted_at IS NOT NULL THEN 'ACCEPTED' WHEN declined_at IS NOT NULL THEN 'DECLINED'
	WHEN cancelled_at IS NOT NULL THEN 'CANCELLED' ELSE 'OPEN' END`

// listRequests returns a page of the requests this node holds, newest
// first by creation time and id.
func (s *Store) listRequests(ctx context.Context, q *stock.TransferRequestQuery) (*stock.TransferRequestPage, error) {
	var where []string
	var args []any
	if q.Status != "" {
		where, args = append(where, requestStatusSQL+` = ?`), append(args, string(q.Status))
	}
	if q.Warehouse != "" {
		where, args = append(where, `(requester = ? OR source = ?)`), append(args, q.Warehouse, q.Warehouse)
	}
	if q.After != "" {
		at, id, _ := stock.DecodeRequestCursor(q.After)
		where, args = append(where, `(created_at, id) < (?, ?)`), append(args, at, id)
	}
	query := `SELECT ` + requestColumns + ` FROM transfer_requests`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	rows, err := s.rdb.QueryContext(ctx, query, append(args, q.First+1)...)
	if err != nil {
		return nil, fmt.Errorf("listing transfer requests: %w", err)
	}
	defer rows.Close()
	page := &stock.TransferRequestPage{Requests: []stock.TransferRequest{}}
	for rows.Next() {
		r, err := s.scanRequest(rows)
		if err != nil {
			return nil, fmt.Errorf("listing transfer requests: %w", err)
		}
		page.Requests = append(page.Requests, *r)
	}
	if len(page.Requests) > q.First {
		page.Requests, page.HasNext = page.Requests[:q.First], true
	}
	return page, rows.Err()
}
