package store

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// sendTransfer records a transfer from the local warehouse: its
// TRANSFER_OUT and its transfer.created entry, in the job's transaction.
// A repeated idempotency key returns the transfer it made. It checks
// everything (key, destination, product, stock) before its first write,
// so it runs without a savepoint, as recordMovement does.
func (b *batch) sendTransfer(in *stock.TransferInput) (*stock.Transfer, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	if in.IdempotencyKey != "" {
		if t, err := b.transferByKey(wh.ID, in); err != nil || t != nil {
			return t, err
		}
	}
	if err := b.checkDestination(wh.ID, in.To); err != nil {
		return nil, err
	}
	p, err := b.stockOf(in.SKU)
	if err != nil {
		return nil, err
	}
	held, err := b.checkUnreserved(p, in.Quantity)
	if err != nil {
		return nil, err
	}
	catalogue, err := b.catalogue(p)
	if err != nil {
		return nil, err
	}
	id := stock.TransferID(wh.ID, b.w.seq+1) // the seq move takes
	mv, err := b.move(p, movementInput{kind: stock.KindTransferOut, delta: -in.Quantity, reference: id,
		note: in.Note, actor: b.meta.Actor, held: held})
	if err != nil {
		return nil, err
	}
	if mv.Seq != b.w.seq || id != stock.TransferID(wh.ID, mv.Seq) {
		return nil, fmt.Errorf("transfer %s: its TRANSFER_OUT took seq %d", id, mv.Seq)
	}
	t := &stock.Transfer{ID: id, SKU: in.SKU, Quantity: in.Quantity, From: wh.ID, To: in.To,
		Reference: in.Reference, Note: in.Note, Actor: b.meta.Actor, IdempotencyKey: storedKey(in.IdempotencyKey),
		Product: catalogue, CreatedAt: mv.CreatedAt, OutMovement: mv.ID}
	return t, b.logTransfer(stock.EntryTransferCreated, t)
}

// catalogue returns the catalogue data of p, a live product of the local
// warehouse, for a receiver that has none: its name, description, price,
// reorder point, base unit and packs (the transfer's quantity is in that
// unit).
func (b *batch) catalogue(p stockRow) (*stock.Product, error) {
	c := &stock.Product{Warehouse: p.warehouse, SKU: p.sku}
	var price int64
	var packs string
	err := b.queryRow(stCatalogue, []any{p.id}, &c.Name, &c.Description, &price, &c.ReorderPoint, &c.Unit, &packs)
	if err == nil {
		c.Packs, err = decodePacks(packs)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the catalogue data of %s: %w", p.sku, err)
	}
	c.Price = stock.Price(price)
	return c, nil
}

// checkDestination refuses a transfer to the local warehouse, to one that
// is not a member of the network (NOT_FOUND), and to one that left it
// (INVALID_INPUT, saying when: see stock.ReceiverLeft).
func (b *batch) checkDestination(local, to string) error {
	if to == local {
		return stock.Errorf(stock.CodeInvalidInput, "to: a transfer goes to another warehouse, not to %s itself", to)
	}
	var departed sql.NullTime
	err := b.queryRow(stWarehouseDeparted, []any{to}, &departed)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e := stock.Errorf(stock.CodeNotFound, "warehouse %s is not a member of this network: transfers go to members only", to)
		e.Elsewhere = &stock.Elsewhere{Warehouse: to}
		return e
	case err != nil:
		return fmt.Errorf("looking up warehouse %s: %w", to, err)
	case departed.Valid:
		return stock.ReceiverLeft(to, departed.Time)
	}
	return nil
}

// transferByKey returns the local transfer sent with in's key, nil when
// there is none, or INVALID_INPUT when the key was used for another
// request.
func (b *batch) transferByKey(local string, in *stock.TransferInput) (*stock.Transfer, error) {
	key := in.IdempotencyKey
	var id, stored string
	err := b.queryRow(stTransferByKey, []any{local, storedKey(key)}, &id, &stored)
	if errors.Is(err, sql.ErrNoRows) && b.w.clearLookup(key) {
		err = b.queryRow(stTransferByKey, []any{local, key}, &id, &stored)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("looking up transfer key %q: %w", key, err)
	case !b.s.sameTransferRequest(stored, in):
		return nil, stock.Errorf(stock.CodeInvalidInput, "idempotency key %q was used for a different request", key)
	}
	return b.transferInTx(id)
}

// logTransfer appends a transfer entry of the local warehouse with t as it
// is now, and merges it into the transfers table.
func (b *batch) logTransfer(typ stock.EntryType, t *stock.Transfer) error {
	t.Status = t.StatusOf()
	seq := b.w.nextSeq()
	e := &stock.LogEntry{Origin: b.w.local.ID, Seq: seq, At: b.now(), Type: typ, Transfer: t, Actor: b.meta.Actor}
	if err := b.appendLog(e); err != nil {
		return err
	}
	return b.recordTransfer(e)
}

