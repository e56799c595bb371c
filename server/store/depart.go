package store

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/ent/warehouse"
	"github.com/stockmesh/stockmesh/server/stock"
)

// writable returns the local warehouse for a change of it, or the
// stock.ErrLeft error once it left the network: the one rule every
// operation registered with onChange goes through.
func (b *batch) writable() (*stock.Warehouse, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	if wh.Departed() {
		return nil, stock.LeftNetwork(wh)
	}
	return wh, nil
}

// leaveNetwork records the local warehouse's departure (see
// stock.Service.LeaveNetwork): the steps it owes first, then its last log
// entry, warehouse.left, and the departure with that entry's time.
func (b *batch) leaveNetwork(*stock.Empty) (*stock.Warehouse, error) {
	wh, err := b.localWarehouse()
	if err != nil || wh.Departed() {
		return wh, err
	}
	if _, err := b.settleTransfers(nil); err != nil {
		return nil, fmt.Errorf("settling transfers before leaving: %w", err)
	}
	e := &stock.LogEntry{Origin: wh.ID, Seq: b.w.nextSeq(), At: b.now(), Type: stock.EntryWarehouseLeft, Actor: b.meta.Actor}
	if err := b.appendLog(e); err != nil {
		return nil, err
	}
	if err := b.recordDeparture(e); err != nil {
		return nil, err
	}
	row, err := b.client().Warehouse.Get(b.ctx, wh.ID)
	if err != nil {
		return nil, err
	}
	b.w.local = warehouseOf(row)
	return b.w.local, nil
}

// applyDeparture applies another warehouse's warehouse.left entry.
func (b *batch) applyDeparture(e *stock.LogEntry) error {
	if err := b.recordDeparture(e); err != nil {
		return err
	}
	return b.appendLog(e)
}

// recordDeparture marks e's origin departed at e.At, unless a departure
// is recorded already (a member's word may have come first), with the
// audit log's member.left, and cancels the transfers to it that its log
// leaves undecided and the transfer requests to or from it that their
// source left undecided.
func (b *batch) recordDeparture(e *stock.LogEntry) error {
	n, err := b.client().Warehouse.Update().Where(warehouse.ID(e.Origin), warehouse.DepartedAtIsNil()).
		SetDepartedAt(e.At).Save(b.ctx)
	if err != nil {
		return fmt.Errorf("recording the departure of %s: %w", e.Origin, err)
	}
	if n > 0 {
		detail := "at " + e.At.UTC().Format(time.RFC3339) + " (its log's entry " + fmt.Sprint(e.Seq) + ")"
		if err := b.auditBy(cmp.Or(b.meta.Actor, e.Origin), stock.ActionMemberLeft, "warehouse "+e.Origin, detail); err != nil {
			return err
		}
	}
	b.wrote = true
	_, err = b.wc.conn.ExecContext(b.ctx, `UPDATE transfers SET cancelled_at = ?
		WHERE receiver = ? AND received_at IS NULL AND cancelled_at IS NULL`, e.At.UnixNano(), e.Origin)
	if err != nil {
		return fmt.Errorf("cancelling the transfers to %s, which left: %w", e.Origin, err)
	}
	return b.cancelRequestsOf(e.Origin, e.At, "")
}

// leftAt returns when warehouse id left the network as its own log says
// (its last entry held here is warehouse.left), or nil.
func (b *batch) leftAt(id string) (*time.Time, error) {
	var typ string
	var at int64
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT type, at FROM change_log WHERE origin = ? ORDER BY seq DESC LIMIT 1`, id).
		Scan(&typ, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows), err == nil && typ != string(stock.EntryWarehouseLeft):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading whether %s left the network: %w", id, err)
	}
	t := time.Unix(0, at).UTC()
	return &t, nil
}

// afterDeparture refuses e, an entry of a log this node holds up to its
// origin's departure: a warehouse that left writes no more.
func afterDeparture(e *stock.LogEntry) error {
	return stock.InvalidEntry(e, "type", "follows the departure of %s from the network, after which it writes nothing", e.Origin)
}

// cancelIfReceiverLeft cancels t, of which a replicated entry of its
// sender was just recorded, when this node holds its receiver's log up to
// the receiver's departure and that log leaves t undecided: the order in
// which the two logs arrive changes nothing.
func (b *batch) cancelIfReceiverLeft(t *stock.Transfer) error {
	at, err := b.leftAt(t.To)
	if err != nil || at == nil {
		return err
	}
	_, err = b.wc.conn.ExecContext(b.ctx, `UPDATE transfers SET cancelled_at = ?
		WHERE id = ? AND received_at IS NULL AND cancelled_at IS NULL`, at.UnixNano(), t.ID)
	if err != nil {
		return fmt.Errorf("cancelling transfer %s to %s, which left: %w", t.ID, t.To, err)
	}
	return nil
}
