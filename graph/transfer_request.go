package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
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
