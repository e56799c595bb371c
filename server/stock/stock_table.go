package stock

import (
	"context"

	"github.com/stockmesh/stockmesh/server/auth"
)

// The stock table: every live product of every warehouse this node holds,
// a row per sku and a column per warehouse, as the dashboard shows it. It
// is read in columns (StockColumn) so that 5,000 skus × 3 warehouses
// travel, through the queue and as JSON, as a few lists of numbers rather
// than 15,000 objects.

// Bounds of a StockTableQuery's page.
const (
	// DefaultStockTableRows is the skus of a page when First is 0.
	DefaultStockTableRows = 1000
	// MaxStockTableRows is the most skus of a page.
	MaxStockTableRows = 5000
)

// StockTableQuery asks for a page of the stock table: the First skus
// (DefaultStockTableRows when 0, at most MaxStockTableRows) after the sku
// After ("" for the first page), in sku order.
type StockTableQuery struct {
	First int    `json:"first,omitempty"`
	After string `json:"after,omitempty"`
}

// Normalize validates the query in place.
func (q *StockTableQuery) Normalize() error {
	switch {
	case q.First == 0:
		q.First = DefaultStockTableRows
	case q.First < 0 || q.First > MaxStockTableRows:
		return invalid("first", "must be 1 to %d", MaxStockTableRows)
	}
	if q.After != "" {
		sku, err := NormalizeSKU(q.After)
		if err != nil {
			return invalid("after", "must be a sku")
		}
		q.After = sku
	}
	return nil
}

// StockTable is a page of the stock table: its skus in order, their names
// (the first warehouse's with a live product of the sku, in column
// order), and a column per warehouse this node holds, the local one first,
// then by id.
type StockTable struct {
	SKUs    []string      `json:"skus"`
	Names   []string      `json:"names"`
	Columns []StockColumn `json:"columns"`
	// HasNextPage tells whether skus follow the page's last.
	HasNextPage bool `json:"hasNextPage"`
}

// EndCursor returns the page's last sku, the After of the next page; nil
// for an empty page.
func (t *StockTable) EndCursor() *string {
	if len(t.SKUs) == 0 {
		return nil
	}
	return &t.SKUs[len(t.SKUs)-1]
}

// StockColumn is one warehouse's stock of a page's skus, in the order of
// the page's SKUs: nil where the warehouse has no live product of the
// sku. InTransit is the units on their way to the warehouse (see
// Transfer.InTransit, as StockLevel.InTransit counts them), 0 for none.
type StockColumn struct {
	Warehouse    string   `json:"warehouse"`
	Quantity     []*int64 `json:"quantity"`
	Available    []*int64 `json:"available"`
	ReorderPoint []*int64 `json:"reorderPoint"`
	InTransit    []int64  `json:"inTransit"`
}

// NewStockColumn returns the empty column of warehouse for n skus.
func NewStockColumn(warehouse string, n int) StockColumn {
	return StockColumn{Warehouse: warehouse, Quantity: make([]*int64, n), Available: make([]*int64, n),
		ReorderPoint: make([]*int64, n), InTransit: make([]int64, n)}
}

// Put sets row i of the column to the live product p (Reserved filled).
func (c *StockColumn) Put(i int, p *Product) {
	q, a, rp := p.Quantity, p.Available(), p.ReorderPoint
	c.Quantity[i], c.Available[i], c.ReorderPoint[i] = &q, &a, &rp
}

// OpStockTable reads a page of the stock table in one read snapshot.
var OpStockTable = Op[StockTableQuery, StockTable]{"stock.table", ClassLookup, auth.RoleViewer}

// StockTable returns a page of the stock table (see StockTableQuery).
func (s *Service) StockTable(ctx context.Context, q StockTableQuery) (*StockTable, error) {
	return call(ctx, s, OpStockTable, &q)
}