// receiveTransfer receives a transfer to the local warehouse: a
// TRANSFER_IN, creating the product from the sender's catalogue data when
// the warehouse has none, and transfer.received, in the job's transaction.
// The transfer's state is read in the same transaction: only the writer
// decides a fate, once.
func (b *batch) receiveTransfer(r *stock.TransferRef) (*stock.Transfer, error) {
	t, err := b.ownTransfer(r.ID, true)
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case stock.TransferReceived:
		return t, nil
	case stock.TransferCancelled:
		return nil, stock.Errorf(stock.CodeInvalidInput, "transfer %s was cancelled: it cannot be received", t.ID)
	case stock.TransferCancelRequested:
		left, err := b.leftAt(t.From)
		switch {
		case err != nil:
			return nil, err
		case left == nil:
			return nil, stock.Errorf(stock.CodeInvalidInput, "the sender %s asked to cancel transfer %s: it is being cancelled, not received", t.From, t.ID)
		} // the sender left: nobody could take the units back, so they are the receiver's to receive
	}
	mv, err := b.transferIn(t)
	if err != nil {
		return nil, err
	}
	t.ReceivedAt, t.InMovement = &mv.CreatedAt, mv.ID
	return t, b.logTransfer(stock.EntryTransferReceived, t)
}

// cancelTransfer cancels a transfer: its receiver decides at once; its
// sender asks the receiver to.
func (b *batch) cancelTransfer(r *stock.TransferRef) (*stock.Transfer, error) {
	t, err := b.ownTransfer(r.ID, false)
	if err != nil {
		return nil, err
	}
	switch {
	case t.Status == stock.TransferReceived:
		return nil, stock.Errorf(stock.CodeInvalidInput, "transfer %s was received by %s: it can no longer be cancelled", t.ID, t.To)
	case t.Status == stock.TransferCancelled && t.From == b.w.local.ID && t.ReturnedAt == nil:
		return t, b.returnTransfer(t) // its receiver cancelled it, or left: the units come back now
	case t.Status == stock.TransferCancelled:
		return t, nil
	case t.To == b.w.local.ID:
		if err := b.checkSenderStays(t); err != nil {
			return nil, err
		}
		return t, b.confirmCancel(t)
	case t.Status == stock.TransferCancelRequested:
		return t, nil
	}
	now := b.now()
	t.CancelRequestedAt = &now
	return t, b.logTransfer(stock.EntryTransferCancelRequested, t)
}

// checkSenderStays refuses the receiver's cancellation of t when its
// sender left the network: nobody could take the units back.
func (b *batch) checkSenderStays(t *stock.Transfer) error {
	left, err := b.leftAt(t.From)
	if err != nil || left == nil {
		return err
	}
	return stock.Errorf(stock.CodeInvalidInput, "the sender %s of transfer %s left the network on %s: nobody can take the units back; "+
		"receive the transfer, then correct the stock if the units never came", t.From, t.ID, stock.FormatDeparture(*left))
}

// confirmCancel records the receiver's cancellation of t.
func (b *batch) confirmCancel(t *stock.Transfer) error {
	now := b.now()
	t.CancelledAt = &now
	return b.logTransfer(stock.EntryTransferCancelled, t)
}

// ownTransfer returns the transfer with id for a change by the local
// warehouse: its receiver (receiving) or either side (cancelling); any
// other node is FORBIDDEN, naming the node to ask.
func (b *batch) ownTransfer(id string, receiving bool) (*stock.Transfer, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	t, err := b.transferInTx(id)
	if err != nil {
		return nil, err
	}
	if t.To == wh.ID || (!receiving && t.From == wh.ID) {
		return t, nil
	}
	e := stock.Errorf(stock.CodeForbidden, "transfer %s goes from %s to %s: only %s can do this", t.ID, t.From, t.To, t.To)
	e.Elsewhere = &stock.Elsewhere{Warehouse: t.To}
	if w, err := b.client().Warehouse.Get(b.ctx, t.To); err == nil {
		e.Elsewhere.Node = w.URL
	}
	return nil, e
}

// transferIn records the TRANSFER_IN of t into the local warehouse, the
// receiver's or the sender's taking its units back, creating the product
// from t's catalogue data when the warehouse has no live one.
func (b *batch) transferIn(t *stock.Transfer) (*stock.Movement, error) {
	p, err := b.stockOf(t.SKU)
	if isNotFound(err) {
		in := &stock.CreateProductInput{SKU: t.SKU, Name: t.SKU}
		if c := t.Product; c != nil {
			in.Name, in.Description, in.Price, in.ReorderPoint = c.Name, c.Description, c.Price, c.ReorderPoint
			in.Unit, in.Packs = c.Unit, c.Packs
		}
		if _, err = b.createProduct(in); err == nil {
			p, err = b.stockOf(t.SKU)
		}
	}
	if err != nil {
		return nil, err
	}
	pieces, err := b.transferLots(t)
	if err != nil {
		return nil, err
	}
	return b.move(p, movementInput{kind: stock.KindTransferIn, delta: t.Quantity, reference: t.ID,
		note: t.Note, actor: b.meta.Actor, pieces: pieces})
}

