package stock

import (
	"context"
	"time"
)

// ProductLines returns a product's stock by lot and location, in FEFO
// order, the stock of no lot, unplaced, included when it holds units.
func (s *Service) ProductLines(ctx context.Context, r ProductRef) (*StockLines, error) {
	return call(ctx, s, OpProductLines, &r)
}

// ProductLots returns a product's stock by lot, in FEFO order.
func (s *Service) ProductLots(ctx context.Context, r ProductRef) ([]Lot, error) {
	l, err := s.ProductLines(ctx, r)
	if err != nil {
		return nil, err
	}
	return l.Lots(), nil
}

// ExpiringLots returns the lots with stock that expire within withinDays
// days from today in the local warehouse's time zone (s.Zone; expired ones
// too), of warehouse ("": every warehouse the node holds), soonest first.
func (s *Service) ExpiringLots(ctx context.Context, withinDays int, warehouse string) ([]ExpiringLot, error) {
	if withinDays < 0 || withinDays > 36600 {
		return nil, invalid("withinDays", "must be 0 to 36600")
	}
	q := &ExpiringQuery{Warehouse: warehouse, Until: Today(s.Zone, time.Now()).AddDays(withinDays)}
	l, err := call(ctx, s, OpLotsExpiring, q)
	if err != nil {
		return nil, err
	}
	return l.Lots, nil
}
