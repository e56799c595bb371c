package graph

import (
	"context"

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
