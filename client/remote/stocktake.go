package remote

import (
	"context"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
)

// The statuses of a stocktake.
const (
	StocktakeOpen      = "OPEN"
	StocktakeFinalized = "FINALIZED"
	StocktakeCancelled = "CANCELLED"
)

// Stocktake is a physical count of products of one warehouse.
type Stocktake struct {
	ID            string          `json:"id"`
	Warehouse     Warehouse       `json:"warehouse"`
	Status        string          `json:"status"`
	Note          *string         `json:"note"`
	CreatedAt     time.Time       `json:"createdAt"`
	FinalizedAt   *time.Time      `json:"finalizedAt"`
	VarianceValue string          `json:"varianceValue"`
	Lines         []StocktakeLine `json:"lines"`
}

// StocktakeLine is one sku of a stocktake; the pointers are nil until it
// is counted.
type StocktakeLine struct {
	SKU       string     `json:"sku"`
	Snapshot  int        `json:"snapshot"`
	Counted   *int       `json:"counted"`
	Expected  *int       `json:"expected"`
	Variance  *int       `json:"variance"`
	CountedAt *time.Time `json:"countedAt"`
	CountedBy *string    `json:"countedBy"`
}

const (
	lineFields      = `sku snapshot counted expected variance countedAt countedBy`
	stocktakeFields = `id warehouse { ` + warehouseFields + ` } status note createdAt finalizedAt varianceValue lines { ` + lineFields + ` }`
)

// StartStocktake starts a stocktake of skus (nil: every live product).
// It is not retried: a retry after a lost answer would be refused as a
// second stocktake of the same skus.
func (c *Client) StartStocktake(ctx context.Context, skus []string, note string) (*Stocktake, error) {
	var out struct{ StartStocktake Stocktake }
	in := map[string]any{"note": nullable(note)}
	if skus != nil {
		in["skus"] = skus
	}
	q := `mutation($input: StartStocktakeInput!) { startStocktake(input: $input) { ` + stocktakeFields + ` } }`
	if err := c.Do(ctx, Once, q, map[string]any{"input": in}, &out); err != nil {
		return nil, fmt.Errorf("starting a stocktake: %w", err)
	}
	return &out.StartStocktake, nil
}

// RecordCount records a count of sku; recording the same count again
// changes nothing but its time, so it is retried after a dropped
// connection.
func (c *Client) RecordCount(ctx context.Context, stocktake, sku string, counted int) (*StocktakeLine, error) {
	var out struct{ RecordCount StocktakeLine }
	q := `mutation($input: RecordCountInput!) { recordCount(input: $input) { ` + lineFields + ` } }`
	in := map[string]any{"stocktake": stocktake, "sku": sku, "counted": counted}
	if err := c.Do(ctx, Repeatable, q, map[string]any{"input": in}, &out); err != nil {
		return nil, fmt.Errorf("recording the count of %s: %w", sku, err)
	}
	return &out.RecordCount, nil
}

// FinalizeStocktake posts a stocktake's variances; finalizing twice
// changes nothing, so it is retried after a dropped connection.
func (c *Client) FinalizeStocktake(ctx context.Context, id string) (*Stocktake, error) {
	var out struct{ FinalizeStocktake Stocktake }
	q := `mutation($id: ID!) { finalizeStocktake(id: $id) { ` + stocktakeFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("finalizing stocktake %s: %w", id, err)
	}
	return &out.FinalizeStocktake, nil
}

// CancelStocktake cancels an open stocktake; cancelling twice changes
// nothing, so it is retried after a dropped connection.
func (c *Client) CancelStocktake(ctx context.Context, id string) (*Stocktake, error) {
	var out struct{ CancelStocktake Stocktake }
	q := `mutation($id: ID!) { cancelStocktake(id: $id) { ` + stocktakeFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("cancelling stocktake %s: %w", id, err)
	}
	return &out.CancelStocktake, nil
}

// Stocktake returns the stocktake with id and its lines.
func (c *Client) Stocktake(ctx context.Context, id string) (*Stocktake, error) {
	var out struct{ Stocktake *Stocktake }
	q := `query($id: ID!) { stocktake(id: $id) { ` + stocktakeFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("getting stocktake %s: %w", id, err)
	}
	if out.Stocktake == nil {
		return nil, fmt.Errorf("getting stocktake %s: %w", id, &Error{Code: api.CodeNotFound, Message: "no stocktake " + id})
	}
	return out.Stocktake, nil
}

// Stocktakes returns up to first stocktakes, newest first: with status, of
// warehouse ("" for any).
func (c *Client) Stocktakes(ctx context.Context, status, warehouse string, first int) ([]Stocktake, error) {
	var out struct {
		Stocktakes struct{ Edges []struct{ Node Stocktake } }
	}
	q := `query($status: StocktakeStatus, $warehouse: ID, $first: Int) {
  stocktakes(status: $status, warehouse: $warehouse, first: $first) { edges { node { ` + stocktakeFields + ` } } } }`
	vars := map[string]any{"status": nullable(status), "warehouse": nullable(warehouse), "first": first}
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("listing stocktakes: %w", err)
	}
	ss := make([]Stocktake, len(out.Stocktakes.Edges))
	for i, e := range out.Stocktakes.Edges {
		ss[i] = e.Node
	}
	return ss, nil
}
