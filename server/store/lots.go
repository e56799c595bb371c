package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/stockmesh/stockmesh/server/stock"
)

// This file keeps a product's stock by lot and location (issue 29).
//
// stock_lines holds, per product, the units of each lot (code and expiry)
// at each location, in base units, except the line of no lot and no
// location: its units are what the other lines leave of the product's
// stock (products.quantity), so the stock and the ledger stay what they
// were, every movement made before lots is the stock of no lot, unplaced,
// and a movement that names no lot, location or pack on a product without
// lines writes nothing more than it did. A line reaching 0 is deleted.
// A movement's pieces (stock.LotQuantity) travel in its log entry and in
// the ledger's detail column, so replicas apply the lines the origin
// chose; nobody but the origin's writer ever chooses them.

// createLots creates the stock lines.
const createLots = `CREATE TABLE IF NOT EXISTS stock_lines (
	product_id INTEGER NOT NULL,
	lot TEXT NOT NULL,
	expires_on TEXT NOT NULL,
	location TEXT NOT NULL,
	quantity INTEGER NOT NULL CHECK (quantity >= 0),
	PRIMARY KEY (product_id, lot, expires_on, location)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stock_lines_expiry ON stock_lines (expires_on, product_id) WHERE expires_on <> ''`

// The statements on the stock lines.
const (
	linesSQL = `SELECT lot, expires_on, location, quantity FROM stock_lines WHERE product_id = ?`
	addLine  = `INSERT INTO stock_lines (product_id, lot, expires_on, location, quantity) VALUES (?1, ?2, ?3, ?4, ?5)
		ON CONFLICT (product_id, lot, expires_on, location) DO UPDATE SET quantity = quantity + excluded.quantity`
	takeLine = `UPDATE stock_lines SET quantity = quantity - ?5
		WHERE product_id = ?1 AND lot = ?2 AND expires_on = ?3 AND location = ?4 AND quantity >= ?5 RETURNING quantity`
	dropLine = `DELETE FROM stock_lines WHERE product_id = ?1 AND lot = ?2 AND expires_on = ?3 AND location = ?4 AND quantity = 0`
	// lessLine and emptyLine take a piece from a line whose quantity the
	// writer read in this job: part of it, or all of it.
	lessLine = `UPDATE stock_lines SET quantity = quantity - ?5
		WHERE product_id = ?1 AND lot = ?2 AND expires_on = ?3 AND location = ?4 AND quantity > ?5`
	emptyLine = `DELETE FROM stock_lines WHERE product_id = ?1 AND lot = ?2 AND expires_on = ?3 AND location = ?4 AND quantity = ?5`
	linesHeld = `SELECT COALESCE(SUM(quantity), 0) FROM stock_lines WHERE product_id = ?`
)

// writerLots is what the writer knows of lines besides the database: the
// products that may have any. Only ever added to (even by a job that
// fails), so a product it does not name has none: a plain movement of it
// reads nothing more.
type writerLots struct {
	lined map[int]bool
}

// initLots creates the stock lines and loads the products that have any.
func (s *Store) initLots(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createLots); err != nil {
		return fmt.Errorf("creating the stock lines: %w", err)
	}
	rows, err := s.wdb.QueryContext(ctx, `SELECT DISTINCT product_id FROM stock_lines`)
	if err != nil {
		return fmt.Errorf("reading the stock lines: %w", err)
	}
	defer rows.Close()
	s.lots.lined = map[int]bool{}
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return err
		}
		s.lots.lined[id] = true
	}
	return rows.Err()
}

// today is the calendar day of the writer's clock in the local
// warehouse's time zone (Options.Zone): a lot expires at the end of its
// day there.
func (b *batch) today() stock.Date { return stock.Today(b.s.zone, b.now()) }

// linesOf returns the lines of product id, whose stock is quantity, the
// implicit one of no lot and no location included when it holds units.
func (b *batch) linesOf(id int, quantity int64) ([]stock.StockLine, error) {
	st, err := b.prep(linesSQL)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(b.ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading the lines of product %d: %w", id, err)
	}
	out, err := scanLines(rows, quantity)
	if err != nil {
		return nil, fmt.Errorf("reading the lines of product %d: %w", id, err)
	}
	return out, nil
}

