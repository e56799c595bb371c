package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/graph/model"
	"github.com/stockmesh/stockmesh/server/stock"
)

// nonEmpty returns s, or nil for "" (a null field).
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// packQuantity returns how many packs m was given in, nil when in base
// units.
func packQuantity(m *stock.Movement) *int64 {
	if m.Pack == "" {
		return nil
	}
	n := m.PackQuantity()
	return &n
}

// productLots reads a product's stock by lot.
func (r *Resolver) productLots(ctx context.Context, p *stock.Product) ([]*stock.Lot, error) {
	lots, err := r.Stock.ProductLots(ctx, stock.ProductRef{SKU: p.SKU, Warehouse: p.Warehouse})
	return stock.Pointers(lots), err
}

// expiringLots reads the lots expiring within withinDays days.
func (r *Resolver) expiringLots(ctx context.Context, withinDays int64, warehouse *string) ([]*stock.ExpiringLot, error) {
	wh := ""
	if warehouse != nil {
		wh = *warehouse
	}
	lots, err := r.Stock.ExpiringLots(ctx, int(min(max(withinDays, -1), 1<<20)), wh)
	return stock.Pointers(lots), err
}

// changeLots returns the lots of the movement that made c, none when it
// was merged or a deletion.
func changeLots(c *model.StockChange) []*stock.LotQuantity {
	if c.Movement == nil {
		return []*stock.LotQuantity{}
	}
	return stock.Pointers(c.Movement.LotsOrNoLot())
}

// changeLocation returns the location the movement that made c named.
func changeLocation(c *model.StockChange) *string {
	if c.Movement == nil {
		return nil
	}
	return nonEmpty(c.Movement.Location)
}
