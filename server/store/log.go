package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createLog creates the change log: every change of every warehouse this
// node holds, its own and (applied from their logs) the others', keyed by
// origin warehouse and gap-free seq. It is plain SQL rather than an ent
// schema because it is a WITHOUT ROWID table: one B-tree, appended to in
// key order. The values of an entry are stored once: data holds a product
// entry as stock.EncodeValue writes it, and is NULL for a movement, whose
// values are the ledger row with the same origin and seq, appended in the
// same transaction and never changed (readChanges joins them). That keeps
// a movement's log row to a few dozen bytes: the writer's commit pays for
// pages, and a copy of every movement in the log cost it a fifth more CPU
// per movement (BenchmarkHandleWrites). job is the key of the local job
// that appended the entry (NULL for entries applied from another
// warehouse), to tell whether a job whose reply was lost was applied.
const createLog = `CREATE TABLE IF NOT EXISTS change_log (
	origin TEXT NOT NULL,
	seq INTEGER NOT NULL,
	at INTEGER NOT NULL,
	type TEXT NOT NULL,
	job TEXT,
	data BLOB,
	PRIMARY KEY (origin, seq)
) WITHOUT ROWID`

// logged is a log entry appended by the batch, with its encoding: what is
// published once the batch commits.
type logged struct {
	e    *stock.LogEntry
	data []byte
	// held is, for a local movement, the units its product's active
	// reservations held right after it: published with the entry
	// (stock.LogEntry.Reserved), never stored or digested.
	held *int64
}

// appendLog appends e to the change log in the batch's transaction and
// queues it for publication. Entries of the local warehouse carry the
// running job's key.
func (b *batch) appendLog(e *stock.LogEntry) error {
	data, err := stock.EncodeValue(make([]byte, 0, 384), e)
	if err != nil {
		return fmt.Errorf("encoding log entry %s:%d: %w", e.Origin, e.Seq, err)
	}
	if err := b.insertLog(e, data); err != nil {
		return err
	}
	b.changes = append(b.changes, logged{e: e, data: data})
	return nil
}

// insertLog appends e, encoded as data, to the change log in the batch's
// transaction; a movement's data is not stored (its ledger row holds its
// values), and may be nil. Entries of the local warehouse carry the
// running job's key.
func (b *batch) insertLog(e *stock.LogEntry, data []byte) error {
	var job, stored any
	if b.meta.Key != "" && b.w.local != nil && e.Origin == b.w.local.ID {
		job = b.meta.Key
	}
	if s, err := b.storedData(e, data); err != nil {
		return err
	} else if s != nil {
		stored = s
	}
	b.wrote = true
	if err := b.exec(stInsertLog, e.Origin, e.Seq, e.At.UnixNano(), string(e.Type), job, stored); err != nil {
		return fmt.Errorf("appending log entry %s:%d: %w", e.Origin, e.Seq, err)
	}
	return nil
}

