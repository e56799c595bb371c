package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// ledgerIndex is an index of movements that leads a listing: its name,
// the filter column it starts with ("" for none) and the order columns
// after it. Each ends with the listing's order, (created_at, warehouse_id,
// seq), so a page walks the index from the cursor and stops after it.
type ledgerIndex struct {
	name, lead string
	after      string // the keyset condition on the order columns after lead
}

// The indexes of the ledger's listings (ent/schema/movement.go).
var (
	byTime      = ledgerIndex{"movement_created_at_warehouse_id_seq", "", "(created_at, warehouse_id, seq) < (?, ?, ?)"}
	byWarehouse = ledgerIndex{"movement_warehouse_id_created_at_seq", "warehouse_id", "(created_at, seq) < (?, ?)"}
	bySKU       = ledgerIndex{"movement_sku_created_at_warehouse_id_seq", "sku", "(created_at, warehouse_id, seq) < (?, ?, ?)"}
	byReference = ledgerIndex{"movement_reference_hash_created_at_warehouse_id_seq", "reference_hash", "(created_at, warehouse_id, seq) < (?, ?, ?)"}
	byActor     = ledgerIndex{"movement_actor_hash_created_at_warehouse_id_seq", "actor_hash", "(created_at, warehouse_id, seq) < (?, ?, ?)"}
)

// indexFor picks the index that leads a query with filter f: the most
// selective column the filter names.
func indexFor(f *stock.MovementFilter) ledgerIndex {
	switch {
	case f.Reference != "":
		return byReference
	case f.SKU != "":
		return bySKU
	case f.Warehouse != "":
		return byWarehouse
	case f.Actor != "":
		return byActor
	}
	return byTime
}

