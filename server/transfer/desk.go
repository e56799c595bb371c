package transfer

import (
	"context"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Service is what the Desk needs of the node's domain service;
// *stock.Service implements it.
type Service interface {
	TransferStock(ctx context.Context, in stock.TransferInput) (*stock.Transfer, error)
	ReceiveTransfer(ctx context.Context, id string) (*stock.Transfer, error)
	CancelTransfer(ctx context.Context, id string) (*stock.Transfer, error)
	SettleTransfers(ctx context.Context) ([]stock.Transfer, error)
	Transfer(ctx context.Context, id string) (*stock.Transfer, error)
	TransfersByID(ctx context.Context, ids []string) ([]stock.Transfer, error)
	Transfers(ctx context.Context, q stock.TransferQuery) (*stock.TransferPage, error)
	ApplyChanges(ctx context.Context, b *stock.ChangeBatch) error
	ReportProblem(ctx context.Context, e *stock.RejectError) error
	CheckHead(ctx context.Context, origin, epoch string, h stock.SignedHead) (*stock.HeadVerdict, error)
	Heads(ctx context.Context) (*stock.Heads, error)
}

var _ Service = (*stock.Service)(nil)

// Desk is where a node's APIs handle transfers: each change goes through
// the domain service; its watchers hear of it from the Hub, which the
// node's stream of committed entries feeds (see Hub.Take).
type Desk struct {
	svc   Service
	hub   *Hub
	batch *batcher
}

// NewDesk returns a Desk over svc whose watchers watch hub (nil: a hub of
// its own, which nothing feeds).
func NewDesk(svc Service, hub *Hub) *Desk {
	if hub == nil {
		hub = NewHub()
	}
	return &Desk{svc: svc, hub: hub, batch: &batcher{read: svc.TransfersByID}}
}

// Hub returns the hub the desk publishes to.
func (d *Desk) Hub() *Hub { return d.hub }

// Send sends a transfer (see stock.Service.TransferStock).
func (d *Desk) Send(ctx context.Context, in stock.TransferInput) (*stock.Transfer, error) {
	return d.svc.TransferStock(ctx, in)
}

// Receive receives a transfer (see stock.Service.ReceiveTransfer).
func (d *Desk) Receive(ctx context.Context, id string) (*stock.Transfer, error) {
	return d.svc.ReceiveTransfer(ctx, id)
}

// Cancel cancels a transfer, or asks its receiver to (see
// stock.Service.CancelTransfer).
func (d *Desk) Cancel(ctx context.Context, id string) (*stock.Transfer, error) {
	return d.svc.CancelTransfer(ctx, id)
}

// Get returns a transfer as this node knows it, NOT_FOUND when it knows
// none. Concurrent Gets (a GraphQL list's rows) are read in one job.
func (d *Desk) Get(ctx context.Context, id string) (*stock.Transfer, error) {
	return d.batch.get(ctx, id)
}

// List returns a page of transfers, newest first.
func (d *Desk) List(ctx context.Context, q stock.TransferQuery) (*stock.TransferPage, error) {
	return d.svc.Transfers(ctx, q)
}

// Watch returns the updates of transfers from or to warehouse ("" for
// all) until ctx is done.
func (d *Desk) Watch(ctx context.Context, warehouse string) <-chan stock.Transfer {
	return d.hub.Watch(ctx, warehouse)
}
