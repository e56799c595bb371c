package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