// scanLines reads rows of (lot, expires_on, location, quantity) and adds
// the implicit line: what they leave of quantity.
func scanLines(rows *sql.Rows, quantity int64) ([]stock.StockLine, error) {
	defer rows.Close()
	var out []stock.StockLine
	rest := quantity
	for rows.Next() {
		var l stock.StockLine
		if err := rows.Scan(&l.Code, &l.ExpiresOn, &l.Location, &l.Quantity); err != nil {
			return nil, err
		}
		rest -= l.Quantity
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if rest > 0 {
		out = append(out, stock.StockLine{Quantity: rest})
	}
	return out, nil
}

// pieces chooses the lines a movement m of product p (whose stock is
// p.quantity before it) draws from or goes into; nil when all of it is the
// stock of no lot, unplaced.
func (b *batch) pieces(p stockRow, m *movementInput) ([]stock.LotQuantity, error) {
	switch {
	case m.pieces != nil || m.delta == 0:
		return m.pieces, nil
	case m.delta > 0 && m.lot == nil && m.location == "":
		return nil, nil
	case m.delta > 0:
		l := stock.LotQuantity{Location: m.location, Quantity: m.delta}
		if m.lot != nil {
			l.Code, l.ExpiresOn = m.lot.Code, m.lot.ExpiresOn
		}
		return []stock.LotQuantity{l}, nil
	case m.lot == nil && m.location == "" && !b.s.lots.lined[p.id]:
		return nil, nil // the hot path: no lines to draw from
	}
	lines, err := b.linesOf(p.id, p.quantity)
	if err != nil {
		return nil, err
	}
	m.lines = lines
	t := stock.Take{Location: m.location, Today: b.today(),
		AllowExpired: m.kind == stock.KindAdjustment || (m.lot != nil && m.admin)}
	if m.lot != nil {
		t.Code, t.ExpiresOn = m.lot.Code, m.lot.ExpiresOn
	}
	out, err := stock.Allocate(p.sku, lines, -m.delta, t)
	if err != nil {
		return nil, err
	}
	if len(out) == 1 && out[0].Code == "" && out[0].Location == "" {
		return nil, nil
	}
	return out, nil
}

// writeLines applies a movement's pieces to the lines of product id: into
// them when sign is positive, out of them otherwise. The piece of no lot
// and no location has no row. It refuses (ErrInvalidEntry through bad) a
// piece that takes more than its line holds: a writer never chooses one.
// known, when not nil, holds the lines as the writer read them in this
// job: a piece taken from one of them is one statement that knows whether
// it empties the line (a FEFO sale's cost was mostly these statements).
func (b *batch) writeLines(id int, sign int64, pieces []stock.LotQuantity, known []stock.StockLine) error {
	for _, l := range pieces {
		if l.Code == "" && l.Location == "" {
			continue
		}
		b.s.lots.lined[id] = true
		args := []any{id, l.Code, string(l.ExpiresOn), l.Location, l.Quantity}
		if sign > 0 {
			if err := b.execPrep(addLine, args...); err != nil {
				return fmt.Errorf("adding to lot %s of product %d: %w", l.Code, id, err)
			}
			continue
		}
		if held, ok := lineHeld(known, l); ok {
			if err := b.takeKnown(held, l, args); err != nil {
				return err
			}
			continue
		}
		var left int64
		b.wrote = true
		err := b.queryRowPrep(takeLine, args, &left)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return errLineShort(l)
		case err != nil:
			return fmt.Errorf("taking from lot %s of product %d: %w", l.Code, id, err)
		case left == 0:
			if err := b.execPrep(dropLine, args[:4]...); err != nil {
				return err
			}
		}
	}
	return nil
}

// lineHeld returns the quantity of l's line among known.
func lineHeld(known []stock.StockLine, l stock.LotQuantity) (int64, bool) {
	for _, k := range known {
		if k.Code == l.Code && k.ExpiresOn == l.ExpiresOn && k.Location == l.Location {
			return k.Quantity, true
		}
	}
	return 0, false
}

