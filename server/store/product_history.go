package store

import (
	"context"
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createProductIndex indexes the log's product entries by origin and sku,
// for a product's history. It is partial: movement entries (data NULL)
// are not in it, so the writer's hot path pays nothing for it.
const createProductIndex = `CREATE INDEX IF NOT EXISTS change_log_product ON change_log
	(origin, (CAST(data AS TEXT) ->> '$.product.sku'), seq) WHERE data IS NOT NULL`

// productHistorySQL reads the product entries of a sku of a warehouse.
const productHistorySQL = `SELECT data FROM change_log INDEXED BY change_log_product
	WHERE origin = ? AND CAST(data AS TEXT) ->> '$.product.sku' = ? AND data IS NOT NULL ORDER BY seq`

// productHistory returns a sku's changes in its warehouse, oldest first.
func (s *Store) productHistory(ctx context.Context, r *stock.ProductRef) (*stock.ProductHistory, error) {
	wh, err := s.warehouseFor(ctx, r.Warehouse)
	if err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, productHistorySQL, wh, r.SKU)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &stock.ProductHistory{Changes: []stock.ProductChange{}}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		var e stock.LogEntry
		if err := s.decodeEntry(data, &e); err != nil {
			return nil, fmt.Errorf("decoding a log entry of %s %s: %w", wh, r.SKU, err)
		}
		if c, ok := stock.ProductChangeOf(&e); ok {
			out.Changes = append(out.Changes, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out.Changes) == 0 {
		return nil, notFound(r.SKU)
	}
	return out, nil
}
