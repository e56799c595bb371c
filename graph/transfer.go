package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/transfer"
)

// derefStatus returns *s, or "" (any status) for nil.
func derefStatus(s *stock.TransferStatus) stock.TransferStatus {
	if s == nil {
		return ""
	}
	return *s
}

// transferConnection turns a page of transfers into a Relay connection.
func transferConnection(p *stock.TransferPage, after string) *model.TransferConnection {
	edges, info := connection(p.Transfers, p.HasNext, after, stock.TransferCursor,
		func(x *stock.Transfer, c string) *model.TransferEdge { return &model.TransferEdge{Node: x, Cursor: c} })
	return &model.TransferConnection{Edges: edges, PageInfo: info}
}

// transferOf returns the transfer a TRANSFER_OUT or TRANSFER_IN carries as
// its reference, nil for other movements and for a transfer this node
// does not know.
func (r *Resolver) transferOf(ctx context.Context, m *stock.Movement) (*stock.Transfer, error) {
	if m.Kind != stock.KindTransferOut && m.Kind != stock.KindTransferIn || m.Reference == "" {
		return nil, nil
	}
	t, err := r.Desk.Get(ctx, m.Reference)
	if stock.CodeOf(err) == stock.CodeNotFound || stock.CodeOf(err) == stock.CodeInvalidInput {
		return nil, nil
	}
	return t, err
}

// watchTransfers turns the desk's updates into a subscription's channel,
// for a viewer or above (stock.Authorize, as subscribe), which it closes
// when ctx is done.
func watchTransfers(ctx context.Context, d *transfer.Desk, warehouse string) (<-chan *stock.Transfer, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	in := d.Watch(ctx, warehouse)
	out := make(chan *stock.Transfer, 1)
	go func() {
		defer close(out)
		for t := range in {
			select {
			case <-ctx.Done():
				return
			case out <- &t:
			}
		}
	}()
	return out, nil
}
