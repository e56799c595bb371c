package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createLocations creates the locations (bins) of every warehouse the node
// holds: a tree stored as each location's parent and path (the codes from
// the top joined by "/"), never as nested sets. Moving a subtree rewrites
// the paths under it in one statement of the one writer, so no reader ever
// sees half a move and two moves never interleave.
const createLocations = `CREATE TABLE IF NOT EXISTS locations (
	warehouse_id TEXT NOT NULL,
	code TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	parent TEXT NOT NULL DEFAULT '',
	path TEXT NOT NULL,
	PRIMARY KEY (warehouse_id, code)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS locations_path ON locations (warehouse_id, path)`

// initLocations creates the locations table.
func (s *Store) initLocations(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createLocations); err != nil {
		return fmt.Errorf("creating the locations: %w", err)
	}
	return nil
}

// checkLocation refuses a location warehouse does not have.
func (b *batch) checkLocation(warehouse, code string) error {
	var path string
	err := b.queryRowPrep(`SELECT path FROM locations WHERE warehouse_id = ? AND code = ?`, []any{warehouse, code}, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return stock.Errorf(stock.CodeNotFound, "location %s not found in %s", code, warehouse)
	}
	return err
}

// locationRow reads the location code of warehouse, nil when there is none.
func (b *batch) locationRow(warehouse, code string) (*stock.Location, error) {
	l := &stock.Location{Warehouse: warehouse, Code: code}
	err := b.queryRowPrep(`SELECT name, parent, path FROM locations WHERE warehouse_id = ? AND code = ?`,
		[]any{warehouse, code}, &l.Name, &l.Parent, &l.Path)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading location %s: %w", code, err)
	}
	return l, nil
}

// parentPath returns the path a child of parent ("" the top) in warehouse
// starts with ("" at the top), or NOT_FOUND.
func (b *batch) parentPath(warehouse, parent string) (string, error) {
	if parent == "" {
		return "", nil
	}
	p, err := b.locationRow(warehouse, parent)
	if err != nil {
		return "", err
	}
	if p == nil {
		return "", stock.Errorf(stock.CodeNotFound, "location %s not found in %s", parent, warehouse)
	}
	return p.Path + "/", nil
}

// createLocation creates a location of the local warehouse.
func (b *batch) createLocation(in *stock.CreateLocationInput) (*stock.Location, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	if l, err := b.locationRow(wh.ID, in.Code); err != nil || l != nil {
		if l != nil {
			err = stock.Errorf(stock.CodeAlreadyExists, "location %s already exists (%s)", in.Code, l.Path)
		}
		return nil, err
	}
	prefix, err := b.parentPath(wh.ID, in.Parent)
	if err != nil {
		return nil, err
	}
	l := &stock.Location{Warehouse: wh.ID, Code: in.Code, Name: in.Name, Parent: in.Parent, Path: prefix + in.Code}
	if err := b.insertLocation(l); err != nil {
		return nil, err
	}
	return l, b.logLocation(stock.EntryLocationCreated, l)
}

// insertLocation stores a new location.
func (b *batch) insertLocation(l *stock.Location) error {
	if err := b.execPrep(`INSERT INTO locations (warehouse_id, code, name, parent, path) VALUES (?, ?, ?, ?, ?)`,
		l.Warehouse, l.Code, l.Name, l.Parent, l.Path); err != nil {
		return fmt.Errorf("creating location %s: %w", l.Code, err)
	}
	return nil
}

// updateLocation renames a location of the local warehouse or moves it,
// with its subtree, under another parent.
func (b *batch) updateLocation(in *stock.UpdateLocationInput) (*stock.Location, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	l, err := b.locationRow(wh.ID, in.Code)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, stock.Errorf(stock.CodeNotFound, "location %s not found in %s", in.Code, wh.ID)
	}
	after := *l
	if in.Name != nil {
		after.Name = *in.Name
	}
	if in.Parent != nil && *in.Parent != l.Parent {
		prefix, err := b.parentPath(wh.ID, *in.Parent)
		if err != nil {
			return nil, err
		}
		if prefix == l.Path+"/" || strings.HasPrefix(prefix, l.Path+"/") {
			return nil, stock.Errorf(stock.CodeInvalidInput, "parent: %s is %s or below it: a location cannot move under itself", *in.Parent, in.Code)
		}
		after.Parent, after.Path = *in.Parent, prefix+in.Code
	}
	if after == *l {
		return l, nil
	}
	if err := b.storeLocation(l.Path, &after); err != nil {
		return nil, err
	}
	return &after, b.logLocation(stock.EntryLocationUpdated, &after)
}

// storeLocation stores l, whose path was old: its name and parent, and
// the path of every location of its subtree, in one statement.
func (b *batch) storeLocation(old string, l *stock.Location) error {
	err := b.execPrep(`UPDATE locations SET
		name = CASE code WHEN ?3 THEN ?4 ELSE name END,
		parent = CASE code WHEN ?3 THEN ?5 ELSE parent END,
		path = ?6 || substr(path, length(?2) + 1)
		WHERE warehouse_id = ?1 AND (path = ?2 OR substr(path, 1, length(?2) + 1) = ?2 || '/')`,
		l.Warehouse, old, l.Code, l.Name, l.Parent, l.Path)
	if err != nil {
		return fmt.Errorf("updating location %s: %w", l.Code, err)
	}
	return nil
}

