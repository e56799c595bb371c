package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/stockmesh/stockmesh/server/stock"
)

// A page of the stock table (stock.StockTable) in one read snapshot: each
// warehouse's first skus after the cursor through the live products'
// (warehouse, sku) index, merged into the page's skus; then the active
// reservations and the open transfers of the page's sku range, each in
// one grouped pass.

// tableWarehousesSQL lists the warehouses this node holds.
const tableWarehousesSQL = `SELECT id FROM warehouses`

// tableProductsSQL selects a warehouse's live products after a sku, in
// sku order.
const tableProductsSQL = `SELECT sku, name, quantity, reorder_point FROM products
	WHERE warehouse_id = ? AND deleted_at IS NULL AND sku > ? ORDER BY sku LIMIT ?`

// tableReservedSQL selects the units active reservations hold, by
// warehouse and sku, of the skus in (?1, ?2].
const tableReservedSQL = `SELECT warehouse_id, sku, SUM(quantity) FROM reservations
	WHERE status = 'ACTIVE' AND sku > ?1 AND sku <= ?2 GROUP BY 1, 2`

// tableInTransitSQL selects the units on their way to each warehouse, by
// sku, of the skus in (?1, ?2] (see inTransitSQL).
const tableInTransitSQL = `SELECT ` + inTransitTo + `, sku, SUM(quantity) FROM transfers
	WHERE ` + inTransitOpen + ` AND sku > ?1 AND sku <= ?2 GROUP BY 1, 2`

// stockTable answers a StockTableQuery.
func (s *Store) stockTable(ctx context.Context, q *stock.StockTableQuery) (*stock.StockTable, error) {
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("reading the stock table: %w", err)
	}
	defer tx.Rollback()
	whs, err := s.tableWarehouses(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("reading the stock table's warehouses: %w", err)
	}
	byWarehouse := make([][]stock.Product, len(whs))
	for i, wh := range whs {
		if byWarehouse[i], err = tableProducts(ctx, tx, wh, q); err != nil {
			return nil, fmt.Errorf("reading the stock table of %s: %w", wh, err)
		}
	}
	t, row := tablePage(q, whs, byWarehouse)
	if len(t.SKUs) == 0 {
		return t, nil
	}
	col := make(map[string]int, len(whs))
	for i, wh := range whs {
		col[wh] = i
	}
	fill := func(query string, set func(c *stock.StockColumn, i int, n int64)) error {
		return tableSums(ctx, tx, query, q.After, t.SKUs[len(t.SKUs)-1], func(wh, sku string, n int64) {
			c, ok := col[wh]
			i, ok2 := row[sku]
			if ok && ok2 {
				set(&t.Columns[c], i, n)
			}
		})
	}
	if err := fill(tableReservedSQL, func(c *stock.StockColumn, i int, n int64) {
		if c.Quantity[i] != nil {
			a := stock.Available(*c.Quantity[i], n)
			c.Available[i] = &a
		}
	}); err != nil {
		return nil, fmt.Errorf("reading the stock table's reservations: %w", err)
	}
	if err := fill(tableInTransitSQL, func(c *stock.StockColumn, i int, n int64) { c.InTransit[i] = n }); err != nil {
		return nil, fmt.Errorf("reading the stock table's transfers: %w", err)
	}
	return t, nil
}

// tableWarehouses returns the warehouses this node holds, the local one
// first, then by id.
func (s *Store) tableWarehouses(ctx context.Context, tx *sql.Tx) ([]string, error) {
	return s.warehousesOf(ctx, tx, tableWarehousesSQL)
}

// tableProducts returns the first q.First+1 live products of wh after
// q.After, in sku order: every sku of the page that wh holds is among
// them, as at most q.First skus of any warehouse come before it.
func tableProducts(ctx context.Context, tx *sql.Tx, wh string, q *stock.StockTableQuery) ([]stock.Product, error) {
	rows, err := tx.QueryContext(ctx, tableProductsSQL, wh, q.After, q.First+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []stock.Product
	for rows.Next() {
		p := stock.Product{Warehouse: wh}
		if err := rows.Scan(&p.SKU, &p.Name, &p.Quantity, &p.ReorderPoint); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// tablePage merges the warehouses' products into the page: the first
// q.First skus any of them holds, each product in its warehouse's column
// (available as its quantity until reservations are read). It returns
// the page and each sku's row.
func tablePage(q *stock.StockTableQuery, whs []string, byWarehouse [][]stock.Product) (*stock.StockTable, map[string]int) {
	var skus []string
	for _, ps := range byWarehouse {
		for _, p := range ps {
			skus = append(skus, p.SKU)
		}
	}
	slices.Sort(skus)
	skus = slices.Compact(skus)
	t := &stock.StockTable{SKUs: skus[:min(len(skus), q.First)], HasNextPage: len(skus) > q.First, Columns: []stock.StockColumn{}}
	t.Names = make([]string, len(t.SKUs))
	row := make(map[string]int, len(t.SKUs))
	for i, sku := range t.SKUs {
		row[sku] = i
	}
	for c, wh := range whs {
		col := stock.NewStockColumn(wh, len(t.SKUs))
		for _, p := range byWarehouse[c] {
			if i, ok := row[p.SKU]; ok {
				col.Put(i, &p)
				if t.Names[i] == "" {
					t.Names[i] = p.Name
				}
			}
		}
		t.Columns = append(t.Columns, col)
	}
	return t, row
}

// tableSums runs query, a grouped sum by warehouse and sku over the skus
// in (after, last], calling add for each group.
func tableSums(ctx context.Context, tx *sql.Tx, query, after, last string, add func(wh, sku string, n int64)) error {
	rows, err := tx.QueryContext(ctx, query, after, last)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var wh, sku string
		var n int64
		if err := rows.Scan(&wh, &sku, &n); err != nil {
			return err
		}
		add(wh, sku, n)
	}
	return rows.Err()
}