// lastSeq returns the last seq of origin's log held here, 0 for none.
func lastSeq(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, origin string) (int64, error) {
	var seq int64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE origin = ?`, origin).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("reading the last seq of %s: %w", origin, err)
	}
	return seq, nil
}

// readChanges returns a page of origin's log after q.AfterSeq, from one
// snapshot; ctx (the caller's deadline) interrupts a long read.
func (s *Store) readChanges(ctx context.Context, q *stock.ChangesQuery) (*stock.ChangePage, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	page := &stock.ChangePage{Entries: make([]stock.LogEntry, 0, min(q.Limit, 256))}
	if page.LastSeq, err = lastSeq(ctx, tx, q.Origin); err != nil {
		return nil, err
	}
	// The page ends at a signed head, so that the replica can verify it.
	var end int64
	if page.Proof, end, err = s.proof(ctx, tx, q.Origin, q.AfterSeq, q.Limit); err != nil {
		return nil, err
	}
	if page.Proof == nil {
		end = q.AfterSeq + int64(q.Limit)
	}
	rows, err := tx.QueryContext(ctx, selectLogRange, q.Origin, q.AfterSeq, end, end-q.AfterSeq)
	if err != nil {
		return nil, fmt.Errorf("reading the log of %s: %w", q.Origin, err)
	}
	defer rows.Close()
	for rows.Next() {
		page.Entries = append(page.Entries, stock.LogEntry{Origin: q.Origin})
		if err := s.scanEntry(rows, &page.Entries[len(page.Entries)-1]); err != nil {
			return nil, fmt.Errorf("reading a log entry of %s: %w", q.Origin, err)
		}
	}
	return page, rows.Err()
}

// selectLog selects a page of an origin's log, each movement entry with its
// ledger row.
const selectLog = `SELECT l.seq, l.at, l.type, l.data, m.sku, COALESCE(m.kind, ''), COALESCE(m.quantity, 0),
	COALESCE(m.balance, 0), COALESCE(m.reference, ''), COALESCE(m.note, ''), COALESCE(m.actor, ''),
	m.idempotency_key, m.created_at, m.detail
	FROM change_log l LEFT JOIN movements m ON m.warehouse_id = l.origin AND m.seq = l.seq
	WHERE l.origin = ? AND l.seq > ? ORDER BY l.seq LIMIT ?`

// scanEntry reads a row of selectLog into e, whose Origin is set, its
// sealed fields opened.
func (s *Store) scanEntry(rows *sql.Rows, e *stock.LogEntry) error {
	var (
		at   int64
		data []byte
		sku  sql.NullString
		key  sql.NullString
		made sql.NullTime
		det  sql.NullString
		m    stock.Movement
	)
	err := rows.Scan(&e.Seq, &at, &e.Type, &data, &sku, &m.Kind, &m.Quantity, &m.Balance,
		&m.Reference, &m.Note, &m.Actor, &key, &made, &det)
	if err != nil {
		return err
	}
	if e.Type != stock.EntryMovement {
		return s.decodeEntry(data, e)
	}
	if !sku.Valid {
		return fmt.Errorf("movement entry %d has no ledger row", e.Seq)
	}
	m.ID, m.Warehouse, m.Seq, m.SKU, m.IdempotencyKey = stock.MovementID(e.Origin, e.Seq), e.Origin, e.Seq, sku.String, key.String
	m.CreatedAt = made.Time.UTC()
	e.At, e.Movement = time.Unix(0, at).UTC(), &m
	if err := openDetail(&m, det); err != nil {
		return err
	}
	return s.openMovement(&m)
}

// headsQuery reads the last entry of every origin's log with one index
// seek per origin (the recursive CTE walks the distinct origins): a
// GROUP BY over change_log reads every entry, and the replicator reads the
// heads before every pull, so that made catching up quadratic in the log.
const headsQuery = `WITH RECURSIVE o(origin) AS (
		SELECT MIN(origin) FROM change_log
		UNION ALL
		SELECT (SELECT MIN(origin) FROM change_log WHERE origin > o.origin) FROM o WHERE o.origin IS NOT NULL)
	SELECT l.origin, l.seq, l.at, COALESCE(w.epoch, ''), h.digest, h.sig
		FROM o JOIN change_log l ON l.origin = o.origin
			AND l.seq = (SELECT MAX(seq) FROM change_log WHERE origin = o.origin)
		LEFT JOIN warehouses w ON w.id = l.origin
		LEFT JOIN log_heads h ON h.origin = l.origin AND h.seq = l.seq AND h.sig IS NOT NULL
		ORDER BY l.origin`

// heads returns the head of every log the node holds, the local one first.
func (s *Store) heads(ctx context.Context, _ *stock.Empty) (*stock.Heads, error) {
	rows, err := s.rdb.QueryContext(ctx, headsQuery)
	if err != nil {
		return nil, fmt.Errorf("reading log heads: %w", err)
	}
	defer rows.Close()
	out := &stock.Heads{}
	local := s.localID()
	for rows.Next() {
		var h stock.Head
		var at int64
		var digest sql.NullString
		var sig []byte
		if err := rows.Scan(&h.Origin, &h.LastSeq, &at, &h.Epoch, &digest, &sig); err != nil {
			return nil, err
		}
		if digest.Valid {
			h.Signed = &stock.SignedHead{Seq: h.LastSeq, Digest: digest.String, Sig: sig}
		}
		h.At = time.Unix(0, at).UTC()
		if h.Origin == local {
			out.Heads = append([]stock.Head{h}, out.Heads...)
		} else {
			out.Heads = append(out.Heads, h)
		}
	}
	return out, rows.Err()
}