// logLocation appends a location entry.
func (b *batch) logLocation(t stock.EntryType, l *stock.Location) error {
	e := &stock.LogEntry{Origin: l.Warehouse, Seq: b.w.nextSeq(), At: b.now(), Type: t, Location: l, Actor: b.meta.Actor}
	return b.appendLog(e)
}

// applyLocation applies another warehouse's location entry to its
// replica, refusing one that does not follow from what the replica holds.
func (b *batch) applyLocation(e *stock.LogEntry) error {
	l := e.Location
	old, err := b.locationRow(l.Warehouse, l.Code)
	if err != nil {
		return err
	}
	prefix, err := b.parentPath(l.Warehouse, l.Parent)
	switch {
	case stock.CodeOf(err) == stock.CodeNotFound:
		return stock.InvalidEntry(e, "location.parent", "%s is not a location the replica holds", l.Parent)
	case err != nil:
		return err
	case l.Path != prefix+l.Code:
		return stock.InvalidEntry(e, "location.path", "%q is not its parent's path and its code", l.Path)
	case e.Type == stock.EntryLocationCreated && old != nil:
		return stock.InvalidEntry(e, "location.code", "%s exists already", l.Code)
	case e.Type == stock.EntryLocationUpdated && old == nil:
		return stock.InvalidEntry(e, "location.code", "%s is not a location the replica holds", l.Code)
	case e.Type == stock.EntryLocationUpdated && strings.HasPrefix(prefix, old.Path+"/"):
		return stock.InvalidEntry(e, "location.parent", "moves %s under itself", l.Code)
	}
	if e.Type == stock.EntryLocationCreated {
		err = b.insertLocation(l)
	} else {
		err = b.storeLocation(old.Path, l)
	}
	if err != nil {
		return err
	}
	return b.appendLog(e)
}

// listLocations returns the locations of a warehouse by path, each with
// the units held there.
func (s *Store) listLocations(ctx context.Context, q *stock.LocationQuery) (*stock.LocationList, error) {
	wh, err := s.warehouseFor(ctx, q.Warehouse)
	if err != nil {
		return nil, err
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT c.code, c.name, c.parent, c.path,
		COALESCE((SELECT SUM(l.quantity) FROM stock_lines l JOIN products p ON p.id = l.product_id
			WHERE l.location = c.code AND p.warehouse_id = c.warehouse_id AND p.deleted_at IS NULL), 0)
		FROM locations c WHERE c.warehouse_id = ? ORDER BY c.path`, wh)
	if err != nil {
		return nil, fmt.Errorf("reading the locations of %s: %w", wh, err)
	}
	defer rows.Close()
	out := &stock.LocationList{Locations: []stock.Location{}}
	for rows.Next() {
		l := stock.Location{Warehouse: wh}
		if err := rows.Scan(&l.Code, &l.Name, &l.Parent, &l.Path, &l.Quantity); err != nil {
			return nil, err
		}
		out.Locations = append(out.Locations, l)
	}
	return out, rows.Err()
}

// relocateStock moves units of a product of the local warehouse between
// locations: a RELOCATION, whose pieces say which lots left which
// locations, and which changes no stock. Its idempotency key works as a
// movement's: the same key again answers the first relocation, and with
// another request is INVALID_INPUT.
func (b *batch) relocateStock(in *stock.RelocateStockInput) (*stock.Movement, error) {
	m := movementInput{kind: stock.KindRelocation, moved: in.Quantity, location: in.To, actor: b.meta.Actor,
		key: storedKey(in.IdempotencyKey)}
	if in.Lot != "" {
		m.lot = &stock.LotInput{Code: in.Lot}
	}
	if m.key != "" {
		req := relocationBytes(in)
		m.fingerprint = b.s.digest(req)
		prev, err := b.movementByKey(m.key, in.IdempotencyKey, req, m.fingerprint)
		if err != nil || prev != nil {
			return prev, err
		}
	}
	p, err := b.stockOf(in.SKU)
	if err != nil {
		return nil, err
	}
	for _, code := range []string{in.From, in.To} {
		if code != "" {
			if err := b.checkLocation(p.warehouse, code); err != nil {
				return nil, err
			}
		}
	}
	lines, err := b.linesOf(p.id, p.quantity)
	if err != nil {
		return nil, err
	}
	t := stock.Take{Code: in.Lot, Location: in.From, Unplaced: in.From == "", AllowExpired: true, Today: b.today()}
	m.lines = lines
	if m.pieces, err = stock.Allocate(p.sku, lines, in.Quantity, t); err != nil {
		return nil, err
	}
	mv, err := b.move(p, m)
	if err != nil {
		return nil, err
	}
	if m.key != "" {
		b.w.addKey(m.key, mv.Seq)
	}
	return mv, nil
}
