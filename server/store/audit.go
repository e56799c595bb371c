package store

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createAudit creates the node's own audit log: changes that are not the
// warehouse's (token and network management), with who made them. It is
// local: never replicated, since tokens are the node's own. Changes of
// products and stock are the change log's entries, which carry their actor.
const createAudit = `CREATE TABLE IF NOT EXISTS audit_log (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	subject TEXT NOT NULL,
	detail TEXT NOT NULL
)`

// audit appends an entry by the running job's actor to the audit log, in
// the batch's transaction.
// Its actor and subject (which may name a token's holder) are sealed, bound
// to the entry's time, and the actor hashed for the auditLog filter.
func (b *batch) audit(action, subject, detail string) error {
	return b.auditBy(b.meta.Actor, action, subject, detail)
}

// auditBy is audit with another actor.
func (b *batch) auditBy(actor, action, subject, detail string) error {
	b.wrote = true
	at := b.now().UnixNano()
	sealedActor, sealedSubject, hash := b.sealAudit(at, actor, subject)
	_, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO audit_log (at, actor, action, subject, detail, actor_hash)
		VALUES (?, ?, ?, ?, ?, ?)`, at, sealedActor, action, sealedSubject, detail, hash)
	if err != nil {
		return fmt.Errorf("appending to the audit log: %w", err)
	}
	return nil
}

// sealAudit returns an audit entry's actor and subject sealed, bound to its
// time, and the actor's hash, as audit_log stores them.
func (b *batch) sealAudit(at int64, actor, subject string) (string, string, []byte) {
	return b.sealer.Seal(actor, sealAD(auditOrigin, at, fieldActor)),
		b.sealer.Seal(subject, sealAD(auditOrigin, at, fieldSubject)), b.s.keys.Hash(fieldActor, actor)
}

// auditQuery merges the local warehouse's change log (source 0: product
// entries carry their actor in their data, movements in their ledger row)
// (transfer entries their actor too, and the transfer's sku and id)
// with the audit log (source 1), newest first, from one position down.
// Actors are sealed: a filter compares their hashes where rows have one
// (movements, the audit log) and passes the others (product entries, rows
// of a database not yet resealed) to auditLog, which compares them opened.
const auditQuery = `SELECT at, src, n, actor, action, subject, detail FROM (
	SELECT l.at AS at, 0 AS src, l.seq AS n,
		CASE WHEN l.type = 'movement' THEN COALESCE(m.actor, '')
			ELSE COALESCE(json_extract(CAST(l.data AS TEXT), '$.actor'), '') END AS actor,
		CASE WHEN l.type = 'movement' THEN m.actor_hash END AS ahash,
		l.type AS action,
		CASE WHEN l.type = 'movement' THEN m.sku
			ELSE COALESCE(json_extract(CAST(l.data AS TEXT), '$.product.sku'),
				json_extract(CAST(l.data AS TEXT), '$.transfer.sku'),
				json_extract(CAST(l.data AS TEXT), '$.reservation.sku'),
				json_extract(CAST(l.data AS TEXT), '$.stocktake.id'),
				json_extract(CAST(l.data AS TEXT), '$.transferRequest.sku'), '') END AS subject,
		CASE WHEN l.type = 'movement' THEN m.kind || ' ' || m.quantity || ', balance ' || m.balance
			ELSE COALESCE(json_extract(CAST(l.data AS TEXT), '$.changed'),
				json_extract(CAST(l.data AS TEXT), '$.transfer.id'),
				json_extract(CAST(l.data AS TEXT), '$.reservation.id'),
				json_extract(CAST(l.data AS TEXT), '$.stocktake.status'),
				json_extract(CAST(l.data AS TEXT), '$.transferRequest.id'), '') END AS detail
	FROM change_log l LEFT JOIN movements m ON m.warehouse_id = l.origin AND m.seq = l.seq
	WHERE l.origin = ?1
	UNION ALL
	SELECT at, 1, id, actor, actor_hash, action, subject, detail FROM audit_log)
WHERE (at, src, n) < (?2, ?3, ?4) AND at >= ?5 AND at < ?6
	AND (?7 IS NULL OR ahash = ?7 OR (ahash IS NULL AND actor <> ''))
ORDER BY at DESC, src DESC, n DESC LIMIT ?8`

// auditLog returns a page of the audit log, newest first; a long read,
// since a filter by actor may scan the whole log.
func (s *Store) auditLog(ctx context.Context, q *stock.AuditQuery) (*stock.AuditPage, error) {
	pos := stock.AuditPos{At: math.MaxInt64, Source: math.MaxInt32, N: math.MaxInt64}
	if q.After != "" {
		pos, _ = stock.DecodeAuditCursor(q.After) // Normalize checked it
	}
	from, to := int64(math.MinInt64), int64(math.MaxInt64)
	if q.From != nil {
		from = q.From.UnixNano()
	}
	if q.To != nil {
		to = q.To.UnixNano()
	}
	limit := q.First + 1
	if q.Actor != "" {
		limit = -1 // rows without a hash are compared here
	}
	rows, err := s.rdb.QueryContext(ctx, auditQuery, s.localID(), pos.At, pos.Source, pos.N, from, to,
		s.keys.Hash(fieldActor, q.Actor), limit)
	if err != nil {
		return nil, fmt.Errorf("reading the audit log: %w", err)
	}
	defer rows.Close()
	page := &stock.AuditPage{Entries: []stock.AuditEntry{}}
	for rows.Next() {
		var p stock.AuditPos
		var e stock.AuditEntry
		if err := rows.Scan(&p.At, &p.Source, &p.N, &e.Actor, &e.Action, &e.Subject, &e.Detail); err != nil {
			return nil, fmt.Errorf("reading the audit log: %w", err)
		}
		if err := s.openAudit(p, &e); err != nil {
			return nil, err
		}
		if q.Actor != "" && e.Actor != q.Actor {
			continue
		}
		if len(page.Entries) == q.First {
			page.HasNext = true
			break
		}
		e.At, e.Cursor = time.Unix(0, p.At).UTC(), stock.AuditCursor(p)
		e.ID = auditID(s.localID(), p)
		e.Detail = strings.Trim(strings.ReplaceAll(e.Detail, `"`, ""), "[]")
		page.Entries = append(page.Entries, e)
	}
	return page, rows.Err()
}

// auditID names an entry: a change's id (WAREHOUSE:seq, a movement's id)
// or audit:N.
func auditID(local string, p stock.AuditPos) string {
	if p.Source == 0 {
		return stock.MovementID(local, p.N)
	}
	return fmt.Sprintf("audit:%d", p.N)
}
