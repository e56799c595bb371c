// Package store is the database handler of a stockmesh node: it executes
// the stock jobs of server/stock against SQLite through ent, the only
// package besides ent/ that touches the database.
//
// Writes run in one goroutine (HandleWrites): a whole batch of jobs in one
// transaction, committed once with synchronous=FULL, so a reply is sent only
// once its effect is durable; a failing job fails alone. Reads (HandleRead) run
// concurrently on a pool of read-only connections over WAL snapshots.
package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"entgo.io/ent/dialect"
	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/migrate"
	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// FileName is the name of the database file inside the data directory.
const FileName = "stockmesh.db"

// DefaultReaders is the number of read connections when Options.Readers is
// 0: enough for the queue's lookup readers and its long readers.
const DefaultReaders = 6

// ErrClosed is returned by Close when the store was already closed.
var ErrClosed = errors.New("store: closed")

// Publisher receives every committed change, a stock.LogEntry encoded by
// stock.EncodeValue, in commit order. Publish must not block.
type Publisher interface {
	Publish(msg []byte)
}

// Options configures Open; the zero value is usable.
type Options struct {
	Readers   int          // read-only connections; DefaultReaders when 0
	Publisher Publisher    // receives committed changes; may be nil
	Logger    *slog.Logger // unexpected database errors; slog.Default() when nil
	// Keys seal sensitive fields at rest; when nil, Open loads them from
	// the data directory's keys folder (sealing.Dir), creating them only
	// for a database that never used keys (see initKeys).
	Keys *sealing.Ring
	// SalesWindowDays is the window of the average daily sales the
	// sales window keeps sums over (replenish.DefaultWindowDays when 0).
	SalesWindowDays int
}

// Store executes stock jobs on the node's SQLite database. HandleWrites must
// be called from one goroutine at a time; HandleRead is safe for concurrent
// use, also with HandleWrites.
type Store struct {
	log    *slog.Logger
	pub    Publisher
	keys   *sealing.Ring
	ops    registry
	wdb    *sql.DB     // the writer's pool; HandleWrites holds one connection of it
	wc     *writerConn // the connection HandleWrites holds, nil until its first batch
	rdb    *sql.DB     // read-only connections for HandleRead
	reader *ent.Client
	// productBySKU is the prepared productBySKU query on rdb.
	productBySKU *sql.Stmt
	// levels and transit are the prepared selectLevels and inTransitSQL
	// queries on rdb (availability asks them on every call).
	levels, transit *sql.Stmt
	local           atomic.Pointer[stock.Warehouse]  // the local warehouse, for reads
	dir             string                           // the data directory
	salesDays       int                              // the days the sales window spans (saleswindow.go)
	signer          ed25519.PrivateKey               // signs the local log's heads (trust.KeyFile)
	binding         atomic.Pointer[stock.KeyBinding] // signer's binding to the local warehouse, once made
	digests         digests                          // the last digest of each origin's log
	w               writerState                      // owned by HandleWrites
	held            writerReservations               // owned by HandleWrites
	lots            writerLots                       // owned by HandleWrites
	hooks           hooks                            // set by tests only
	closed          atomic.Bool
}

// hooks lets tests inject faults into the writer; the zero value does
// nothing.
type hooks struct {
	job   func(op string, req []byte) // called before each write job runs
	write func() error                // called between the two writes of a movement
}

// beforeJob calls the job hook.
func (h *hooks) beforeJob(op string, req []byte) {
	if h.job != nil {
		h.job(op, req)
	}
}

// afterFirstWrite calls the write hook.
func (h *hooks) afterFirstWrite() error {
	if h.write != nil {
		return h.write()
	}
	return nil
}

var _ interface {
	HandleWrites([][]byte) [][]byte
	HandleRead(context.Context, []byte) []byte
} = (*Store)(nil)

