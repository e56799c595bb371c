package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// prep returns query prepared on the writer's connection, once per
// connection: a reservation's jobs run a handful of statements, and
// preparing them anew each time cost more than running them.
func (b *batch) prep(query string) (*sql.Stmt, error) {
	r := &b.s.held
	if r.conn != b.wc {
		for _, st := range r.stmts {
			st.Close()
		}
		r.conn, r.stmts = b.wc, map[string]*sql.Stmt{}
	}
	if st, ok := r.stmts[query]; ok {
		return st, nil
	}
	st, err := b.wc.conn.PrepareContext(b.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("preparing a reservation statement: %w", err)
	}
	r.stmts[query] = st
	return st, nil
}

// queryRowPrep runs the prepared query with args and scans its row.
func (b *batch) queryRowPrep(query string, args []any, dest ...any) error {
	st, err := b.prep(query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(b.ctx, args...).Scan(dest...)
}

// heldOf returns the units the active reservations of sku of the local
// warehouse hold, as the writer's transaction sees them.
func (b *batch) heldOf(warehouse, sku string) (int64, error) {
	var n int64
	if err := b.queryRowPrep(heldSQL, []any{warehouse, sku}, &n); err != nil {
		return 0, fmt.Errorf("reading the reserved stock of %s: %w", sku, err)
	}
	return n, nil
}

// heldAfter notes, on the movement of p the batch logged last, the units
// p's active reservations hold right after it (known: read already),
// published with its entry.
func (b *batch) heldAfter(p stockRow, known *int64) error {
	var held int64
	switch {
	case known != nil:
		held = *known
	case b.s.held.any:
		var err error
		if held, err = b.heldOf(p.warehouse, p.sku); err != nil {
			return err
		}
	}
	b.changes[len(b.changes)-1].held = &held
	return nil
}

// checkUnreserved refuses to take requested units of p that only units
// held by reservations would cover (a SALE not made against a
// reservation, a transfer), with INSUFFICIENT_STOCK saying what is in
// stock, reserved and available. Where no reservation may be active it
// reads nothing (see writerReservations); where none holds units of p,
// stock.Apply's own check stands. It returns the units held when it read
// them (a movement's entry carries them).
func (b *batch) checkUnreserved(p stockRow, requested int64) (*int64, error) {
	if !b.s.held.any {
		return nil, nil
	}
	held, err := b.heldOf(p.warehouse, p.sku)
	if err != nil {
		return nil, err
	}
	return &held, stock.Unreserved(p.sku, p.quantity, held, requested)
}

// reserveStock holds units of a product of the local warehouse for an
// order: a reservation row and its reservation.created entry. A repeated
// idempotency key returns the reservation it made.
func (b *batch) reserveStock(in *stock.ReserveStockInput) (*stock.Reservation, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	key, fp := storedKey(in.IdempotencyKey), ""
	if key != "" {
		fp = b.s.digest(reserveBytes(in))
		if r, err := b.reservationByKey(wh.ID, key, fp, in.IdempotencyKey); err != nil || r != nil {
			return r, err
		}
	}
	p, err := b.stockOf(in.SKU)
	if err != nil {
		return nil, err
	}
	held, err := b.heldOf(wh.ID, in.SKU)
	if err != nil {
		return nil, err
	}
	if err := stock.Unreserved(in.SKU, p.quantity, held, in.Quantity); err != nil {
		return nil, err
	}
	b.s.held.any = true
	seq, now := b.w.nextSeq(), b.now()
	r := &stock.Reservation{ID: stock.ReservationID(wh.ID, seq), Warehouse: wh.ID, SKU: in.SKU,
		Quantity: in.Quantity, Reference: in.Reference, Status: stock.ReservationActive, CreatedAt: now,
		IdempotencyKey: key, Balance: p.quantity, Reserved: held + in.Quantity}
	if in.ExpiresIn != nil {
		t := now.Add(time.Duration(*in.ExpiresIn) * time.Second)
		r.ExpiresAt = &t
	}
	return r, b.logReservation(stock.EntryReservationCreated, seq, r, fp)
}

// reserveBytes encodes what makes two reserveStock requests the same one.
func reserveBytes(in *stock.ReserveStockInput) []byte {
	buf := append([]byte("reserve\x00"+in.SKU+"\x00"), strconv.FormatInt(in.Quantity, 10)...)
	buf = append(append(buf, 0), in.Reference...)
	if in.ExpiresIn != nil {
		buf = strconv.AppendInt(append(buf, 0), *in.ExpiresIn, 10)
	}
	return buf
}

// reservationByKey returns the local reservation made with key (as
// stored), nil when there is none, or INVALID_INPUT when the key was used
// for another request than the one whose fingerprint is fp.
func (b *batch) reservationByKey(local, key, fp, sent string) (*stock.Reservation, error) {
	var id, stored string
	err := b.queryRowPrep(`SELECT id, fingerprint FROM reservations WHERE warehouse_id = ? AND idempotency_key = ?`,
		[]any{local, key}, &id, &stored)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("looking up reservation key %q: %w", sent, err)
	case stored != fp:
		return nil, stock.Errorf(stock.CodeInvalidInput, "idempotency key %q was used for a different request", sent)
	}
	return b.reservationInTx(id)
}

