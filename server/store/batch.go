package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	entsql "entgo.io/ent/dialect/sql"

	"entgo.io/ent/dialect"
	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// batch is one attempt at a HandleWrites call: a transaction on the
// writer's connection and the movements its successful jobs recorded.
type batch struct {
	s       *Store
	w       *writerState
	wc      *writerConn
	ctx     context.Context
	db      *ent.Client // on the connection, made when a job first needs ent
	careful bool        // every job runs in its own savepoint
	wrote   bool        // the running job has written to the database
	meta    stock.JobMeta
	changes []logged       // log entries appended, in order
	broken  error          // the transaction failed as a whole; no further job runs
	sealer  sealing.Sealer // the current key, taken once per batch
	// sealDone: a reseal job of this batch finished its pass.
	sealDone bool
	// fastJob: the running job is a fast one (runFast); its movements go
	// to rolled, other jobs' from jobFrom on (rollup.go).
	fastJob bool
	rolled  []rolledRow
	jobFrom int64
}

// writerConn is the connection the writer holds across batches, with its
// statements prepared once. Transactions run on it as plain BEGIN
// IMMEDIATE and COMMIT statements with a context that has no Done channel:
// database/sql then starts no goroutine per query (a *sql.Tx would, its
// context being cancelable) and the driver none per statement.
type writerConn struct {
	conn    *sql.Conn
	stmts   [numStmts]*sql.Stmt // prepared when first used
	discard bool                // its state is unknown: close it after the batch
}

// begin starts the batch's transaction, taking the writer's connection
// from the pool when it holds none.
func (s *Store) begin(careful bool) (*batch, error) {
	ctx := context.Background() // no Done channel: no goroutine per query
	if s.wc == nil {
		conn, err := s.wdb.Conn(ctx)
		if err != nil {
			return nil, err
		}
		s.wc = &writerConn{conn: conn}
	}
	b := &batch{s: s, w: &s.w, wc: s.wc, ctx: ctx, careful: careful, sealer: s.keys.Sealer()}
	if err := b.exec(stBegin); err != nil {
		s.wc.discard = true
		s.dropConn()
		return nil, err
	}
	return b, nil
}

// commit makes the batch durable. When COMMIT fails, SQLite may keep the
// transaction open: the caller rolls it back.
func (b *batch) commit() error { return b.exec(stCommit) }

// rollback ends the transaction without its changes. SQLite may have
// ended it already after some errors; when ROLLBACK fails the connection
// is discarded at close, so the next batch starts on a clean one.
func (b *batch) rollback() {
	if err := b.exec(stRollback); err != nil {
		b.wc.discard = true
	}
}

// close ends the batch, dropping the connection when it was discarded.
func (b *batch) close() {
	if b.wc.discard {
		b.s.dropConn()
	}
}

// dropConn closes the writer's connection; the next batch takes another.
func (s *Store) dropConn() {
	if s.wc == nil {
		return
	}
	s.wc.close()
	s.wc = nil
}

// close closes the statements and returns the connection to the pool, or
// closes it when discarded.
func (wc *writerConn) close() error {
	var errs []error
	for _, st := range wc.stmts {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	if wc.discard {
		wc.conn.Raw(func(any) error { return driver.ErrBadConn }) // closes the driver connection
	}
	return errors.Join(append(errs, wc.conn.Close())...)
}

// stmt returns the statement id, prepared on the writer's connection.
func (b *batch) stmt(id stmtID) (*sql.Stmt, error) {
	if st := b.wc.stmts[id]; st != nil {
		return st, nil
	}
	st, err := b.wc.conn.PrepareContext(b.ctx, id.query())
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", id.query(), err)
	}
	b.wc.stmts[id] = st
	return st, nil
}

// exec runs statement id with args.
func (b *batch) exec(id stmtID, args ...any) error {
	st, err := b.stmt(id)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(b.ctx, args...)
	return err
}

// queryRow runs statement id with args and scans its row into dest; it
// returns sql.ErrNoRows when there is none.
func (b *batch) queryRow(id stmtID, args []any, dest ...any) error {
	st, err := b.stmt(id)
	if err != nil {
		return err
	}
	return st.QueryRowContext(b.ctx, args...).Scan(dest...)
}

// client returns an ent client on the batch's transaction.
func (b *batch) client() *ent.Client {
	if b.db == nil {
		b.db = ent.NewClient(ent.Driver(txDriver{entsql.Conn{ExecQuerier: b.wc.conn}}))
	}
	return b.db
}

// txDriver runs ent on the batch's transaction; the transactions ent opens
// for multi-statement operations become no-ops inside it.
type txDriver struct {
	entsql.Conn
}

func (d txDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }
func (txDriver) Close() error                             { return nil }
func (txDriver) Dialect() string                          { return dialect.SQLite }

// savepoint opens the savepoint of one job.
func (b *batch) savepoint() error { return b.exec(stSavepoint) }

// release ends the job's savepoint, keeping its changes.
func (b *batch) release() error { return b.exec(stRelease) }

// rollbackJob undoes the job's changes and ends its savepoint.
func (b *batch) rollbackJob() error {
	if err := b.exec(stRollbackTo); err != nil {
		return err
	}
	return b.exec(stRelease)
}
