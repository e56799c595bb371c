package remote

import (
	"context"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
)

// The statuses of a transfer.
const (
	TransferInTransit       = "IN_TRANSIT"
	TransferCancelRequested = "CANCEL_REQUESTED"
	TransferReceived        = "RECEIVED"
	TransferCancelled       = "CANCELLED"
)

// Transfer is a transfer of stock between two warehouses.
type Transfer struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	SKU         string     `json:"sku"`
	Quantity    int        `json:"quantity"`
	From        Warehouse  `json:"from"`
	To          Warehouse  `json:"to"`
	Reference   *string    `json:"reference"`
	Note        *string    `json:"note"`
	CreatedAt   time.Time  `json:"createdAt"`
	ReceivedAt  *time.Time `json:"receivedAt"`
	CancelledAt *time.Time `json:"cancelledAt"`
}

// NewTransfer is what TransferStock sends.
type NewTransfer struct {
	SKU            string  `json:"sku"`
	To             string  `json:"to"`
	Quantity       int     `json:"quantity"`
	Reference      *string `json:"reference,omitempty"`
	Note           *string `json:"note,omitempty"`
	IdempotencyKey string  `json:"idempotencyKey,omitempty"`
}

const transferFields = `id status sku quantity from { ` + warehouseFields + ` } to { ` + warehouseFields + ` } reference note createdAt receivedAt cancelledAt`

// TransferStock sends stock to another warehouse. It carries an
// idempotency key (a random one when in has none) and is therefore
// retried after any dropped connection without sending twice.
func (c *Client) TransferStock(ctx context.Context, in NewTransfer) (*Transfer, error) {
	if in.IdempotencyKey == "" {
		in.IdempotencyKey = NewIdempotencyKey()
	}
	var out struct{ TransferStock Transfer }
	q := `mutation($input: TransferInput!) { transferStock(input: $input) { ` + transferFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"input": in}, &out); err != nil {
		return nil, fmt.Errorf("transferring %s to %s: %w", in.SKU, in.To, err)
	}
	return &out.TransferStock, nil
}

// ReceiveTransfer receives a transfer on its receiving node. Receiving
// twice changes nothing, so it is retried after a dropped connection.
func (c *Client) ReceiveTransfer(ctx context.Context, id string) (*Transfer, error) {
	var out struct{ ReceiveTransfer Transfer }
	q := `mutation($id: ID!) { receiveTransfer(id: $id) { ` + transferFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("receiving transfer %s: %w", id, err)
	}
	return &out.ReceiveTransfer, nil
}

// CancelTransfer cancels a transfer (on its receiver), or asks its
// receiver to (on its sender). Cancelling twice changes nothing, so it is
// retried after a dropped connection.
func (c *Client) CancelTransfer(ctx context.Context, id string) (*Transfer, error) {
	var out struct{ CancelTransfer Transfer }
	q := `mutation($id: ID!) { cancelTransfer(id: $id) { ` + transferFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("cancelling transfer %s: %w", id, err)
	}
	return &out.CancelTransfer, nil
}

// Transfers returns up to first transfers the node knows, newest first:
// with status ("" for any), from or to warehouse ("" for any).
func (c *Client) Transfers(ctx context.Context, status, warehouse string, first int) ([]Transfer, error) {
	var out struct {
		Transfers struct{ Edges []struct{ Node Transfer } }
	}
	q := `query($status: TransferStatus, $warehouse: ID, $first: Int) {
  transfers(status: $status, warehouse: $warehouse, first: $first) { edges { node { ` + transferFields + ` } } } }`
	vars := map[string]any{"status": nullable(status), "warehouse": nullable(warehouse), "first": first}
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("listing transfers: %w", err)
	}
	ts := make([]Transfer, len(out.Transfers.Edges))
	for i, e := range out.Transfers.Edges {
		ts[i] = e.Node
	}
	return ts, nil
}

// Transfer returns the transfer with id as the node knows it; a NOT_FOUND
// error when it does not know it (yet).
func (c *Client) Transfer(ctx context.Context, id string) (*Transfer, error) {
	var out struct{ Transfer *Transfer }
	q := `query($id: ID!) { transfer(id: $id) { ` + transferFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("getting transfer %s: %w", id, err)
	}
	if out.Transfer == nil {
		return nil, fmt.Errorf("getting transfer %s: %w", id, &Error{Code: api.CodeNotFound, Message: "no transfer " + id})
	}
	return out.Transfer, nil
}