// reservationInTx returns the reservation with id as the writer's
// transaction sees it, or NOT_FOUND.
func (b *batch) reservationInTx(id string) (*stock.Reservation, error) {
	st, err := b.prep(`SELECT ` + reservationColumns + ` FROM reservations WHERE id = ?`)
	if err != nil {
		return nil, err
	}
	r, err := b.s.scanReservation(st.QueryRowContext(b.ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, reservationNotFound(id)
	}
	return r, err
}

// ownReservation returns the reservation with id for a change by the
// local warehouse, its owner; another warehouse's is FORBIDDEN, naming
// the node to ask.
func (b *batch) ownReservation(id string) (*stock.Reservation, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	r, err := b.reservationInTx(id)
	if err != nil {
		return nil, err
	}
	if r.Warehouse == wh.ID {
		return r, nil
	}
	e := stock.Errorf(stock.CodeForbidden, "reservation %s belongs to %s: only its node can change it", r.ID, r.Warehouse)
	e.Elsewhere = &stock.Elsewhere{Warehouse: r.Warehouse}
	if w, err := b.client().Warehouse.Get(b.ctx, r.Warehouse); err == nil {
		e.Elsewhere.Node = w.URL
	}
	return nil, e
}

// releaseReservation releases an active reservation of the local
// warehouse; one that ended is returned as it is.
func (b *batch) releaseReservation(ref *stock.ReservationRef) (*stock.Reservation, error) {
	r, err := b.ownReservation(ref.ID)
	if err != nil || r.Status != stock.ReservationActive {
		return r, err
	}
	return r, b.endReservation(r, stock.EntryReservationReleased)
}

// endReservation releases or expires r, an active reservation of the
// local warehouse, under the next seq.
func (b *batch) endReservation(r *stock.Reservation, typ stock.EntryType) error {
	quantity, held, err := b.stockAndHeld(r)
	if err != nil {
		return err
	}
	now := b.now()
	r.Status, r.EndedAt, r.Balance, r.Reserved = map[stock.EntryType]stock.ReservationStatus{
		stock.EntryReservationReleased: stock.ReservationReleased, stock.EntryReservationExpired: stock.ReservationExpired,
	}[typ], &now, quantity, held-r.Quantity
	return b.logReservation(typ, b.w.nextSeq(), r, "")
}

// stockAndHeld returns the stock of r's product (0 once deleted) and the
// units the active reservations of its sku hold, r's included.
func (b *batch) stockAndHeld(r *stock.Reservation) (quantity, held int64, err error) {
	p, err := b.stockOf(r.SKU)
	switch {
	case isNotFound(err):
	case err != nil:
		return 0, 0, err
	default:
		quantity = p.quantity
	}
	held, err = b.heldOf(r.Warehouse, r.SKU)
	return quantity, held, err
}

// fulfilReservation records the SALE of an active reservation of the
// local warehouse (all of it, or part, releasing the rest) and its
// reservation.fulfilled entry, in the job's savepoint: a sale the stock
// cannot cover changes nothing.
func (b *batch) fulfilReservation(in *stock.FulfilInput) (*stock.Reservation, error) {
	r, err := b.ownReservation(in.ID)
	if err != nil {
		return nil, err
	}
	switch r.Status {
	case stock.ReservationFulfilled:
		return r, nil
	case stock.ReservationReleased, stock.ReservationExpired:
		return nil, stock.Errorf(stock.CodeInvalidInput, "reservation %s was %s: it can no longer be fulfilled", r.ID, statusWord(r.Status))
	}
	sell := r.Quantity
	if in.Quantity != nil {
		if sell = *in.Quantity; sell > r.Quantity {
			return nil, stock.Errorf(stock.CodeInvalidInput, "quantity: %d is more than the %d units reservation %s holds", sell, r.Quantity, r.ID)
		}
	}
	p, err := b.stockOf(r.SKU)
	if err != nil {
		return nil, err
	}
	held, err := b.heldOf(r.Warehouse, r.SKU)
	if err != nil {
		return nil, err
	}
	ref := r.Reference
	if ref == "" {
		ref = r.ID
	}
	mv, err := b.move(p, movementInput{kind: stock.KindSale, delta: -sell, reference: ref, actor: b.meta.Actor, held: &held})
	if err != nil {
		return nil, err
	}
	r.Status, r.Fulfilled, r.Sale, r.EndedAt = stock.ReservationFulfilled, sell, mv.ID, &mv.CreatedAt
	r.Balance, r.Reserved = mv.Balance, held-r.Quantity
	return r, b.logReservation(stock.EntryReservationFulfilled, b.w.nextSeq(), r, "")
}

// releaseProduct releases every active reservation of sku of the local
// warehouse wh, oldest first, each with its reservation.released entry:
// the product is being deleted, and a sku created again later must not
// inherit what was held for the old one.
func (b *batch) releaseProduct(wh, sku string) error {
	if !b.s.held.any {
		return nil
	}
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT `+reservationColumns+` FROM reservations
		WHERE warehouse_id = ? AND sku = ? AND status = 'ACTIVE' ORDER BY created_at, id`, wh, sku)
	if err != nil {
		return fmt.Errorf("reading the reservations of %s: %w", sku, err)
	}
	var held []*stock.Reservation
	for rows.Next() {
		r, err := b.s.scanReservation(rows)
		if err != nil {
			rows.Close()
			return err
		}
		held = append(held, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range held {
		if err := b.endReservation(r, stock.EntryReservationReleased); err != nil {
			return fmt.Errorf("releasing reservation %s: %w", r.ID, err)
		}
	}
	return nil
}

// statusWord names an ended reservation's status in a message.
func statusWord(s stock.ReservationStatus) string {
	switch s {
	case stock.ReservationReleased:
		return "released"
	case stock.ReservationExpired:
		return "expired"
	}
	return "fulfilled"
}

// expireReservations expires the local warehouse's active reservations
// whose time is up, oldest expiry first; each is decided on the state the
// transaction reads, so it is expired once.
func (b *batch) expireReservations(in *stock.ExpireRequest) (*stock.Expired, error) {
	out := &stock.Expired{Reservations: []stock.Reservation{}}
	wh, err := b.localWarehouse()
	if err != nil || wh.Departed() || !b.s.held.any {
		return out, err
	}
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT `+reservationColumns+` FROM reservations
		WHERE warehouse_id = ? AND status = 'ACTIVE' AND expires_at IS NOT NULL AND expires_at <= ?
		ORDER BY expires_at, id LIMIT ?`, wh.ID, b.now().UnixNano(), in.Limit)
	if err != nil {
		return nil, fmt.Errorf("reading the reservations due to expire: %w", err)
	}
	var due []*stock.Reservation
	for rows.Next() {
		r, err := b.s.scanReservation(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		due = append(due, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range due {
		if err := b.endReservation(r, stock.EntryReservationExpired); err != nil {
			return nil, fmt.Errorf("expiring reservation %s: %w", r.ID, err)
		}
		out.Reservations = append(out.Reservations, *r)
	}
	var next sql.NullInt64
	err = b.wc.conn.QueryRowContext(b.ctx, `SELECT MIN(expires_at) FROM reservations
		WHERE warehouse_id = ? AND status = 'ACTIVE' AND expires_at IS NOT NULL`, wh.ID).Scan(&next)
	out.Next = nanoTime(next)
	return out, err
}

// logReservation stores r as it is after a change of the local warehouse
// and appends the change's entry under seq.
func (b *batch) logReservation(typ stock.EntryType, seq int64, r *stock.Reservation, fp string) error {
	e := &stock.LogEntry{Origin: r.Warehouse, Seq: seq, At: b.now(), Type: typ, Reservation: r, Actor: b.meta.Actor}
	if typ == stock.EntryReservationCreated {
		e.At = r.CreatedAt
	}
	if err := b.storeReservation(r, seq, fp); err != nil {
		return err
	}
	return b.appendLog(e)
}

// storeReservation inserts or updates the row of r, as of the entry seq,
// its reference sealed (only an insert writes it).
func (b *batch) storeReservation(r *stock.Reservation, seq int64, fp string) error {
	var key, expires, ended any
	if r.IdempotencyKey != "" {
		key = r.IdempotencyKey
	}
	if r.ExpiresAt != nil {
		expires = r.ExpiresAt.UnixNano()
	}
	if r.EndedAt != nil {
		ended = r.EndedAt.UnixNano()
	}
	st, err := b.prep(`INSERT INTO reservations (id, warehouse_id, sku, quantity, fulfilled,
		reference, status, created_at, expires_at, ended_at, sale, idempotency_key, fingerprint, seq)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
		ON CONFLICT (id) DO UPDATE SET fulfilled = ?5, status = ?7, ended_at = ?10, sale = ?11, seq = ?14`)
	if err != nil {
		return err
	}
	b.wrote = true
	_, err = st.ExecContext(b.ctx, r.ID, r.Warehouse, r.SKU, r.Quantity, r.Fulfilled, b.sealIf(r.Reference, reservationAD(r.ID)),
		string(r.Status), r.CreatedAt.UnixNano(),
		expires, ended, r.Sale, key, fp, seq)
	if err != nil {
		return fmt.Errorf("storing reservation %s: %w", r.ID, err)
	}
	return nil
}

// applyReservation applies a reservation entry of another warehouse to
// its replica here: the reservation as its origin left it. An entry that
// changes a reservation the replica does not hold, or one that ended, is
// refused as invalid.
func (b *batch) applyReservation(e *stock.LogEntry) error {
	r := e.Reservation
	if e.Type != stock.EntryReservationCreated {
		held, err := b.reservationInTx(r.ID)
		switch {
		case isNotFound(err):
			return stock.InvalidEntry(e, "reservation.id", "changes reservation %s, which the replica does not hold", r.ID)
		case err != nil:
			return err
		case held.Status != stock.ReservationActive:
			return stock.InvalidEntry(e, "reservation.status", "reservation %s ended already (%s)", r.ID, held.Status)
		}
	}
	fp := ""
	if r.IdempotencyKey != "" {
		fp = "replica"
	}
	if err := b.storeReservation(r, e.Seq, fp); err != nil {
		return err
	}
	if b.w.local == nil || r.Warehouse == b.w.local.ID { // a history being restored: its sales check what it holds
		b.s.held.any = true
	}
	return b.appendLog(e)
}

// withHeld wraps a product write so that the product it answers carries
// the units its active reservations hold, as a read of it would (a copy:
// the product logged never carries them).
func withHeld[Req any](fn func(*batch, *Req) (*stock.Product, error)) func(*batch, *Req) (*stock.Product, error) {
	return func(b *batch, req *Req) (*stock.Product, error) {
		p, err := fn(b, req)
		if err != nil || !b.s.held.any {
			return p, err
		}
		held, err := b.heldOf(p.Warehouse, p.SKU)
		if err != nil {
			return nil, err
		}
		out := *p
		out.Reserved = held
		return &out, nil
	}
}
