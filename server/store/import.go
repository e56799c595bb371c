package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// importProducts creates or updates every row's product in the local
// warehouse. It runs in one savepoint (a slow write job), so a row that
// fails undoes the rows before it: the import applies whole or not at all.
// The live products it names are read in one query, and new ones are
// written by the writer's prepared statements, not ent. It takes at most
// stock.ImportChunk rows: a larger import is staged (import_staged.go).
func (b *batch) importProducts(im *stock.ProductImport) (*stock.ImportResult, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	key, fp := storedKey(im.IdempotencyKey), ""
	if key != "" {
		var first *stock.ImportResult
		if first, fp, err = b.importByKey(wh.ID, key, im); err != nil || first != nil {
			return first, err
		}
	}
	out := &stock.ImportResult{}
	if err := b.importRows(wh.ID, im.Rows, out); err != nil {
		return nil, err
	}
	if key != "" {
		return out, b.keepImport(wh.ID, key, fp, out)
	}
	return out, nil
}

// createImportKeys creates the idempotency keys of imports (hashed, see
// storedKey), each with the keyed fingerprint of its rows and the result
// it answered. They are this node's own: not replicated, never expiring.
const createImportKeys = `CREATE TABLE IF NOT EXISTS import_keys (
	warehouse_id TEXT NOT NULL,
	key TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	result TEXT NOT NULL,
	at INTEGER NOT NULL,
	PRIMARY KEY (warehouse_id, key)
) WITHOUT ROWID`

// importByKey returns the result of the import of warehouse made with key
// (stored) and the fingerprint of im's rows; a nil result when there was
// none, INVALID_INPUT when it was made with other rows.
func (b *batch) importByKey(warehouse, key string, im *stock.ProductImport) (*stock.ImportResult, string, error) {
	rows, err := json.Marshal(im.Rows)
	if err != nil {
		return nil, "", fmt.Errorf("fingerprinting an import: %w", err)
	}
	fp := b.s.digest(rows)
	p, err := b.importOfKey(warehouse, key, fp, im.IdempotencyKey)
	if err != nil || p == nil {
		return nil, fp, err
	}
	return &p.Result, fp, nil
}

// keepImport records the result of the import of warehouse made with key
// (stored) and rows of fingerprint fp, in the import's savepoint.
func (b *batch) keepImport(warehouse, key, fp string, out *stock.ImportResult) error {
	result, err := json.Marshal(out)
	if err == nil {
		b.wrote = true
		_, err = b.wc.conn.ExecContext(b.ctx, `INSERT INTO import_keys (warehouse_id, key, fingerprint, result, at)
			VALUES (?, ?, ?, ?, ?)`, warehouse, key, fp, string(result), b.now().UnixNano())
	}
	if err != nil {
		return fmt.Errorf("recording an import's idempotency key: %w", err)
	}
	return nil
}

// importRows creates or updates the products of rows in warehouse,
// reading the live ones in one query, and counts what it did in out: the
// live ones a row at a time, the new ones together (createImported).
func (b *batch) importRows(warehouse string, rows []stock.ImportRow, out *stock.ImportResult) error {
	live, err := b.liveProducts(warehouse, rows)
	if err != nil {
		return err
	}
	var fresh []*stock.ImportRow
	for i := range rows {
		r := &rows[i]
		if live[r.SKU] == nil {
			fresh = append(fresh, r)
			continue
		}
		if err := b.importRow(r, live[r.SKU], out); err != nil {
			if e, ok := err.(*stock.Error); ok {
				return stock.Errorf(e.Code, "line %d (%s): %s; nothing was imported", r.Line, r.SKU, e.Message)
			}
			return fmt.Errorf("importing line %d (%s): %w", r.Line, r.SKU, err)
		}
	}
	if err := b.createImported(warehouse, fresh); err != nil {
		return fmt.Errorf("creating %d imported products: %w", len(fresh), err)
	}
	out.Created += len(fresh)
	return nil
}

// importRow updates p, r's live product, counting what it did in out.
func (b *batch) importRow(r *stock.ImportRow, p *ent.Product, out *stock.ImportResult) error {
	before, u := p.Seq, r.Update()
	if err := b.changeProduct(p, &u); err != nil {
		return err
	}
	if p.Seq != before {
		out.Updated++
	} else {
		out.Unchanged++
	}
	return nil
}

// liveProductsSQL selects the live products of a warehouse whose skus a
// JSON array names, through the live products' unique index.
const liveProductsSQL = `SELECT id, sku, name, description, price, quantity, reorder_point, seq,
	created_at, updated_at, max_stock FROM products WHERE warehouse_id = ? AND deleted_at IS NULL
	AND sku IN (SELECT value FROM json_each(?))`

// liveProducts returns, by sku, the live products of warehouse that rows
// name, read in one query.
func (b *batch) liveProducts(warehouse string, rows []stock.ImportRow) (map[string]*ent.Product, error) {
	var skus strings.Builder
	skus.WriteByte('[')
	for i := range rows {
		if i > 0 {
			skus.WriteByte(',')
		}
		skus.Write(stock.AppendJSONString(nil, rows[i].SKU))
	}
	skus.WriteByte(']')
	q, err := b.wc.conn.QueryContext(b.ctx, liveProductsSQL, warehouse, skus.String())
	if err != nil {
		return nil, fmt.Errorf("reading the products an import names: %w", err)
	}
	defer q.Close()
	live := map[string]*ent.Product{}
	for q.Next() {
		p := &ent.Product{WarehouseID: warehouse}
		if err := q.Scan(&p.ID, &p.Sku, &p.Name, &p.Description, &p.Price, &p.Quantity, &p.ReorderPoint, &p.Seq,
			&p.CreatedAt, &p.UpdatedAt, &p.MaxStock); err != nil {
			return nil, fmt.Errorf("reading the products an import names: %w", err)
		}
		live[p.Sku] = p
	}
	return live, q.Err()
}
