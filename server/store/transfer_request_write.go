package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createRequest records a request of the local warehouse for stock of
// another (transfer_request.created). A repeated idempotency key returns
// the request it made (another request with it is INVALID_INPUT). A
// source that is the local warehouse is INVALID_INPUT, one that is not a
// member NOT_FOUND, one that left the network INVALID_INPUT saying so.
func (b *batch) createRequest(in *stock.RequestTransferInput) (*stock.TransferRequest, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	key := storedKey(in.IdempotencyKey)
	if key != "" {
		var id, stored string
		err := b.wc.conn.QueryRowContext(b.ctx, `SELECT id, fingerprint FROM transfer_requests
			WHERE requester = ? AND idempotency_key = ?`, wh.ID, key).Scan(&id, &stored)
		switch {
		case err == nil && !b.s.sameRequestPrint(stored, in):
			return nil, stock.Errorf(stock.CodeInvalidInput, "idempotency key %q was used for a different request", in.IdempotencyKey)
		case err == nil:
			return b.requestInTx(id)
		case !errors.Is(err, sql.ErrNoRows):
			return nil, fmt.Errorf("looking up request key %q: %w", in.IdempotencyKey, err)
		}
	}
	if err := b.checkSource(wh.ID, in.From); err != nil {
		return nil, err
	}
	seq := b.w.nextSeq()
	r := &stock.TransferRequest{ID: stock.TransferRequestID(wh.ID, seq), SKU: in.SKU, Quantity: in.Quantity,
		From: in.From, To: wh.ID, Note: in.Note, Actor: b.meta.Actor, IdempotencyKey: key, CreatedAt: b.now()}
	if err := b.logRequest(stock.EntryRequestCreated, r, seq); err != nil {
		return nil, err
	}
	if key != "" {
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE transfer_requests SET fingerprint = ? WHERE id = ?`, b.s.requestPrint(in), r.ID); err != nil {
			return nil, fmt.Errorf("recording request key %q: %w", in.IdempotencyKey, err)
		}
	}
	return r, nil
}

// checkSource refuses a request of the local warehouse's own stock, one of
// a warehouse that is not a member (NOT_FOUND), and one of a warehouse
// that left the network (INVALID_INPUT, saying when).
func (b *batch) checkSource(local, from string) error {
	if from == local {
		return stock.Errorf(stock.CodeInvalidInput, "from: a request asks another warehouse, not %s itself", from)
	}
	var departed sql.NullTime
	err := b.queryRow(stWarehouseDeparted, []any{from}, &departed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e := stock.Errorf(stock.CodeNotFound, "warehouse %s is not a member of this network: requests go to members only", from)
		e.Elsewhere = &stock.Elsewhere{Warehouse: from}
		return e
	case err != nil:
		return fmt.Errorf("looking up warehouse %s: %w", from, err)
	case departed.Valid:
		return stock.Errorf(stock.CodeInvalidInput, "from: warehouse %s left the network on %s: requests go to members only",
			from, stock.FormatDeparture(departed.Time))
	}
	return nil
}

// logRequest appends a request entry of the local warehouse at seq with r
// as it is now, and merges it into the table.
func (b *batch) logRequest(typ stock.EntryType, r *stock.TransferRequest, seq int64) error {
	r.Status = r.StatusOf()
	e := &stock.LogEntry{Origin: b.w.local.ID, Seq: seq, At: b.now(), Type: typ, TransferRequest: r, Actor: b.meta.Actor}
	if err := b.appendLog(e); err != nil {
		return err
	}
	return b.recordRequest(e)
}

// ownRequest returns the request d names, read in the writer's
// transaction, which the local warehouse decides (as its source) or may
// cancel (as its requester); FORBIDDEN, naming the warehouse that may,
// otherwise.
func (b *batch) ownRequest(id string, source bool) (*stock.TransferRequest, error) {
	r, err := b.requestInTx(id)
	if err != nil {
		return nil, err
	}
	who, what := r.To, "cancelled by its requester"
	if source {
		who, what = r.From, "decided by its source"
	}
	if who != b.w.local.ID {
		e := stock.Errorf(stock.CodeForbidden, "transfer request %s is %s, %s: make this change there", r.ID, what, who)
		e.Elsewhere = &stock.Elsewhere{Warehouse: who}
		return nil, e
	}
	return r, nil
}

// decidable reports whether the source may still decide r: false with no
// error when it already took the decision want (the caller returns r as
// it is), and INVALID_INPUT when it took the other or the requester
// cancelled.
func decidable(r *stock.TransferRequest, want stock.TransferRequestStatus) (bool, error) {
	switch r.Status {
	case stock.RequestOpen:
		return true, nil
	case want:
		return false, nil
	case stock.RequestCancelled:
		return false, stock.Errorf(stock.CodeInvalidInput, "transfer request %s was cancelled by %s", r.ID, r.To)
	}
	return false, stock.Errorf(stock.CodeInvalidInput, "transfer request %s is already %s", r.ID, r.Status)
}

// acceptRequest accepts a request the local warehouse is the source of:
// it sends the transfer (of d.Quantity units, at most those asked; nil:
// all), with the request's id as its reference, and records the
// acceptance, in the job's transaction. An accepted request is returned
// as it is: accepting twice never sends two transfers.
func (b *batch) acceptRequest(d *stock.RequestDecision) (*stock.TransferRequest, error) {
	r, err := b.ownRequest(d.ID, true)
	if err != nil {
		return nil, err
	}
	if ok, err := decidable(r, stock.RequestAccepted); !ok {
		return r, err
	}
	qty := r.Quantity
	if d.Quantity != nil {
		if *d.Quantity > r.Quantity {
			return nil, stock.Errorf(stock.CodeInvalidInput, "quantity: %d is more than the %d transfer request %s asks for", *d.Quantity, r.Quantity, r.ID)
		}
		qty = *d.Quantity
	}
	t, err := b.sendTransfer(&stock.TransferInput{SKU: r.SKU, To: r.To, Quantity: qty, Reference: r.ID, Note: r.Note})
	if err != nil {
		return nil, err
	}
	now := b.now()
	r.AcceptedAt, r.Transfer = &now, t.ID
	return r, b.logRequest(stock.EntryRequestAccepted, r, b.w.nextSeq())
}

// declineRequest declines a request the local warehouse is the source of,
// with d's reason. A declined request is returned as it is.
func (b *batch) declineRequest(d *stock.RequestDecision) (*stock.TransferRequest, error) {
	r, err := b.ownRequest(d.ID, true)
	if err != nil {
		return nil, err
	}
	if ok, err := decidable(r, stock.RequestDeclined); !ok {
		return r, err
	}
	now := b.now()
	r.DeclinedAt, r.Reason = &now, d.Reason
	return r, b.logRequest(stock.EntryRequestDeclined, r, b.w.nextSeq())
}

// cancelRequest cancels a request of the local warehouse while it is OPEN
// as this node sees it; a cancelled one is returned as it is, a decided
// one is INVALID_INPUT. (A source that decided before it saw the
// cancellation wins: see stock.TransferRequest.)
func (b *batch) cancelRequest(d *stock.RequestDecision) (*stock.TransferRequest, error) {
	r, err := b.ownRequest(d.ID, false)
	if err != nil {
		return nil, err
	}
	switch r.Status {
	case stock.RequestCancelled:
		return r, nil
	case stock.RequestAccepted, stock.RequestDeclined:
		return nil, stock.Errorf(stock.CodeInvalidInput, "transfer request %s is already %s by %s", r.ID, r.Status, r.From)
	}
	now := b.now()
	r.CancelledAt = &now
	return r, b.logRequest(stock.EntryRequestCancelled, r, b.w.nextSeq())
}
