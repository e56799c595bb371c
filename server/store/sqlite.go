package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/mattn/go-sqlite3"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/warehouse"
	"github.com/stockmesh/stockmesh/server/stock"
)

// driverName is go-sqlite3 with every connection keeping the WAL and its
// index (the -wal and -shm files) when it closes: SQLite would delete them
// at a clean close and create them again at the next open, and creating
// the -shm file takes 32 KiB, which a full disk does not have, so a node
// could not even start to serve reads. A kept -shm is reused in place.
const driverName = "sqlite3-keep-wal"

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		return c.SetFileControlInt("main", sqlite3.SQLITE_FCNTL_PERSIST_WAL, 1)
	}})
}

// openDB opens a pool of at most n connections to the database at path:
// WAL, synchronous=FULL, foreign keys, a busy timeout and a statement cache
// per connection. Writers take the write lock at BEGIN (no upgrade
// deadlocks); readers are query_only.
func openDB(path string, n int, readOnly bool) (*sql.DB, error) {
	dsn := path + "?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1&_busy_timeout=10000" +
		"&_stmt_cache_size=64&_cache_size=-16000"
	if readOnly {
		dsn += "&_query_only=1"
	} else {
		// secure_delete: a value resealed or deleted leaves no copy in the
		// page it was in (a database migrated to sealing had clear ones).
		dsn += "&_txlock=immediate&_secure_delete=on"
	}
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return db, nil
}

// load reads the local warehouse and the last seq of its change log.
func (s *Store) load(ctx context.Context, c *ent.Client) error {
	w, err := c.Warehouse.Query().Where(warehouse.Local(true)).First(ctx)
	if ent.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("loading local warehouse: %w", err)
	}
	wh := warehouseOf(w)
	s.w.local = wh
	s.local.Store(wh)
	if err := s.loadKeys(ctx, wh.ID, w.KeysSeq); err != nil {
		return err
	}
	// The log has every seq; a database from before the log has seqs only
	// on its rows, and its log starts after them.
	const q = `SELECT MAX(COALESCE((SELECT MAX(seq) FROM change_log WHERE origin = ?1), 0),
		COALESCE((SELECT MAX(seq) FROM movements WHERE warehouse_id = ?1), 0),
		COALESCE((SELECT MAX(seq) FROM products WHERE warehouse_id = ?1), 0))`
	if err := s.wdb.QueryRowContext(ctx, q, wh.ID).Scan(&s.w.seq); err != nil {
		return fmt.Errorf("loading last sequence of %s: %w", wh.ID, err)
	}
	return nil
}

// warehouseOf converts a stored warehouse.
func warehouseOf(w *ent.Warehouse) *stock.Warehouse {
	return &stock.Warehouse{ID: w.ID, Name: w.Name, Local: w.Local, URL: w.URL, Epoch: w.Epoch,
		HoldsCA: w.HoldsCa, DepartedAt: w.DepartedAt}
}
