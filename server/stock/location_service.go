package stock

import "context"

// CreateLocation creates a location (bin) of the local warehouse.
func (s *Service) CreateLocation(ctx context.Context, in CreateLocationInput) (*Location, error) {
	return call(ctx, s, OpLocationCreate, &in)
}

// UpdateLocation renames a location of the local warehouse or moves it,
// with everything below it, under another parent, in one write.
func (s *Service) UpdateLocation(ctx context.Context, in UpdateLocationInput) (*Location, error) {
	return call(ctx, s, OpLocationUpdate, &in)
}

// Locations returns the locations of a warehouse ("" the local one) by
// path.
func (s *Service) Locations(ctx context.Context, warehouse string) ([]Location, error) {
	l, err := call(ctx, s, OpLocationList, &LocationQuery{Warehouse: warehouse})
	if err != nil {
		return nil, err
	}
	return l.Locations, nil
}

// RelocateStock moves units between locations of the local warehouse: a
// RELOCATION movement, which changes no stock.
func (s *Service) RelocateStock(ctx context.Context, in RelocateStockInput) (*Movement, error) {
	return call(ctx, s, OpStockRelocate, &in)
}

// ProductLocations returns a product's units by location, unplaced
// (Location nil) first, each location with its path.
func (s *Service) ProductLocations(ctx context.Context, r ProductRef) ([]LocationStock, error) {
	lines, err := s.ProductLines(ctx, r)
	if err != nil {
		return nil, err
	}
	out := lines.Locations()
	if len(out) == 0 || len(out) == 1 && out[0].Location == nil {
		return out, nil
	}
	all, err := s.Locations(ctx, r.Warehouse)
	if err != nil {
		return nil, err
	}
	byCode := make(map[string]*Location, len(all))
	for i := range all {
		byCode[all[i].Code] = &all[i]
	}
	for i := range out {
		if l := out[i].Location; l != nil && byCode[l.Code] != nil {
			out[i].Location = byCode[l.Code]
		}
	}
	return out, nil
}
