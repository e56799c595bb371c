package remote

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/stockmesh/stockmesh/internal/api"
)

// GraphQL selections shared by the operations.
const (
	warehouseFields = `id name local`
	productFields   = `sku name description price quantity reorderPoint maxStock belowReorderPoint reserved available overReserved warehouse { ` + warehouseFields + ` } createdAt updatedAt`
	movementFields  = `id warehouse { ` + warehouseFields + ` } sku kind quantity balance reference note actor createdAt
		pack packQuantity location lots { code expiresOn quantity location }`
)

// Product returns the product with sku in the node's own warehouse; a
// missing one is an *Error with api.CodeNotFound.
func (c *Client) Product(ctx context.Context, sku string) (*Product, error) {
	return c.ProductIn(ctx, "", sku)
}

// ProductIn returns the product with sku in warehouse ("" for the node's
// own). A missing product is an *Error with api.CodeNotFound; a warehouse the
// node holds nothing of is one with api.CodeNotFound and Warehouse set (see
// UnknownWarehouse).
func (c *Client) ProductIn(ctx context.Context, warehouse, sku string) (*Product, error) {
	var out struct{ Product *Product }
	q := `query($sku: ID!, $warehouse: ID) { product(sku: $sku, warehouse: $warehouse) { ` + productFields + ` } }`
	vars := map[string]any{"sku": sku, "warehouse": nullable(warehouse)}
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("getting product %s: %w", sku, err)
	}
	if out.Product == nil {
		return nil, fmt.Errorf("getting product %s: %w", sku, &Error{Code: api.CodeNotFound, Message: "no product " + sku})
	}
	return out.Product, nil
}

// ProductPage returns up to first products of warehouse ("" for the
// node's own) matching search after the cursor.
func (c *Client) ProductPage(ctx context.Context, warehouse, search string, first int, after string) ([]Product, PageInfo, int, error) {
	var out struct {
		Products struct {
			Edges      []struct{ Node Product }
			PageInfo   PageInfo
			TotalCount int
		}
	}
	q := `query($warehouse: ID, $search: String, $first: Int, $after: String) {
  products(warehouse: $warehouse, search: $search, first: $first, after: $after) {
  edges { node { ` + productFields + ` } } pageInfo { hasNextPage endCursor } totalCount } }`
	vars := map[string]any{"warehouse": nullable(warehouse), "search": nullable(search), "first": first, "after": nullable(after)}
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, PageInfo{}, 0, fmt.Errorf("listing products: %w", err)
	}
	ps := make([]Product, len(out.Products.Edges))
	for i, e := range out.Products.Edges {
		ps[i] = e.Node
	}
	return ps, out.Products.PageInfo, out.Products.TotalCount, nil
}

// Products returns every product of warehouse ("" for the node's own)
// matching search, reading page by page.
func (c *Client) Products(ctx context.Context, warehouse, search string) ([]Product, error) {
	var all []Product
	after := ""
	for {
		ps, page, _, err := c.ProductPage(ctx, warehouse, search, 100, after)
		if err != nil {
			return nil, err
		}
		all = append(all, ps...)
		if !page.HasNextPage || page.EndCursor == "" || len(ps) == 0 {
			return all, nil
		}
		after = page.EndCursor
	}
}

// CreateProduct creates a product. It is retried only when the request never
// reached the node; a product that exists is an *Error with api.CodeAlreadyExists.
func (c *Client) CreateProduct(ctx context.Context, in NewProduct) (*Product, error) {
	var out struct{ CreateProduct Product }
	q := `mutation($input: CreateProductInput!) { createProduct(input: $input) { ` + productFields + ` } }`
	if err := c.Do(ctx, Once, q, map[string]any{"input": in}, &out); err != nil {
		return nil, fmt.Errorf("creating product %s: %w", in.SKU, err)
	}
	return &out.CreateProduct, nil
}

// UpdateProduct changes the product with sku. It is retried only when the
// request never reached the node.
func (c *Client) UpdateProduct(ctx context.Context, sku string, in ProductChanges) (*Product, error) {
	var out struct{ UpdateProduct Product }
	q := `mutation($sku: ID!, $input: UpdateProductInput!) { updateProduct(sku: $sku, input: $input) { ` + productFields + ` } }`
	if err := c.Do(ctx, Once, q, map[string]any{"sku": sku, "input": in}, &out); err != nil {
		return nil, fmt.Errorf("updating product %s: %w", sku, err)
	}
	return &out.UpdateProduct, nil
}

// DeleteProduct deletes the product with sku and returns its last state. It
// is retried only when the request never reached the node.
func (c *Client) DeleteProduct(ctx context.Context, sku string) (*Product, error) {
	var out struct{ DeleteProduct Product }
	q := `mutation($sku: ID!) { deleteProduct(sku: $sku) { ` + productFields + ` } }`
	if err := c.Do(ctx, Once, q, map[string]any{"sku": sku}, &out); err != nil {
		return nil, fmt.Errorf("deleting product %s: %w", sku, err)
	}
	return &out.DeleteProduct, nil
}