// Open opens (creating if needed) the database in dir, which it creates with
// mode 0700 when missing, migrates its schema and loads the writer's state.
func Open(dir string, opts Options) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	s := &Store{log: opts.Logger, pub: opts.Publisher, keys: opts.Keys, ops: newRegistry(), w: newWriterState(), dir: dir,
		salesDays: windowDays(opts.SalesWindowDays)}
	if err := s.ops.check(); err != nil {
		return nil, err
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	readers := opts.Readers
	if readers <= 0 {
		readers = DefaultReaders
	}
	path := filepath.Join(dir, FileName)
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	var err error
	// Two writer connections: the one HandleWrites holds across batches
	// and one for maintenance between them (migration, Close).
	if s.wdb, err = openDB(path, 2, false); err != nil {
		return nil, err
	}
	if err = s.init(context.Background(), path, readers); err != nil {
		s.wdb.Close()
		if s.rdb != nil {
			s.rdb.Close()
		}
		return nil, err
	}
	return s, nil
}

// init migrates the schema, opens the readers and loads the writer's state.
func (s *Store) init(ctx context.Context, path string, readers int) error {
	w := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, s.wdb)))
	// Dropping indexes the schema no longer has: the unique index on
	// movements' idempotency keys became the key table.
	if err := w.Schema.Create(ctx, migrate.WithDropIndex(true)); err != nil {
		return fmt.Errorf("migrating %s: %w", path, err)
	}
	for _, table := range []string{createLog, createHeads, createLogKeys, createProblems, createMemberRecords} {
		if _, err := s.wdb.ExecContext(ctx, table); err != nil {
			return fmt.Errorf("creating the change log in %s: %w", path, err)
		}
	}
	if _, err := s.wdb.ExecContext(ctx, createOutcomes); err != nil {
		return fmt.Errorf("creating the job outcomes in %s: %w", path, err)
	}
	if _, err := s.wdb.ExecContext(ctx, createImportKeys+";"+createImportStaging); err != nil {
		return fmt.Errorf("creating the import tables in %s: %w", path, err)
	}
	if err := s.initTransfers(ctx); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := s.initReservations(ctx); err != nil {
		return err
	}
	if err := s.initStocktakes(ctx); err != nil {
		return err
	}
	if err := s.initLots(ctx); err != nil {
		return err
	}
	if err := s.initLocations(ctx); err != nil {
		return err
	}
	if err := s.initTransferRequests(ctx); err != nil {
		return err
	}
	if err := s.initReports(ctx); err != nil {
		return err
	}
	if err := s.initSalesWindow(ctx, s.salesDays, time.Now()); err != nil {
		return err
	}
	if _, err := s.wdb.ExecContext(ctx, createAudit); err != nil {
		return fmt.Errorf("creating the audit log in %s: %w", path, err)
	}
	if err := s.initKeys(ctx); err != nil {
		return err
	}
	if err := s.initSealing(ctx); err != nil {
		return err
	}
	// The log-signing key, written only once the keys of data at rest
	// were found right: a start refused for them writes no key file.
	var err error
	if s.signer, err = trust.LoadOrCreateKey(filepath.Join(s.dir, trust.KeyFile)); err != nil {
		return err
	}
	if s.rdb, err = openDB(path, readers, true); err != nil {
		return err
	}
	s.reader = ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, s.rdb)))
	if s.productBySKU, err = s.rdb.PrepareContext(ctx, productBySKU); err != nil {
		return fmt.Errorf("preparing the product lookup: %w", err)
	}
	if err := s.load(ctx, w); err != nil {
		return err
	}
	if err := s.prepareLevels(ctx); err != nil { // once load made the tables they read
		return err
	}
	if err := s.signExisting(ctx); err != nil {
		return err
	}
	return s.finishImports(ctx)
}

// Close checkpoints the WAL into the database file and closes every
// connection. No job may run during or after Close.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return ErrClosed
	}
	var werr error
	if s.wc != nil {
		werr = s.wc.close()
		s.wc = nil
	}
	rerr := errors.Join(werr, s.productBySKU.Close(), closeStmt(s.levels), closeStmt(s.transit), s.rdb.Close())
	_, cerr := s.wdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	if cerr != nil {
		cerr = fmt.Errorf("checkpointing: %w", cerr)
	}
	return errors.Join(rerr, cerr, s.wdb.Close())
}

// createPrivate creates the database file at path, empty, with mode 0600
// unless it exists: SQLite gives its -wal and -shm files the mode of the
// database file, so they are private too whatever the process's umask.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	return f.Close()
}
