package store

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Sealed fields of transfer requests. The transfer_requests table stores a
// request's note, who asked (actor) and the source's reason for declining
// sealed with the node's current key, bound to the row and the field
// (requestAD), as the reservations table does; request entries of the
// change log store the same fields sealed like a reservation entry's,
// bound to the entry's origin and seq (entryPromiseFields), under names of
// their own (entryRequestFields): the entry's own actor is bound to
// "actor" already. The log is read, published and digested in clear. The
// table's fingerprint of a keyed request is keyed (requestPrint).

// fieldReason is the source's reason for declining a request.
const fieldReason = "reason"

// requestAD returns the associated data of field of request id's row.
func requestAD(id, field string) string { return promiseAD("request", id, field) }

// requestFields returns the fields of r the table seals.
func requestFields(r *stock.TransferRequest) []sealedField {
	return []sealedField{{fieldNote, &r.Note}, {fieldActor, &r.Actor}, {fieldReason, &r.Reason}}
}

// entryRequestFields returns the fields of r a request entry of the
// change log seals, named "request.note", "request.actor" and
// "request.reason".
func entryRequestFields(r *stock.TransferRequest) []sealedField {
	fs := requestFields(r)
	for i := range fs {
		fs[i].name = "request." + fs[i].name
	}
	return fs
}

// sealRequestField returns v, field of request id's row, sealed with the
// batch's key; "" stays "".
func (b *batch) sealRequestField(id, field, v string) string {
	return b.sealIf(v, requestAD(id, field))
}

// openRequest replaces r's fields, as read from the table, with their
// clear text.
func (s *Store) openRequest(r *stock.TransferRequest) error {
	for _, f := range requestFields(r) {
		clear, err := s.openField(*f.v, requestAD(r.ID, f.name), f.name+" of transfer request "+r.ID)
		if err != nil {
			return err
		}
		*f.v = clear
	}
	return nil
}

// clearRequestPrint is what makes two requests under one idempotency key
// the same one, and what the table stored as their fingerprint before
// requests were sealed (it holds the note in clear).
func clearRequestPrint(in *stock.RequestTransferInput) string {
	return strconv.Quote(in.SKU) + strconv.Quote(in.From) + strconv.FormatInt(in.Quantity, 10) + strconv.Quote(in.Note)
}

// requestPrint is the keyed fingerprint of a request the table stores (see
// fingerprint).
func (s *Store) requestPrint(in *stock.RequestTransferInput) string {
	return s.digest([]byte(clearRequestPrint(in)))
}

// sameRequestPrint reports whether stored, a request's fingerprint (keyed,
// or clear in a database older than sealed requests), is in's.
func (s *Store) sameRequestPrint(stored string, in *stock.RequestTransferInput) bool {
	if strings.HasPrefix(stored, keyedPrefix) {
		return stored == s.requestPrint(in)
	}
	return stored == clearRequestPrint(in)
}

// requestPhase is the origin of the reseal pass's cursor once it went
// through the transfers: seq is then the rowid of the last request it
// went through.
const requestPhase = "\x7frequests"

// resealRequests reseals the note, actor and reason of the transfer
// requests after the rowid st.seq, and keys a clear fingerprint, reading
// at most limit rows; at the end it moves on to the reservations.
func (b *batch) resealRequests(st *sealState, limit int) (int, error) {
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT rowid, id, requester, source, sku, quantity, note, actor, reason,
		fingerprint <> '' AND substr(fingerprint, 1, 1) <> ?
		FROM transfer_requests WHERE rowid > ? ORDER BY rowid LIMIT ?`, keyedPrefix, st.seq, limit)
	if err != nil {
		return 0, fmt.Errorf("reading transfer requests to reseal: %w", err)
	}
	type row struct {
		rowid   int64
		r       stock.TransferRequest
		unkeyed bool
	}
	var todo []row
	n := 0
	for rows.Next() {
		var w row
		if err := rows.Scan(&w.rowid, &w.r.ID, &w.r.To, &w.r.From, &w.r.SKU, &w.r.Quantity, &w.r.Note, &w.r.Actor,
			&w.r.Reason, &w.unkeyed); err != nil {
			rows.Close()
			return 0, err
		}
		n, st.seq = n+1, w.rowid
		if w.unkeyed || b.stale(w.r.Note, w.r.Actor, w.r.Reason) {
			todo = append(todo, w)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, w := range todo {
		if err := b.s.openRequest(&w.r); err != nil {
			return 0, err
		}
		b.wrote = true
		_, err := b.wc.conn.ExecContext(b.ctx, `UPDATE transfer_requests SET note = ?, actor = ?, reason = ?,
			fingerprint = CASE WHEN ? THEN ? ELSE fingerprint END WHERE rowid = ?`,
			b.sealRequestField(w.r.ID, fieldNote, w.r.Note), b.sealRequestField(w.r.ID, fieldActor, w.r.Actor),
			b.sealRequestField(w.r.ID, fieldReason, w.r.Reason), w.unkeyed, b.s.requestPrint(&stock.RequestTransferInput{
				SKU: w.r.SKU, From: w.r.From, Quantity: w.r.Quantity, Note: w.r.Note}), w.rowid)
		if err != nil {
			return 0, fmt.Errorf("resealing transfer request %s: %w", w.r.ID, err)
		}
	}
	if n < limit {
		st.origin, st.seq = reservationPhase, 0
	}
	return n, nil
}
