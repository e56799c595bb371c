package main

import (
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver the node uses

	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// directSQLite runs the transaction a movement makes (read the product,
// update its stock, insert the movement, its row in the change log, and
// its idempotency key into the key table's unique index, the direct way to
// keep keys unique that the node replaces with sorted bulk inserts)
// straight on SQLite on the node's
// own schema, perTx movements per transaction, from one goroutine looping
// as fast as it can: the baseline without HTTP, GraphQL or the queue, and
// without contention for the connection.
func directSQLite(o options, synchronous string, perTx int) (result, error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-sqlite-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	if err := seedStore(dir, o.skus); err != nil {
		return result{}, err
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "stockmesh.db")+"?_journal_mode=WAL&_synchronous="+synchronous+"&_busy_timeout=5000")
	if err != nil {
		return result{}, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	sel, err := db.Prepare(`SELECT id, quantity FROM products WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`)
	if err != nil {
		return result{}, err
	}
	upd, err := db.Prepare(`UPDATE products SET quantity = ?, seq = ?, updated_at = ? WHERE id = ?`)
	if err != nil {
		return result{}, err
	}
	ins, err := db.Prepare(`INSERT INTO movements (seq, sku, kind, quantity, balance, reference, note, actor,
		idempotency_key, fingerprint, created_at, product_id, warehouse_id) VALUES (?, ?, 'PURCHASE', 1, ?, '', '', 'bench', ?, '', ?, ?, 'WH-1')`)
	if err != nil {
		return result{}, err
	}
	key, err := db.Prepare(`INSERT INTO idempotency_keys (warehouse_id, key, seq) VALUES ('WH-1', ?, ?)`)
	if err != nil {
		return result{}, err
	}
	logged, err := db.Prepare(`INSERT INTO change_log (origin, seq, at, type, job, data) VALUES ('WH-1', ?, ?, 'movement', ?, NULL)`)
	if err != nil {
		return result{}, err
	}
	var seq atomic.Int64
	seq.Store(1 << 40)
	move := func(tx *sql.Tx, i int) bool {
		sku := fmt.Sprintf("B-%d", i%o.skus)
		var id, q int64
		if tx.Stmt(sel).QueryRow("WH-1", sku).Scan(&id, &q) != nil {
			return false
		}
		n, now := seq.Add(1), time.Now().UTC()
		if _, err := tx.Stmt(upd).Exec(q+1, n, now, id); err != nil {
			return false
		}
		k := fmt.Sprintf("d%d", n)
		if _, err := tx.Stmt(ins).Exec(n, sku, q+1, k, now, id); err != nil {
			return false
		}
		if _, err := tx.Stmt(logged).Exec(n, now.UnixNano(), k); err != nil {
			return false
		}
		_, err := tx.Stmt(key).Exec(k, n)
		return err == nil
	}
	res := load(1, o.duration, func(_, i int) bool {
		tx, err := db.Begin()
		if err != nil {
			return false
		}
		defer tx.Rollback()
		for k := range perTx {
			if !move(tx, i*perTx+k) {
				return false
			}
		}
		return tx.Commit() == nil
	})
	res.ops *= perTx // movements, not transactions
	fmt.Println(res.line(fmt.Sprintf("direct SQLite, %d movement(s)/tx, %s", perTx, synchronous)))
	return res, nil
}

// seedStore creates the node's schema and the bench's products through the
// store, as a node would.
func seedStore(dir string, skus int) error {
	st, err := store.Open(dir, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()
	job := func(op string, req any) []byte {
		b, err := stock.EncodeJob(stock.JobMeta{Op: op}, req)
		if err != nil {
			panic(err)
		}
		return b
	}
	jobs := [][]byte{job(stock.OpWarehouseInit.Name, &stock.Warehouse{ID: "WH-1", Name: "Bench"})}
	for i := range skus {
		jobs = append(jobs, job(stock.OpProductCreate.Name, &stock.CreateProductInput{
			SKU: fmt.Sprintf("B-%d", i), Name: fmt.Sprintf("Bench %d", i), Price: 1_0000}))
	}
	for _, r := range st.HandleWrites(jobs) {
		if err := stock.DecodeReply(r, &struct{}{}); err != nil {
			return fmt.Errorf("seeding: %s: %w", r, err)
		}
	}
	return nil
}

// directReplica inserts the rows a replica writes for each of movements
// movements of another warehouse's log (the movement with its idempotency
// key and its change-log row; a replica keeps no key-table row) straight
// into SQLite on the node's own schema, catchUpBatch movements per
// transaction at synchronous=FULL, from one loop with prepared statements,
// reading each product once per transaction and writing its new quantity
// once per transaction, as the replica does. It returns how long the inserts took:
// the catch-up's anchor, without HTTP, decoding or the queue.
func directReplica(skus, movements int) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-sqlite-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	if err := seedStore(dir, skus); err != nil {
		return 0, err
	}
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "stockmesh.db")+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=5000")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	stmts, err := prepareAll(db,
		`SELECT id, quantity FROM products WHERE warehouse_id = 'WH-1' AND sku = ? AND deleted_at IS NULL`,
		`UPDATE products SET quantity = ?, seq = ?, updated_at = ? WHERE id = ?`,
		`INSERT INTO movements (warehouse_id, seq, product_id, sku, kind, quantity, balance,
			reference, note, actor, idempotency_key, fingerprint, created_at)
			VALUES ('WH-1', ?, ?, ?, 'PURCHASE', 1, ?, '', '', 'bench', ?, '', ?)`,
		`INSERT INTO change_log (origin, seq, at, type, job, data) VALUES ('WH-1', ?, ?, 'movement', NULL, NULL)`)
	if err != nil {
		return 0, err
	}
	t0 := time.Now()
	for i := 0; i < movements; i += catchUpBatch {
		if err := replicaTx(db, stmts, skus, i, min(i+catchUpBatch, movements)); err != nil {
			return 0, fmt.Errorf("direct SQLite replica rows: %w", err)
		}
	}
	return time.Since(t0), nil
}

// replicaTx writes movements from to to (exclusive) in one transaction
// with stmts (directReplica's, in order).
func replicaTx(db *sql.DB, stmts []*sql.Stmt, skus, from, to int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	type row struct{ id, q, seq int64 }
	held := map[string]*row{}
	for i := from; i < to; i++ {
		sku := fmt.Sprintf("B-%d", i%skus)
		p := held[sku]
		if p == nil {
			p = &row{}
			if err := tx.Stmt(stmts[0]).QueryRow(sku).Scan(&p.id, &p.q); err != nil {
				return err
			}
			held[sku] = p
		}
		p.q++
		seq, now := int64(1<<40+i), time.Now().UTC()
		p.seq = seq
		if _, err := tx.Stmt(stmts[2]).Exec(seq, p.id, sku, p.q, seedKey(i), now); err != nil {
			return err
		}
		if _, err := tx.Stmt(stmts[3]).Exec(seq, now.UnixNano()); err != nil {
			return err
		}
	}
	now := time.Now().UTC()
	for _, p := range held {
		if _, err := tx.Stmt(stmts[1]).Exec(p.q, p.seq, now, p.id); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// prepareAll prepares queries on db, in order.
func prepareAll(db *sql.DB, queries ...string) ([]*sql.Stmt, error) {
	stmts := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		var err error
		if stmts[i], err = db.Prepare(q); err != nil {
			return nil, fmt.Errorf("preparing %q: %w", q, err)
		}
	}
	return stmts, nil
}
