package remote

import (
	"context"
	"fmt"
	"time"
)

// Suggestion is a transfer a replenishment plan suggests.
type Suggestion struct {
	SKU             string    `json:"sku"`
	From            Warehouse `json:"from"`
	To              Warehouse `json:"to"`
	Quantity        int       `json:"quantity"`
	Reason          string    `json:"reason"`
	FromDaysOfCover *float64  `json:"fromDaysOfCover"`
	ToDaysOfCover   *float64  `json:"toDaysOfCover"`
}

// The statuses of a transfer request.
const (
	RequestOpen      = "OPEN"
	RequestAccepted  = "ACCEPTED"
	RequestDeclined  = "DECLINED"
	RequestCancelled = "CANCELLED"
)

// TransferRequest is a request of warehouse To for stock of warehouse From.
type TransferRequest struct {
	ID        string     `json:"id"`
	Status    string     `json:"status"`
	SKU       string     `json:"sku"`
	Quantity  int        `json:"quantity"`
	From      Warehouse  `json:"from"`
	To        Warehouse  `json:"to"`
	Note      *string    `json:"note"`
	Reason    *string    `json:"reason"`
	CreatedAt time.Time  `json:"createdAt"`
	DecidedAt *time.Time `json:"decidedAt"`
	Transfer  *struct {
		ID string `json:"id"`
	} `json:"transfer"`
}

const (
	suggestionFields = `sku from { ` + warehouseFields + ` } to { ` + warehouseFields + ` } quantity reason fromDaysOfCover toDaysOfCover`
	requestFields    = `id status sku quantity from { ` + warehouseFields + ` } to { ` + warehouseFields + ` } note reason createdAt decidedAt transfer { id }`
)

// ReplenishmentPlan returns the transfers the node's plan suggests, for
// warehouse ("" for every one it holds).
func (c *Client) ReplenishmentPlan(ctx context.Context, warehouse string) ([]Suggestion, error) {
	var out struct{ ReplenishmentPlan []Suggestion }
	q := `query($w: ID) { replenishmentPlan(warehouse: $w) { ` + suggestionFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"w": nullable(warehouse)}, &out); err != nil {
		return nil, fmt.Errorf("planning replenishment: %w", err)
	}
	return out.ReplenishmentPlan, nil
}

// RequestTransfer asks warehouse from for quantity units of sku. It
// carries an idempotency key, so it is retried after a dropped connection
// without asking twice.
func (c *Client) RequestTransfer(ctx context.Context, sku, from string, quantity int) (*TransferRequest, error) {
	var out struct{ RequestTransfer TransferRequest }
	q := `mutation($in: RequestTransferInput!) { requestTransfer(input: $in) { ` + requestFields + ` } }`
	in := map[string]any{"sku": sku, "from": from, "quantity": quantity, "idempotencyKey": NewIdempotencyKey()}
	if err := c.Do(ctx, Repeatable, q, map[string]any{"in": in}, &out); err != nil {
		return nil, fmt.Errorf("requesting %d × %s from %s: %w", quantity, sku, from, err)
	}
	return &out.RequestTransfer, nil
}

// TransferRequests returns up to first requests the node holds, newest
// first, to or from warehouse ("" for any).
func (c *Client) TransferRequests(ctx context.Context, warehouse string, first int) ([]TransferRequest, error) {
	var out struct {
		TransferRequests struct {
			Edges []struct{ Node TransferRequest }
		}
	}
	q := `query($w: ID, $first: Int) { transferRequests(warehouse: $w, first: $first) { edges { node { ` + requestFields + ` } } } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"w": nullable(warehouse), "first": first}, &out); err != nil {
		return nil, fmt.Errorf("listing transfer requests: %w", err)
	}
	rs := make([]TransferRequest, len(out.TransferRequests.Edges))
	for i, e := range out.TransferRequests.Edges {
		rs[i] = e.Node
	}
	return rs, nil
}

// AcceptTransferRequest accepts a request, sending quantity units (nil:
// all it asks). Accepting twice sends one transfer, so it is retried after a
// dropped connection.
func (c *Client) AcceptTransferRequest(ctx context.Context, id string, quantity *int) (*TransferRequest, error) {
	var out struct{ AcceptTransferRequest TransferRequest }
	vars := map[string]any{"id": id, "q": quantity}
	q := `mutation($id: ID!, $q: Int) { acceptTransferRequest(id: $id, quantity: $q) { ` + requestFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("accepting request %s: %w", id, err)
	}
	return &out.AcceptTransferRequest, nil
}

// DeclineTransferRequest declines a request with reason ("" for none).
// Declining twice changes nothing, so it is retried after a dropped
// connection.
func (c *Client) DeclineTransferRequest(ctx context.Context, id, reason string) (*TransferRequest, error) {
	var out struct{ DeclineTransferRequest TransferRequest }
	q := `mutation($id: ID!, $r: String) { declineTransferRequest(id: $id, reason: $r) { ` + requestFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id, "r": nullable(reason)}, &out); err != nil {
		return nil, fmt.Errorf("declining request %s: %w", id, err)
	}
	return &out.DeclineTransferRequest, nil
}
