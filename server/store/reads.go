package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/movement"
	"github.com/stockmesh/stockmesh/ent/predicate"
	"github.com/stockmesh/stockmesh/ent/product"
	"github.com/stockmesh/stockmesh/server/stock"
)

// HandleRead executes one read job on a read-only connection, inside one
// read transaction so a page and its total come from the same snapshot.
// It is safe for concurrent use.
func (s *Store) HandleRead(raw []byte) []byte {
	var job stock.Job
	if err := decodeJob(raw, &job); err != nil {
		return encode(errReply(stock.Errorf(stock.CodeInvalidInput, "malformed job: %v", err)))
	}
	if job.Op.Writes() {
		return encode(errReply(stock.Errorf(stock.CodeInvalidInput, "%q is not a read job", job.Op)))
	}
	r, err := s.read(&job)
	if err != nil {
		return encode(s.fail(job.Op, err))
	}
	return encode(r)
}

// read dispatches a read job, in a read transaction when it queries.
func (s *Store) read(job *stock.Job) (*stock.Reply, error) {
	if job.Op == stock.OpWarehouseGet {
		wh := s.local.Load()
		if wh == nil {
			return nil, stock.Errorf(stock.CodeNotFound, "the local warehouse is not set up yet")
		}
		return &stock.Reply{Warehouse: wh}, nil
	}
	if job.Op == stock.OpProductGet {
		return s.getProduct(job.SKU) // one statement: its own snapshot
	}
	ctx := context.Background()
	tx, err := s.reader.Tx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	c := tx.Client()
	switch job.Op {
	case stock.OpProductList:
		return s.listProducts(ctx, c, job.Products)
	case stock.OpMovementList:
		return s.listMovements(ctx, c, job.Movements)
	case stock.OpTokenLookup:
		return lookupToken(ctx, c, job.Token)
	}
	return nil, stock.Errorf(stock.CodeInvalidInput, "unknown job %q", job.Op)
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
const productBySKU = `SELECT sku, name, description, price, quantity, reorder_point, seq, created_at, updated_at
	FROM products WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`

// getProduct returns the live product with sku.
func (s *Store) getProduct(sku string) (*stock.Reply, error) {
	sku, err := stock.NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	p := &stock.Product{Warehouse: s.localID()}
	var price int64
	err = s.productBySKU.QueryRow(p.Warehouse, sku).Scan(&p.SKU, &p.Name, &p.Description, &price,
		&p.Quantity, &p.ReorderPoint, &p.Seq, &p.CreatedAt, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(sku)
	}
	if err != nil {
		return nil, err
	}
	p.Price = stock.Price(price)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &stock.Reply{Product: p}, nil
}

// listProducts returns a page of live products ordered by sku, with the
// number of products matching the search.
func (s *Store) listProducts(ctx context.Context, c *ent.Client, q *stock.ProductQuery) (*stock.Reply, error) {
	if q == nil {
		q = &stock.ProductQuery{}
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	where := []predicate.Product{product.WarehouseID(s.localID()), product.DeletedAtIsNil()}
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
	return &stock.Reply{ProductPage: page}, nil
}

// listMovements returns a page of the local warehouse's movements, newest
// first.
func (s *Store) listMovements(ctx context.Context, c *ent.Client, q *stock.MovementQuery) (*stock.Reply, error) {
	if q == nil {
		q = &stock.MovementQuery{}
	}
	if err := q.Normalize(); err != nil {
		return nil, err
	}
	where, err := movementFilter(s.localID(), q)
	if err != nil {
		return nil, err
	}
	rows, err := c.Movement.Query().Where(where...).Order(ent.Desc(movement.FieldSeq)).Limit(q.First + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	page := &stock.MovementPage{Movements: make([]stock.Movement, 0, len(rows))}
	if len(rows) > q.First {
		rows, page.HasNext = rows[:q.First], true
	}
	for _, m := range rows {
		page.Movements = append(page.Movements, *movementOf(m))
	}
	return &stock.Reply{MovementPage: page}, nil
}

// movementFilter returns the predicates of a movement query.
func movementFilter(wh string, q *stock.MovementQuery) ([]predicate.Movement, error) {
	where := []predicate.Movement{movement.WarehouseID(wh)}
	f := q.Filter
	if f.SKU != "" {
		where = append(where, movement.Sku(f.SKU))
	}
	if len(f.Kinds) > 0 {
		kinds := make([]movement.Kind, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = movement.Kind(k)
		}
		where = append(where, movement.KindIn(kinds...))
	}
	if f.From != nil {
		where = append(where, movement.CreatedAtGTE(f.From.UTC()))
	}
	if f.To != nil {
		where = append(where, movement.CreatedAtLT(f.To.UTC()))
	}
	if q.After != "" {
		after, err := stock.DecodeMovementCursor(q.After)
		if err != nil {
			return nil, err
		}
		where = append(where, movement.SeqLT(after))
	}
	return where, nil
}
