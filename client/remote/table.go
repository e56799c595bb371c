package remote

import (
	"context"
	"fmt"
)

// stockTablePage is a page of stockTable as InTransit reads it.
type stockTablePage struct {
	SKUs        []string `json:"skus"`
	HasNextPage bool     `json:"hasNextPage"`
	EndCursor   *string  `json:"endCursor"`
	Columns     []struct {
		Warehouse string `json:"warehouse"`
		InTransit []int  `json:"inTransit"`
	} `json:"columns"`
}

// InTransit returns the units on their way to each warehouse, by sku and
// then warehouse (none left out as 0), of every sku the node's stock
// table holds, as the node counts them (StockLevel.inTransit: units on
// their way back to a sender included), a page of 5,000 skus at a time.
func (c *Client) InTransit(ctx context.Context) (map[string]map[string]int, error) {
	const q = `query($after: ID) { stockTable(first: 5000, after: $after) {
		skus hasNextPage endCursor columns { warehouse inTransit } } }`
	out := map[string]map[string]int{}
	var after *string
	for {
		var d struct{ StockTable stockTablePage }
		if err := c.Do(ctx, Repeatable, q, map[string]any{"after": after}, &d); err != nil {
			return nil, fmt.Errorf("reading the units in transit: %w", err)
		}
		for _, col := range d.StockTable.Columns {
			for i, n := range col.InTransit {
				if n == 0 || i >= len(d.StockTable.SKUs) {
					continue
				}
				sku := d.StockTable.SKUs[i]
				if out[sku] == nil {
					out[sku] = map[string]int{}
				}
				out[sku][col.Warehouse] = n
			}
		}
		if !d.StockTable.HasNextPage || d.StockTable.EndCursor == nil {
			return out, nil
		}
		after = d.StockTable.EndCursor
	}
}