// SetStock sets the stock of sku to quantity and returns the adjustment. It
// is retried only when the request never reached the node.
func (c *Client) SetStock(ctx context.Context, sku string, quantity int, note string) (*Movement, error) {
	var out struct{ SetStock Movement }
	q := `mutation($sku: ID!, $quantity: Int!, $note: String) { setStock(sku: $sku, quantity: $quantity, note: $note) { ` + movementFields + ` } }`
	vars := map[string]any{"sku": sku, "quantity": quantity, "note": nullable(note)}
	if err := c.Do(ctx, Once, q, vars, &out); err != nil {
		return nil, fmt.Errorf("setting stock of %s: %w", sku, err)
	}
	return &out.SetStock, nil
}

// RecordMovement records a movement. It carries an idempotency key (a random
// one when in has none) and is therefore retried after any dropped
// connection without being applied twice.
func (c *Client) RecordMovement(ctx context.Context, in NewMovement) (*Movement, error) {
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = NewIdempotencyKey()
	}
	var out struct{ RecordMovement Movement }
	q := `mutation($input: MovementInput!) { recordMovement(input: $input) { ` + movementFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"input": in}, &out); err != nil {
		return nil, fmt.Errorf("recording %s of %s: %w", in.Kind, in.SKU, err)
	}
	return &out.RecordMovement, nil
}

// Movements returns up to first movements matching f, newest first.
func (c *Client) Movements(ctx context.Context, f MovementFilter, first int) ([]Movement, error) {
	var out struct {
		Movements struct{ Edges []struct{ Node Movement } }
	}
	q := `query($filter: MovementFilter, $first: Int) { movements(filter: $filter, first: $first) { edges { node { ` + movementFields + ` } } } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"filter": f, "first": first}, &out); err != nil {
		return nil, fmt.Errorf("listing movements: %w", err)
	}
	ms := make([]Movement, len(out.Movements.Edges))
	for i, e := range out.Movements.Edges {
		ms[i] = e.Node
	}
	return ms, nil
}

// Warehouses returns the warehouses the node holds, its own first, each
// with how far the node holds its log (Replica).
func (c *Client) Warehouses(ctx context.Context) ([]Warehouse, error) {
	var out struct{ Warehouses []Warehouse }
	q := `query { warehouses { ` + warehouseFields + ` url online lastSeen departed behind replica { seq digest asOf problem { kind servedBy since detail } } } }`
	if err := c.Do(ctx, Repeatable, q, nil, &out); err != nil {
		return nil, fmt.Errorf("listing warehouses: %w", err)
	}
	return out.Warehouses, nil
}

// LocalWarehouse returns the node's own warehouse.
func (c *Client) LocalWarehouse(ctx context.Context) (*Warehouse, error) {
	var out struct{ LocalWarehouse *Warehouse }
	q := `query { localWarehouse { ` + warehouseFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, nil, &out); err != nil {
		return nil, fmt.Errorf("getting the local warehouse: %w", err)
	}
	if out.LocalWarehouse == nil || out.LocalWarehouse.ID == "" {
		return nil, fmt.Errorf("getting the local warehouse: %w", &Error{Code: api.CodeInternal, Message: "the node named no local warehouse"})
	}
	return out.LocalWarehouse, nil
}

// WarehouseIDs returns the ids of the warehouses the node holds, its own
// first. Unlike Warehouses it asks for nothing else, so it stays cheap.
func (c *Client) WarehouseIDs(ctx context.Context) ([]string, error) {
	var out struct{ Warehouses []struct{ ID string } }
	if err := c.Do(ctx, Repeatable, `query { warehouses { id } }`, nil, &out); err != nil {
		return nil, fmt.Errorf("listing warehouses: %w", err)
	}
	ids := make([]string, len(out.Warehouses))
	for i, w := range out.Warehouses {
		ids[i] = w.ID
	}
	return ids, nil
}

// StockLevels returns the stock of sku in every warehouse the node holds a
// product of it in, the node's own first, each with how fresh it is.
func (c *Client) StockLevels(ctx context.Context, sku string) ([]StockLevel, error) {
	var out struct{ StockLevels []StockLevel }
	q := `query($sku: ID!) { stockLevels(sku: $sku) { warehouse { ` + warehouseFields + ` } quantity inTransit asOf } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"sku": sku}, &out); err != nil {
		return nil, fmt.Errorf("getting stock levels of %s: %w", sku, err)
	}
	return out.StockLevels, nil
}

// NewIdempotencyKey returns a random key for RecordMovement.
func NewIdempotencyKey() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// nullable maps "" to a GraphQL null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