// ledgerQuery builds the WHERE clause of a query over the ledger with
// filter f (f.Warehouse "" for every warehouse), from its index ix, after
// a position when pos is not nil. Reference and actor are compared by
// their keyed hashes under keys (seal.go).
func ledgerWhere(ix ledgerIndex, f *stock.MovementFilter, pos *stock.MovementPosition, keys hasher) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) { conds, args = append(conds, cond), append(args, a...) }
	switch {
	case f.Warehouse != "" && ix.lead == "warehouse_id":
		add("warehouse_id = ?", f.Warehouse)
	case f.Warehouse != "":
		// A residual filter: "+" keeps SQLite from taking the warehouse as
		// a constant of the order, which the index then no longer gives.
		add("+warehouse_id = ?", f.Warehouse)
	}
	if f.SKU != "" {
		add("sku = ?", f.SKU)
	}
	// The literal "IS NOT NULL" lets SQLite use the partial indexes.
	if f.Reference != "" {
		add("reference_hash = ? AND reference_hash IS NOT NULL", keys.Hash(fieldReference, f.Reference))
	}
	if f.Actor != "" {
		add("actor_hash = ? AND actor_hash IS NOT NULL", keys.Hash(fieldActor, f.Actor))
	}
	// Lot and location are in the detail column (lots.go): residual,
	// and only movements with a detail can match.
	if f.Lot != "" {
		add("detail IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(detail, '$.lots') WHERE value ->> 'code' = ?)", f.Lot)
	}
	if f.Location != "" {
		add(`detail IS NOT NULL AND (detail ->> 'location' = ? OR
			EXISTS (SELECT 1 FROM json_each(detail, '$.lots') WHERE value ->> 'location' = ?))`, f.Location, f.Location)
	}
	if len(f.Kinds) > 0 {
		marks := strings.Repeat(", ?", len(f.Kinds))[2:]
		kinds := make([]any, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		add("kind IN ("+marks+")", kinds...)
	}
	if f.From != nil {
		add("created_at >= ?", f.From.UTC())
	}
	if f.To != nil {
		add("created_at < ?", f.To.UTC())
	}
	switch {
	case pos != nil && ix.lead == "warehouse_id":
		add(ix.after, pos.At, pos.Seq)
	case pos != nil:
		add(ix.after, pos.At, pos.Warehouse, pos.Seq)
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// movementColumns are the columns a listing reads, as scanMovement scans them.
const movementColumns = `warehouse_id, seq, sku, kind, quantity, balance, reference, note, actor, idempotency_key, created_at, detail`

// listingSQL returns the query of a page of at most limit movements with
// filter f after pos (nil: from the newest), newest first.
func listingSQL(f *stock.MovementFilter, pos *stock.MovementPosition, limit int, keys hasher) (string, []any) {
	ix := indexFor(f)
	where, args := ledgerWhere(ix, f, pos, keys)
	// Led by the warehouse its id is constant: left in the order, it
	// would make SQLite sort what the index already orders.
	order := " ORDER BY created_at DESC, warehouse_id DESC, seq DESC LIMIT ?"
	if ix.lead == "warehouse_id" {
		order = " ORDER BY created_at DESC, seq DESC LIMIT ?"
	}
	q := "SELECT " + movementColumns + " FROM movements INDEXED BY " + ix.name + where + order
	return q, append(args, limit)
}

// listMovements returns a page of movements, newest first, of one
// warehouse or, when the filter names none, of every warehouse the node
// holds.
func (s *Store) listMovements(ctx context.Context, q *stock.MovementQuery) (*stock.MovementPage, error) {
	return s.movementPage(ctx, q)
}

// exportMovements returns a page of an export: a listing with larger pages.
func (s *Store) exportMovements(ctx context.Context, q *stock.ExportQuery) (*stock.MovementPage, error) {
	return s.movementPage(ctx, (*stock.MovementQuery)(q))
}

// movementPage reads the page q asks for.
func (s *Store) movementPage(ctx context.Context, q *stock.MovementQuery) (*stock.MovementPage, error) {
	if q.Filter.Warehouse != "" {
		if _, err := s.warehouseFor(ctx, q.Filter.Warehouse); err != nil {
			return nil, err
		}
	}
	var pos *stock.MovementPosition
	if q.After != "" {
		p, err := stock.DecodeMovementCursor(q.After)
		if err != nil {
			return nil, err
		}
		pos = &p
	}
	query, args := listingSQL(&q.Filter, pos, q.First+1, s.keys)
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &stock.MovementPage{Movements: make([]stock.Movement, 0, q.First+1)}
	for rows.Next() {
		var m stock.Movement
		if err := s.scanMovement(rows, &m); err != nil {
			return nil, err
		}
		page.Movements = append(page.Movements, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Movements) > q.First {
		page.Movements, page.HasNext = page.Movements[:q.First], true
	}
	return page, nil
}

// scanMovement scans a row of movementColumns into m, its sealed fields
// opened.
func (s *Store) scanMovement(rows *sql.Rows, m *stock.Movement) error {
	var key, detail sql.NullString
	var kind string
	if err := rows.Scan(&m.Warehouse, &m.Seq, &m.SKU, &kind, &m.Quantity, &m.Balance, &m.Reference,
		&m.Note, &m.Actor, &key, &m.CreatedAt, &detail); err != nil {
		return err
	}
	m.Kind, m.IdempotencyKey, m.CreatedAt = stock.Kind(kind), key.String, m.CreatedAt.UTC()
	m.ID = stock.MovementID(m.Warehouse, m.Seq)
	if err := openDetail(m, detail); err != nil {
		return err
	}
	return s.openMovement(m)
}

// stockAtSQL is the balance after the last movement of a sku in a
// warehouse at or before a moment.
const stockAtSQL = `SELECT balance FROM movements INDEXED BY movement_sku_created_at_warehouse_id_seq
	WHERE sku = ? AND +warehouse_id = ? AND created_at <= ?
	ORDER BY created_at DESC, warehouse_id DESC, seq DESC LIMIT 1`

// stockAt returns a sku's stock in a warehouse at a past moment: the
// balance after its last movement until then, 0 when it had none.
func (s *Store) stockAt(ctx context.Context, q *stock.StockAtQuery) (*stock.StockAt, error) {
	wh, err := s.warehouseFor(ctx, q.Warehouse)
	if err != nil {
		return nil, err
	}
	out := &stock.StockAt{}
	err = s.rdb.QueryRowContext(ctx, stockAtSQL, q.SKU, wh, q.At.UTC()).Scan(&out.Quantity)
	if err == sql.ErrNoRows {
		return out, nil
	}
	return out, err
}

// lowStockSQL selects the live products at or below a non-zero reorder
// point, of one warehouse or (?1 NULL) every one.
const lowStockSQL = `SELECT warehouse_id, sku, name, description, price, quantity, reorder_point, seq, created_at, updated_at
	FROM products WHERE deleted_at IS NULL AND reorder_point > 0 AND quantity <= reorder_point
	AND (?1 IS NULL OR warehouse_id = ?1) ORDER BY warehouse_id, sku`

// lowStock returns the products at or below their reorder point.
func (s *Store) lowStock(ctx context.Context, q *stock.LowStockQuery) (*stock.ProductList, error) {
	var wh any
	if q.Warehouse != "" {
		id, err := s.warehouseFor(ctx, q.Warehouse)
		if err != nil {
			return nil, err
		}
		wh = id
	}
	rows, err := s.rdb.QueryContext(ctx, lowStockSQL, wh)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := &stock.ProductList{Products: []stock.Product{}}
	for rows.Next() {
		var p stock.Product
		var price int64
		if err := rows.Scan(&p.Warehouse, &p.SKU, &p.Name, &p.Description, &price, &p.Quantity,
			&p.ReorderPoint, &p.Seq, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return nil, err
		}
		p.Price, p.CreatedAt, p.UpdatedAt = stock.Price(price), p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		out.Products = append(out.Products, p)
	}
	return out, rows.Err()
}

// hourOf returns the rollup hour of t.
func hourOf(t time.Time) int64 { return t.Unix() / 3600 }
