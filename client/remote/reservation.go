package remote

import (
	"context"
	"fmt"
	"time"
)

// The statuses of a reservation.
const (
	ReservationActive    = "ACTIVE"
	ReservationFulfilled = "FULFILLED"
	ReservationReleased  = "RELEASED"
	ReservationExpired   = "EXPIRED"
)

// Reservation is units of a product held for an order.
type Reservation struct {
	ID        string     `json:"id"`
	Warehouse Warehouse  `json:"warehouse"`
	SKU       string     `json:"sku"`
	Quantity  int        `json:"quantity"`
	Fulfilled int        `json:"fulfilled"`
	Reference *string    `json:"reference"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt"`
	EndedAt   *time.Time `json:"endedAt"`
	Sale      *string    `json:"sale"`
	// AtRisk: the product's stock no longer covers it.
	AtRisk bool `json:"atRisk"`
}

// NewReservation is what ReserveStock sends; ExpiresIn is in seconds.
type NewReservation struct {
	SKU            string  `json:"sku"`
	Quantity       int     `json:"quantity"`
	Reference      *string `json:"reference,omitempty"`
	ExpiresIn      *int64  `json:"expiresIn,omitempty"`
	IdempotencyKey string  `json:"idempotencyKey,omitempty"`
}

// Level is a warehouse's stock of a sku with what reservations hold of
// it, as availability answers it.
type Level struct {
	Warehouse Warehouse  `json:"warehouse"`
	Quantity  int        `json:"quantity"`
	Reserved  int        `json:"reserved"`
	Available int        `json:"available"`
	AsOf      *time.Time `json:"asOf"`
}

const reservationFields = `id warehouse { ` + warehouseFields + ` } sku quantity fulfilled reference status createdAt expiresAt endedAt sale atRisk`

// ReserveStock holds units of a product for an order. It carries an
// idempotency key (a random one when in has none) and is therefore
// retried after any dropped connection without holding twice.
func (c *Client) ReserveStock(ctx context.Context, in NewReservation) (*Reservation, error) {
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = NewIdempotencyKey()
	}
	var out struct{ ReserveStock Reservation }
	q := `mutation($input: ReserveStockInput!) { reserveStock(input: $input) { ` + reservationFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"input": in}, &out); err != nil {
		return nil, fmt.Errorf("reserving %d × %s: %w", in.Quantity, in.SKU, err)
	}
	return &out.ReserveStock, nil
}

// ReleaseReservation releases a reservation. Releasing twice changes
// nothing, so it is retried after a dropped connection.
func (c *Client) ReleaseReservation(ctx context.Context, id string) (*Reservation, error) {
	var out struct{ ReleaseReservation Reservation }
	q := `mutation($id: ID!) { releaseReservation(id: $id) { ` + reservationFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("releasing reservation %s: %w", id, err)
	}
	return &out.ReleaseReservation, nil
}

// FulfilReservation records the sale of a reservation, of quantity units
// (nil: all of it). Fulfilling twice changes nothing, so it is retried after
// a dropped connection.
func (c *Client) FulfilReservation(ctx context.Context, id string, quantity *int) (*Reservation, error) {
	var out struct{ FulfilReservation Reservation }
	vars := map[string]any{"id": id, "quantity": quantity}
	q := `mutation($id: ID!, $quantity: Int) { fulfilReservation(id: $id, quantity: $quantity) { ` + reservationFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("fulfilling reservation %s: %w", id, err)
	}
	return &out.FulfilReservation, nil
}

// Reservations returns up to first reservations the node holds, newest
// first: with status, of sku, of warehouse ("" for any).
func (c *Client) Reservations(ctx context.Context, status, sku, warehouse string, first int) ([]Reservation, error) {
	var out struct {
		Reservations struct{ Edges []struct{ Node Reservation } }
	}
	q := `query($status: ReservationStatus, $sku: ID, $warehouse: ID, $first: Int) {
  reservations(status: $status, sku: $sku, warehouse: $warehouse, first: $first) { edges { node { ` + reservationFields + ` } } } }`
	vars := map[string]any{"status": nullable(status), "sku": nullable(sku), "warehouse": nullable(warehouse), "first": first}
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("listing reservations: %w", err)
	}
	rs := make([]Reservation, len(out.Reservations.Edges))
	for i, e := range out.Reservations.Edges {
		rs[i] = e.Node
	}
	return rs, nil
}

// Availability returns the warehouses the node holds that can supply
// quantity units of sku now, most available first.
func (c *Client) Availability(ctx context.Context, sku string, quantity int) ([]Level, error) {
	var out struct{ Availability []Level }
	q := `query($sku: ID!, $q: Int!) { availability(sku: $sku, quantity: $q) {
  warehouse { ` + warehouseFields + ` online departed behind } quantity reserved available asOf } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"sku": sku, "q": quantity}, &out); err != nil {
		return nil, fmt.Errorf("finding who has %d × %s: %w", quantity, sku, err)
	}
	return out.Availability, nil
}
