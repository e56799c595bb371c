package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/request"
	"github.com/stockmesh/stockmesh/server/stock"
)

// requestConnection turns a page of transfer requests into a Relay
// connection.
func requestConnection(p *stock.TransferRequestPage, after string) *model.TransferRequestConnection {
	edges, info := connection(p.Requests, p.HasNext, after, stock.RequestCursor,
		func(x *stock.TransferRequest, c string) *model.TransferRequestEdge {
			return &model.TransferRequestEdge{Node: x, Cursor: c}
		})
	return &model.TransferRequestConnection{Edges: edges, PageInfo: info}
}

// requestTransfer returns the transfer an accepted request sent, as this
// node knows it; nil when none was sent.
func (r *Resolver) requestTransfer(ctx context.Context, q *stock.TransferRequest) (*stock.Transfer, error) {
	if q.Transfer == "" {
		return nil, nil
	}
	return r.Desk.Get(ctx, q.Transfer)
}

// watchRequests returns the updates of the transfer requests from or to
// warehouse ("" for all) for a subscription of a viewer or above.
func watchRequests(ctx context.Context, h *request.Hub, warehouse string) (<-chan *stock.TransferRequest, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	in := h.Watch(ctx, warehouse)
	out := make(chan *stock.TransferRequest, 1)
	go func() {
		defer close(out)
		for r := range in {
			select {
			case <-ctx.Done():
				return
			case out <- &r:
			}
		}
	}()
	return out, nil
}
