package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/predicate"
	"github.com/stockmesh/stockmesh/ent/product"
	"github.com/stockmesh/stockmesh/server/stock"
)

// HandleRead executes one read job on a read-only connection until ctx
// (the caller's deadline) is done, which interrupts SQLite. A listing runs
// inside one read transaction, so a page and its total come from the same
// snapshot. It is safe for concurrent use.
func (s *Store) HandleRead(ctx context.Context, raw []byte) []byte {
	meta, body, err := stock.DecodeJob(raw)
	if err != nil {
		return stock.EncodeError(stock.Errorf(stock.CodeInvalidInput, "malformed job: %v", err))
	}
	h, err := s.ops.lookup(meta.Op, false)
	if err != nil {
		return stock.EncodeError(err.(*stock.Error))
	}
	out, err := h.read(ctx, s, body)
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", stock.Errorf(stock.CodeUnavailable, "the read did not finish in time, try again"), err)
		}
		return s.fail(meta.Op, err)
	}
	return out
}

// getWarehouse returns the local warehouse.
func (s *Store) getWarehouse(context.Context, *stock.Empty) (*stock.Warehouse, error) {
	if wh := s.local.Load(); wh != nil {
		return wh, nil
	}
	return nil, stock.ErrNoWarehouse
}

// readTx runs fn on an ent client inside one read transaction.
func readTx[T any](ctx context.Context, s *Store, fn func(*ent.Client) (*T, error)) (*T, error) {
	tx, err := s.reader.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	return fn(tx.Client())
}

// localID returns the id of the local warehouse, or "" (which matches
// nothing) before warehouse.init.
func (s *Store) localID() string {
	if wh := s.local.Load(); wh != nil {
		return wh.ID
	}
	return ""
}

// productBySKU selects a live product by warehouse and sku. getProduct
// runs it without ent: the lookup is the Pyro4 service's and the console's
// most frequent read, and ent's builder would prepare it anew every time.
const productBySKU = `SELECT sku, name, description, price, quantity, reorder_point, seq, created_at, updated_at,
	` + reservedColumn + `, unit, packs, max_stock
	FROM products p WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`

// getProduct returns the live product with sku of the local warehouse or
// of a replica, in one statement (its own snapshot).
func (s *Store) getProduct(ctx context.Context, r *stock.ProductRef) (*stock.Product, error) {
	sku := r.SKU
	p := &stock.Product{Warehouse: cmp.Or(r.Warehouse, s.localID())}
	var price int64
	var packs string
	err := s.productBySKU.QueryRowContext(ctx, p.Warehouse, sku).Scan(&p.SKU, &p.Name, &p.Description, &price,
		&p.Quantity, &p.ReorderPoint, &p.Seq, &p.CreatedAt, &p.UpdatedAt, &p.Reserved, &p.Unit, &packs,
		&p.MaxStock)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := s.warehouseFor(ctx, r.Warehouse); err != nil {
			return nil, err
		}
		return nil, notFound(sku)
	}
	if err != nil {
		return nil, err
	}
	p.Price, p.Packs = stock.Price(price), mustPacks(packs)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, nil
}

// listProducts returns a page of live products of one warehouse ordered by
// sku, with the number of products matching the search.
func (s *Store) listProducts(ctx context.Context, q *stock.ProductQuery) (*stock.ProductPage, error) {
	wh, err := s.warehouseFor(ctx, q.Warehouse)
	if err != nil {
		return nil, err
	}
	page, err := readTx(ctx, s, func(c *ent.Client) (*stock.ProductPage, error) { return s.productPage(ctx, c, wh, q) })
	if err != nil {
		return nil, err
	}
	// After the transaction: a reader holding its connection must not wait
	// for a second one, which every other reader may be holding too.
	return page, s.fillReserved(ctx, wh, page.Products)
}

// productPage reads a page of warehouse wh's products with c.
func (s *Store) productPage(ctx context.Context, c *ent.Client, wh string, q *stock.ProductQuery) (*stock.ProductPage, error) {
	where := []predicate.Product{product.WarehouseID(wh), product.DeletedAtIsNil()}
	if q.Search != "" {
		where = append(where, product.Or(product.SkuContainsFold(q.Search),
			product.NameContainsFold(q.Search), product.DescriptionContainsFold(q.Search)))
	}
	total, err := c.Product.Query().Where(where...).Count(ctx)
	if err != nil {
		return nil, err
	}
	if q.After != "" {
		after, err := stock.DecodeProductCursor(q.After)
		if err != nil {
			return nil, err
		}
		where = append(where, product.SkuGT(after))
	}
	rows, err := c.Product.Query().Where(where...).Order(ent.Asc(product.FieldSku)).Limit(q.First + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	page := &stock.ProductPage{Products: make([]stock.Product, 0, len(rows)), Total: total}
	if len(rows) > q.First {
		rows, page.HasNext = rows[:q.First], true
	}
	for _, p := range rows {
		page.Products = append(page.Products, *productOf(p))
	}
	return page, nil
}
