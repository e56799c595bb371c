package stock

import (
	"context"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// A warehouse leaves the network by a fact of its own log: its node
// appends EntryWarehouseLeft (its At the departure) in the job that marks
// the local warehouse departed, so the departure is signed with the log
// and every node learns it, in order, through replication. From then on:
//
//   - the node refuses every change of its warehouse (ErrLeft), and reads
//     keep working;
//   - a transfer to it that its log leaves neither received nor cancelled
//     is cancelled by the departure itself, on every node that holds the
//     log up to it, at the departure's time: its sender takes the units
//     back alone (the settle step it takes for any cancellation);
//   - a transfer from it stays the receiver's to receive, even when the
//     departed sender had asked to cancel it: nobody could take the units
//     back.

// ErrLeft is the error of a change refused because the local warehouse
// left the network (see LeftNetwork). It has CodeForbidden; errors.Is
// tells it from other FORBIDDEN errors by its Reason.
var ErrLeft = &Error{Code: CodeForbidden, Reason: "left", Message: "stock: this warehouse left the network"}

// LeftNetwork returns the ErrLeft error of w, the local warehouse, which
// left the network at *w.DepartedAt.
func LeftNetwork(w *Warehouse) *Error {
	e := *ErrLeft
	e.Message = fmt.Sprintf("this warehouse left the network on %s: %s records no more changes (its data stays readable)",
		FormatDeparture(*w.DepartedAt), w.ID)
	return &e
}

// ReceiverLeft returns the error of a transfer to warehouse id, which left
// the network at at: INVALID_INPUT, naming when.
func ReceiverLeft(id string, at time.Time) *Error {
	return Errorf(CodeInvalidInput, "to: warehouse %s left the network on %s: transfers go to members only", id, FormatDeparture(at))
}

// FormatDeparture formats the time a warehouse left the network the way
// the errors that name it do: "2006-01-02 15:04:05 UTC".
func FormatDeparture(t time.Time) string {
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// OpWarehouseLeave records the local warehouse's departure (see
// Service.LeaveNetwork).
var OpWarehouseLeave = Op[Empty, Warehouse]{"warehouse.leave", ClassWrite, auth.RoleNode}

// LeaveNetwork records that the local warehouse leaves the network, in
// one job: it takes the transfer steps it owes (see SettleTransfers),
// appends EntryWarehouseLeft to its log, marks the warehouse departed at
// that entry's time, and cancels the transfers to it that it did not
// receive. It returns the local warehouse, departed; once departed it
// returns it unchanged. Telling the other members is member.Network's.
func (s *Service) LeaveNetwork(ctx context.Context) (*Warehouse, error) {
	w, err := call(ctx, s, OpWarehouseLeave, &Empty{})
	if err != nil {
		return nil, err
	}
	s.local.Store(w)
	return w, nil
}
