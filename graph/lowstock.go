package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// lowStockAlertBuffer is how many events a lowStockAlert subscriber may
// fall behind before the hub merges them: a merged event still carries the
// stock before and after and the last reorder point, which is all a
// crossing needs.
const lowStockAlertBuffer = 64

// crossings turns one subscription's events into low-stock alerts: a
// filter over the node's stream of committed entries, which carries each
// product's reorder point whenever its creation or an update sets it
// (feed.Event.ReorderPoint), so nothing is polled. The first time a
// product comes up, its reorder point as of that event is read from its
// history (one lookup job per product and subscription). Its methods run
// on the subscription's one delivery goroutine, so it needs no lock.
type crossings struct {
	svc    *stock.Service
	points map[[2]string]int64
}

func newCrossings(svc *stock.Service) *crossings {
	return &crossings{svc: svc, points: map[[2]string]int64{}}
}

// alert returns the alert e makes, or nil: a stock change that takes the
// product across its reorder point, or a change of the reorder point that
// puts the stock on the other side of it.
func (c *crossings) alert(ctx context.Context, e feed.Event) *stock.LowStockAlert {
	key := [2]string{e.Warehouse, e.SKU}
	switch {
	case e.Deleted:
		delete(c.points, key)
		return nil
	case e.Created: // its first point: the stock it gets comes by movements, which cross it
		c.points[key] = *e.ReorderPoint
		return nil
	}
	before, known := c.points[key]
	if !known {
		var err error
		if before, err = c.pointBefore(ctx, e); err != nil {
			return nil // unreachable now: the change crosses nothing we know of
		}
	}
	after := before
	if e.ReorderPoint != nil {
		after = *e.ReorderPoint
	}
	c.points[key] = after
	var a stock.LowStockAlert
	var ok bool
	if e.PointOnly() {
		a, ok = stock.PointCrossing(e.Warehouse, e.SKU, e.Quantity, before, after, e.At)
	} else {
		a, ok = stock.Crossing(e.Warehouse, e.SKU, e.Quantity-e.Delta, e.Quantity, after, e.At)
	}
	if !ok {
		return nil
	}
	return &a
}

// pointBefore returns the reorder point e's product had just before e:
// that of the last of its product entries before e's seq (0 for none).
func (c *crossings) pointBefore(ctx context.Context, e feed.Event) (int64, error) {
	h, err := c.svc.ProductHistory(ctx, stock.ProductRef{SKU: e.SKU, Warehouse: e.Warehouse})
	if err != nil {
		return 0, err
	}
	var rp int64
	for _, ch := range h {
		if ch.Seq < e.Seq {
			rp = ch.ReorderPoint
		}
	}
	return rp, nil
}
