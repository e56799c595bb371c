package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// A sku's stock over time: its stock before the period (the balance of its
// last movement before from, one indexed lookup per warehouse), then the
// net units of each step, which a movement report grouped by warehouse and
// step reads from the rollup (report.go: whole hours from the rollup, the
// hours from and to cut from the ledger), summed up by stock.StockSeries.
// All of it in one read transaction: one snapshot.

// historyWarehousesSQL lists the warehouses holding movements of a sku
// (the rollup's rows of it) or a live product of it.
const historyWarehousesSQL = `SELECT DISTINCT warehouse_id FROM movement_rollup WHERE sku = ?1
	UNION SELECT warehouse_id FROM products WHERE sku = ?1 AND deleted_at IS NULL`

// openingSQL is the balance after the last movement of a sku in a
// warehouse strictly before a moment.
const openingSQL = `SELECT balance FROM movements INDEXED BY movement_sku_created_at_warehouse_id_seq
	WHERE sku = ? AND +warehouse_id = ? AND created_at < ?
	ORDER BY created_at DESC, warehouse_id DESC, seq DESC LIMIT 1`

// stockHistory answers a StockHistoryQuery.
func (s *Store) stockHistory(ctx context.Context, q *stock.StockHistoryQuery) (*stock.StockHistory, error) {
	if q.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Warehouse); err != nil {
			return nil, err
		}
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	whs, err := s.historyWarehouses(ctx, tx, q)
	if err != nil {
		return nil, err
	}
	opening := map[string]int64{}
	for _, wh := range whs {
		var qty int64
		err := tx.QueryRowContext(ctx, openingSQL, q.SKU, wh, q.From).Scan(&qty)
		if err != nil && err != sql.ErrNoRows {
			return nil, err
		}
		opening[wh] = qty
	}
	loc, err := q.Location()
	if err != nil {
		return nil, err
	}
	net, err := historyNets(ctx, tx, q, loc, s.keys)
	if err != nil {
		return nil, err
	}
	return &stock.StockHistory{Points: stock.StockSeries(q, loc, whs, opening, net)}, nil
}

// historyWarehouses returns the warehouses q covers, the local one first,
// then by id.
func (s *Store) historyWarehouses(ctx context.Context, tx *sql.Tx, q *stock.StockHistoryQuery) ([]string, error) {
	if q.Warehouse != "" {
		return []string{q.Warehouse}, nil
	}
	return s.warehousesOf(ctx, tx, historyWarehousesSQL, q.SKU)
}

// warehousesOf returns the warehouse ids query selects (one column), the
// local one first, then by id: the order of every table of warehouses.
func (s *Store) warehousesOf(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var whs []string
	for rows.Next() {
		var wh string
		if err := rows.Scan(&wh); err != nil {
			return nil, err
		}
		whs = append(whs, wh)
	}
	local := s.localID()
	slices.SortFunc(whs, func(a, b string) int { return cmp.Or(boolOrder(a == local, b == local), cmp.Compare(a, b)) })
	return whs, rows.Err()
}

// historyNets returns the net units of q's sku by warehouse and period key
// (periods in loc) over [q.From, q.To), from the rollup, as a movement
// report in q's zone groups them.
func historyNets(ctx context.Context, tx *sql.Tx, q *stock.StockHistoryQuery, loc *time.Location, keys hasher) (map[string]map[string]int64, error) {
	from, to := q.From, q.To
	rq := &stock.ReportQuery{
		Filter:   stock.MovementFilter{SKU: q.SKU, Warehouse: q.Warehouse, From: &from, To: &to},
		GroupBy:  []stock.ReportGroup{stock.GroupWarehouse, q.Step},
		TimeZone: q.TimeZone,
	}
	t := newTotals(rq, loc)
	if err := rollupTotals(ctx, tx, t, rq.Filter, keys); err != nil {
		return nil, err
	}
	net := map[string]map[string]int64{}
	for _, r := range t.rows {
		wh, period := r.Keys[0], r.Keys[1]
		if net[wh] == nil {
			net[wh] = map[string]int64{}
		}
		net[wh][period] += r.Net
	}
	return net, nil
}