// transferLots returns the lots t's TRANSFER_OUT took its units from, as
// the ledger holds it, unplaced: its TRANSFER_IN puts them into the same
// lots (code and expiry); nil when they were all of no lot.
func (b *batch) transferLots(t *stock.Transfer) ([]stock.LotQuantity, error) {
	i := strings.LastIndexByte(t.OutMovement, ':')
	seq, err := strconv.ParseInt(t.OutMovement[i+1:], 10, 64)
	if i < 0 || err != nil {
		return nil, nil // a transfer of no known movement: of no lot
	}
	lots, err := b.movementLots(t.From, seq)
	if err != nil || lots == nil {
		return nil, err
	}
	byLot := map[stock.LotQuantity]int64{}
	var out []stock.LotQuantity
	for _, l := range lots {
		key := stock.LotQuantity{Code: l.Code, ExpiresOn: l.ExpiresOn}
		if _, ok := byLot[key]; !ok {
			out = append(out, key)
		}
		byLot[key] += l.Quantity
	}
	for i := range out {
		out[i].Quantity = byLot[out[i]]
	}
	if len(out) == 1 && out[0].Code == "" {
		return nil, nil
	}
	return out, nil
}

// settleTransfers takes the follow-up steps the local warehouse owes,
// each decided on the state the transaction reads: as a receiver,
// confirming the cancellations its senders asked for (unless it received
// the goods); as a sender, taking back the units of transfers its
// receivers cancelled. Taken once, a step is no longer owed.
func (b *batch) settleTransfers(*stock.Empty) (*stock.Settled, error) {
	wh, err := b.localWarehouse()
	if err != nil || wh.Departed() { // a warehouse that left owes nothing more: it writes no more
		return &stock.Settled{Transfers: []stock.Transfer{}}, err
	}
	owed, err := b.owedTransfers(wh.ID)
	if err != nil {
		return nil, err
	}
	out := &stock.Settled{Transfers: []stock.Transfer{}}
	for _, t := range owed {
		ok, err := b.settleOne(t, wh.ID)
		if err != nil {
			return nil, fmt.Errorf("settling transfer %s: %w", t.ID, err)
		}
		if ok {
			out.Transfers = append(out.Transfers, *t)
		}
	}
	return out, nil
}

// settleOne takes the step owed on t inside a savepoint of its own, so
// that a step the domain refuses (a return that would overflow the
// stock) is logged and skipped, to be tried again at the next settling,
// without holding back the others. It reports whether it took the step.
func (b *batch) settleOne(t *stock.Transfer, local string) (bool, error) {
	m := b.mark()
	if _, err := b.wc.conn.ExecContext(b.ctx, "SAVEPOINT settle"); err != nil {
		return false, err
	}
	// The step is taken in the name of who started it: the sender's
	// request to cancel, or the receiver's cancellation.
	actor := b.meta.Actor
	if actor == "" {
		b.meta.Actor = t.CancelledBy
		if t.To == local {
			b.meta.Actor = t.CancelRequestedBy
		}
		defer func() { b.meta.Actor = actor }()
	}
	var err error
	if t.To == local {
		err = b.confirmCancel(t)
	} else {
		err = b.returnTransfer(t)
	}
	var e *stock.Error
	if err != nil {
		b.restore(m)
		if _, rerr := b.wc.conn.ExecContext(b.ctx, "ROLLBACK TO settle"); rerr != nil {
			return false, errors.Join(err, rerr)
		}
		if !errors.As(err, &e) {
			return false, err
		}
		b.s.log.Warn("a transfer's follow-up step was refused; it is tried again later", "id", t.ID, "err", err)
	}
	if _, rerr := b.wc.conn.ExecContext(b.ctx, "RELEASE settle"); rerr != nil {
		return false, rerr
	}
	return err == nil, nil
}

// owedTransfers reads the transfers whose next step is the local
// warehouse's to take: the cancellations its senders asked for (but not
// one whose sender's log this node holds up to its departure: nobody
// could take those units back), and the returns of transfers its
// receivers cancelled or left undecided when they left.
func (b *batch) owedTransfers(local string) ([]*stock.Transfer, error) {
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT `+transferColumns+` FROM transfers
		WHERE (receiver = ?1 AND cancel_requested_at IS NOT NULL AND received_at IS NULL AND cancelled_at IS NULL
			AND (SELECT type FROM change_log WHERE origin = transfers.sender ORDER BY seq DESC LIMIT 1) IS NOT ?2)
		OR (sender = ?1 AND cancelled_at IS NOT NULL AND returned_at IS NULL) ORDER BY created_at, id`,
		local, string(stock.EntryWarehouseLeft))
	if err != nil {
		return nil, fmt.Errorf("reading the transfers owed a step: %w", err)
	}
	defer rows.Close()
	var out []*stock.Transfer
	for rows.Next() {
		t, err := b.s.scanTransfer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// returnTransfer takes back the units of t, which its receiver cancelled:
// a TRANSFER_IN into the sender and transfer.returned.
func (b *batch) returnTransfer(t *stock.Transfer) error {
	mv, err := b.transferIn(t)
	if err != nil {
		return err
	}
	t.ReturnedAt, t.ReturnMovement = &mv.CreatedAt, mv.ID
	return b.logTransfer(stock.EntryTransferReturned, t)
}