// takeKnown takes piece l (args: its line's key and quantity) from its
// line, which held held units when the writer read it: one UPDATE, or one
// DELETE when it takes them all. The statement checks the quantity still,
// so a line that changed since fails as short.
func (b *batch) takeKnown(held int64, l stock.LotQuantity, args []any) error {
	query := lessLine
	if held == l.Quantity {
		query = emptyLine
	}
	st, err := b.prep(query)
	if err != nil {
		return err
	}
	b.wrote = true
	res, err := st.ExecContext(b.ctx, args...)
	if err != nil {
		return fmt.Errorf("taking from lot %s of product %d: %w", l.Code, args[0], err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errLineShort(l)
	}
	return nil
}

// errLineShort is the error of a piece its line cannot give.
func errLineShort(l stock.LotQuantity) error {
	return stock.Errorf(stock.CodeInsufficientStock, "lot %q (%s) at %q holds fewer than %d units", l.Code, l.ExpiresOn, l.Location, l.Quantity)
}

// execPrep runs the prepared statement query with args.
func (b *batch) execPrep(query string, args ...any) error {
	st, err := b.prep(query)
	if err != nil {
		return err
	}
	b.wrote = true
	_, err = st.ExecContext(b.ctx, args...)
	return err
}

// checkLinesHeld checks that the lines of product id hold at most its
// stock, balance: the line of no lot and no location never goes below 0.
func (b *batch) checkLinesHeld(e *stock.LogEntry, id int, balance int64) error {
	var held int64
	if err := b.queryRowPrep(linesHeld, []any{id}, &held); err != nil {
		return err
	}
	if held > balance {
		return stock.InvalidEntry(e, "movement.lots", "leave lines of %d units in a stock of %d", held, balance)
	}
	return nil
}

// movementDetail is what the ledger's detail column holds of a movement.
type movementDetail struct {
	Lots     []stock.LotQuantity `json:"lots,omitempty"`
	Location string              `json:"location,omitempty"`
	Pack     string              `json:"pack,omitempty"`
	PackSize int64               `json:"packSize,omitempty"`
	NamedLot *stock.LotInput     `json:"namedLot,omitempty"`
}

// detailOf returns the detail column of mv: NULL for a plain movement.
func detailOf(mv *stock.Movement) (any, error) {
	if mv.Lots == nil && mv.Location == "" && mv.Pack == "" && mv.NamedLot == nil {
		return nil, nil
	}
	return string(stock.AppendWhere(nil, mv.Lots, mv.Location, mv.Pack, mv.PackSize, mv.NamedLot)), nil
}

// openDetail fills m's lots, location and pack from its detail column.
func openDetail(m *stock.Movement, detail sql.NullString) error {
	if !detail.Valid {
		return nil
	}
	var d movementDetail
	if err := json.Unmarshal([]byte(detail.String), &d); err != nil {
		return fmt.Errorf("reading the detail of movement %s: %w", m.ID, err)
	}
	m.Lots, m.Location, m.Pack, m.PackSize, m.NamedLot = d.Lots, d.Location, d.Pack, d.PackSize, d.NamedLot
	return nil
}

// movementLots returns the pieces of the movement seq of warehouse, as the
// ledger holds it (nil for none).
func (b *batch) movementLots(warehouse string, seq int64) ([]stock.LotQuantity, error) {
	var detail sql.NullString
	err := b.queryRowPrep(`SELECT detail FROM movements WHERE warehouse_id = ? AND seq = ?`, []any{warehouse, seq}, &detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m := stock.Movement{ID: stock.MovementID(warehouse, seq)}
	if err := openDetail(&m, detail); err != nil {
		return nil, err
	}
	return m.Lots, nil
}

// productLines returns the lines of a live product of a warehouse the node
// holds, the implicit one included.
func (s *Store) productLines(ctx context.Context, r *stock.ProductRef) (*stock.StockLines, error) {
	wh, err := s.warehouseFor(ctx, r.Warehouse)
	if err != nil {
		return nil, err
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var id int
	var quantity int64
	err = tx.QueryRowContext(ctx, `SELECT id, quantity FROM products WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`,
		wh, r.SKU).Scan(&id, &quantity)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(r.SKU)
	}
	if err != nil {
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, linesSQL, id)
	if err != nil {
		return nil, err
	}
	lines, err := scanLines(rows, quantity)
	if err != nil {
		return nil, err
	}
	return &stock.StockLines{Lines: stock.SortLines(lines)}, nil
}

// expiringSQL selects the lots with stock expiring by ?1, of one warehouse
// or (?2 NULL) every one, soonest first: grouped and ordered in the
// expiry index's own order (expiry, product, lot), so that SQLite sorts
// nothing; expiringLots orders each day's lots by warehouse, sku and lot.
const expiringSQL = `SELECT p.warehouse_id, p.sku, l.lot, l.expires_on, SUM(l.quantity)
	FROM stock_lines l INDEXED BY stock_lines_expiry JOIN products p ON p.id = l.product_id
	WHERE l.expires_on <> '' AND l.expires_on <= ?1 AND p.deleted_at IS NULL AND (?2 IS NULL OR p.warehouse_id = ?2)
	GROUP BY l.expires_on, l.product_id, l.lot
	ORDER BY l.expires_on, l.product_id, l.lot`

// expiringLots returns the lots with stock expiring by q.Until, soonest
// first, then by warehouse, sku and lot, at most q.Limit: it reads the
// days up to the one where the limit falls, whole, orders them and cuts.
func (s *Store) expiringLots(ctx context.Context, q *stock.ExpiringQuery) (*stock.ExpiringLots, error) {
	var wh any
	if q.Warehouse != "" {
		id, err := s.warehouseFor(ctx, q.Warehouse)
		if err != nil {
			return nil, err
		}
		wh = id
	}
	rows, err := s.rdb.QueryContext(ctx, expiringSQL, string(q.Until), wh)
	if err != nil {
		return nil, fmt.Errorf("reading the expiring lots: %w", err)
	}
	defer rows.Close()
	out := &stock.ExpiringLots{Lots: []stock.ExpiringLot{}}
	for rows.Next() {
		var l stock.ExpiringLot
		if err := rows.Scan(&l.Warehouse, &l.SKU, &l.Code, &l.ExpiresOn, &l.Quantity); err != nil {
			return nil, err
		}
		if n := len(out.Lots); n >= q.Limit && out.Lots[n-1].ExpiresOn != l.ExpiresOn {
			break // the limit's day is whole
		}
		out.Lots = append(out.Lots, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the expiring lots: %w", err)
	}
	slices.SortFunc(out.Lots, func(a, b stock.ExpiringLot) int {
		return cmp.Or(cmp.Compare(a.ExpiresOn, b.ExpiresOn), cmp.Compare(a.Warehouse, b.Warehouse),
			cmp.Compare(a.SKU, b.SKU), cmp.Compare(a.Code, b.Code))
	})
	out.Lots = out.Lots[:min(len(out.Lots), q.Limit)]
	return out, nil
}

// movePieces applies movement m's pieces to the lines of product id: out
// of their lines and, for a RELOCATION, into the same lots at m.Location.
// known is as writeLines takes it.
func (b *batch) movePieces(id int, m *stock.Movement, known []stock.StockLine) error {
	if m.Kind != stock.KindRelocation {
		return b.writeLines(id, m.Quantity, m.Lots, known)
	}
	if err := b.writeLines(id, -1, m.Lots, known); err != nil {
		return err
	}
	to := make([]stock.LotQuantity, len(m.Lots))
	for i, l := range m.Lots {
		l.Location = m.Location
		to[i] = l
	}
	return b.writeLines(id, 1, to, nil)
}

// exportStock reads a page of a warehouse's stock by product, lot and
// location: the products after q.After by sku, each line with units.
func (s *Store) exportStock(ctx context.Context, q *stock.StockExportQuery) (*stock.StockPage, error) {
	wh, err := s.warehouseFor(ctx, q.Warehouse)
	if err != nil {
		return nil, err
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT id, sku, unit, quantity FROM products
		WHERE warehouse_id = ? AND deleted_at IS NULL AND sku > ? ORDER BY sku LIMIT ?`, wh, q.After, q.Limit+1)
	if err != nil {
		return nil, fmt.Errorf("reading the stock of %s: %w", wh, err)
	}
	type prod struct {
		id        int
		sku, unit string
		quantity  int64
	}
	var ps []prod
	for rows.Next() {
		var p prod
		if err := rows.Scan(&p.id, &p.sku, &p.unit, &p.quantity); err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	page := &stock.StockPage{Rows: []stock.StockRow{}}
	if len(ps) > q.Limit {
		ps, page.HasNext = ps[:q.Limit], true
	}
	paths, err := locationPaths(ctx, tx, wh)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		lr, err := tx.QueryContext(ctx, linesSQL, p.id)
		if err != nil {
			return nil, err
		}
		lines, err := scanLines(lr, p.quantity)
		if err != nil {
			return nil, err
		}
		for _, l := range stock.SortLines(lines) {
			page.Rows = append(page.Rows, stock.StockRow{Warehouse: wh, SKU: p.sku, Unit: p.unit, Line: l, Path: paths[l.Location]})
		}
		page.Last = p.sku
	}
	return page, nil
}

// locationPaths returns the path of every location of warehouse by code.
func locationPaths(ctx context.Context, tx *sql.Tx, wh string) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code, path FROM locations WHERE warehouse_id = ?`, wh)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var c, p string
		if err := rows.Scan(&c, &p); err != nil {
			return nil, err
		}
		out[c] = p
	}
	return out, rows.Err()
}
