package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/stock"
)

// reservationQuery builds the domain's query from the reservations field's
// arguments.
func reservationQuery(status *stock.ReservationStatus, sku, warehouse *string, first *int64, after *string) stock.ReservationQuery {
	q := stock.ReservationQuery{SKU: deref(sku), Warehouse: deref(warehouse), First: pageSize(first), After: deref(after)}
	if status != nil {
		q.Status = *status
	}
	return q
}

// reservationConnection turns a page of reservations into a Relay connection.
func reservationConnection(p *stock.ReservationPage, after string) *model.ReservationConnection {
	edges, info := connection(p.Reservations, p.HasNext, after, stock.ReservationCursor,
		func(x *stock.Reservation, c string) *model.ReservationEdge {
			return &model.ReservationEdge{Node: x, Cursor: c}
		})
	return &model.ReservationConnection{Edges: edges, PageInfo: info}
}

// reservedOf returns the units held by reservations right after the
// change c: the committed change carries them (a reservation's, a
// movement's its writer or applier published); otherwise (an entry read
// back from the log, merged changes ending in one) they are read from the
// product as it is now, 0 once it is gone. Only subscriptions that ask
// for reserved or available read.
func (r *Resolver) reservedOf(ctx context.Context, c *model.StockChange) int64 {
	switch {
	case c.Held != nil:
		return *c.Held
	case c.Deleted:
		return 0
	}
	p, err := r.Stock.Product(ctx, stock.ProductRef{SKU: c.Sku, Warehouse: c.Warehouse.ID})
	if err != nil {
		return 0
	}
	return p.Reserved
}

// stocktakeConnection turns a page of stocktakes into a Relay connection.
func stocktakeConnection(p *stock.StocktakePage, after string) *model.StocktakeConnection {
	edges, info := connection(p.Stocktakes, p.HasNext, after, stock.StocktakeCursor,
		func(x *stock.Stocktake, c string) *model.StocktakeEdge {
			return &model.StocktakeEdge{Node: x, Cursor: c}
		})
	return &model.StocktakeConnection{Edges: edges, PageInfo: info}
}
