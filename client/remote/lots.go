package remote

import (
	"context"
	"fmt"
)

// Lots returns the stock of sku in warehouse ("" the node's own) by lot,
// soonest-expiring first, the stock of no lot (Code "") last.
func (c *Client) Lots(ctx context.Context, sku, warehouse string) ([]Lot, error) {
	var out struct{ Product struct{ Lots []Lot } }
	q := `query($sku: ID!, $w: ID) { product(sku: $sku, warehouse: $w) { lots { code expiresOn quantity } } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"sku": sku, "w": nullable(warehouse)}, &out); err != nil {
		return nil, fmt.Errorf("reading the lots of %s: %w", sku, err)
	}
	return out.Product.Lots, nil
}

// Locations returns the locations of warehouse ("" the node's own) by
// path.
func (c *Client) Locations(ctx context.Context, warehouse string) ([]Location, error) {
	var out struct{ Locations []Location }
	q := `query($w: ID) { locations(warehouse: $w) { code name parent path quantity } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"w": nullable(warehouse)}, &out); err != nil {
		return nil, fmt.Errorf("listing locations: %w", err)
	}
	return out.Locations, nil
}

// CreateLocation creates a location of the node's warehouse under parent
// ("" at the top).
func (c *Client) CreateLocation(ctx context.Context, code, parent, name string) (*Location, error) {
	var out struct{ CreateLocation Location }
	q := `mutation($in: CreateLocationInput!) { createLocation(input: $in) { code name parent path quantity } }`
	in := map[string]any{"code": code, "parent": nullable(parent), "name": nullable(name)}
	if err := c.Do(ctx, Once, q, map[string]any{"in": in}, &out); err != nil {
		return nil, fmt.Errorf("creating location %s: %w", code, err)
	}
	return &out.CreateLocation, nil
}

// Relocate moves units between locations of the node's warehouse. It
// carries an idempotency key (a random one when in has none) and is
// therefore retried after any dropped connection without moving the units
// twice.
func (c *Client) Relocate(ctx context.Context, in Relocation) (*Movement, error) {
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = NewIdempotencyKey()
	}
	var out struct{ RelocateStock Movement }
	q := `mutation($in: RelocateStockInput!) { relocateStock(input: $in) { ` + movementFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"in": in}, &out); err != nil {
		return nil, fmt.Errorf("relocating %s: %w", in.SKU, err)
	}
	return &out.RelocateStock, nil
}
