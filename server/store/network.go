package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/warehouse"
	"github.com/stockmesh/stockmesh/server/stock"
)

// This file serves what a node holds of every warehouse, its own and the
// replicas applied from other warehouses' logs (apply.go): the list of
// warehouses, a sku's stock in each, and digests of their logs. Changes
// are another matter: own refuses them for any warehouse but the local.

// own returns nil when a change named for warehouse id ("" for the local
// one) may be made here, and stock.CheckOwner's refusal otherwise.
func (b *batch) own(id string) error {
	wh, err := b.localWarehouse()
	if err != nil {
		return err
	}
	return stock.CheckOwner(wh, id, func(id string) (*stock.Warehouse, error) {
		w, err := b.client().Warehouse.Get(b.ctx, id)
		if ent.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return warehouseOf(w), nil
	})
}

// warehouseFor returns the id of the warehouse a read names: the local
// one for "", else id when this node holds that warehouse, else NOT_FOUND.
func (s *Store) warehouseFor(ctx context.Context, id string) (string, error) {
	local := s.localID()
	if id == "" || id == local {
		return local, nil
	}
	ok, err := s.reader.Warehouse.Query().Where(warehouse.ID(id)).Exist(ctx)
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", stock.UnknownWarehouse(id)
	}
	return id, nil
}

// listWarehouses returns every warehouse this node holds, the local one
// boolOrder orders true before false.
func boolOrder(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// selectLevels selects the live products of a sku in every warehouse, each
// with the time of the last entry held of its warehouse's log. It walks the
// (few) warehouses and looks the sku up in each through the live products'
// (warehouse, sku) index, instead of scanning every product.
const selectLevels = `SELECT w.id, p.quantity,
	(SELECT l.at FROM change_log l WHERE l.origin = w.id ORDER BY l.seq DESC LIMIT 1), ` + reservedColumn + `
	FROM warehouses w CROSS JOIN products p
	WHERE p.warehouse_id = w.id AND p.sku = ? AND p.deleted_at IS NULL`

// prepareLevels prepares on the readers the queries of stockLevels.
func (s *Store) prepareLevels(ctx context.Context) error {
	var err error
	if s.levels, err = s.rdb.PrepareContext(ctx, selectLevels); err != nil {
		return fmt.Errorf("preparing the stock levels query: %w", err)
	}
	if s.transit, err = s.rdb.PrepareContext(ctx, inTransitSQL); err != nil {
		return fmt.Errorf("preparing the stock in transit query: %w", err)
	}
	return nil
}

// closeStmt closes st, which may be nil (a store that failed to open).
func closeStmt(st *sql.Stmt) error {
	if st == nil {
		return nil
	}
	return st.Close()
}

// stockLevels returns the stock of a sku in every warehouse that has a
// live product of it, the local warehouse first (as of the read), then the
// replicas by id (as of the last entry applied from their origins).
func (s *Store) stockLevels(ctx context.Context, q *stock.StockLevelQuery) (*stock.StockLevels, error) {
	rows, err := s.levels.QueryContext(ctx, q.SKU)
	if err != nil {
		return nil, fmt.Errorf("reading the stock levels of %s: %w", q.SKU, err)
	}
	defer rows.Close()
	local, now := s.localID(), time.Now().UTC()
	out := &stock.StockLevels{Levels: []stock.StockLevel{}}
	for rows.Next() {
		var l stock.StockLevel
		var at sql.NullInt64
		if err := rows.Scan(&l.Warehouse, &l.Quantity, &at, &l.Reserved); err != nil {
			return nil, fmt.Errorf("reading the stock levels of %s: %w", q.SKU, err)
		}
		switch {
		case l.Warehouse == local:
			l.AsOf = &now
		case at.Valid:
			t := time.Unix(0, at.Int64).UTC()
			l.AsOf = &t
		}
		out.Levels = append(out.Levels, l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := addInTransit(ctx, s, q.SKU, out, local, now); err != nil {
		return nil, err
	}
	if err := addCover(ctx, s, q, out, now); err != nil {
		return nil, err
	}
	slices.SortFunc(out.Levels, func(a, b stock.StockLevel) int {
		if c := boolOrder(a.Warehouse == local, b.Warehouse == local); c != 0 {
			return c
		}
		return strings.Compare(a.Warehouse, b.Warehouse)
	})
	return out, nil
}

// digestPage is how many log entries a digest reads at a time.
const digestPage = 1000

// digests remembers the last digest computed of each origin's log, so
// that asking again costs only the entries appended since.
type digests struct {
	mu   sync.Mutex
	last map[string]digestState
}

// digestState is a digest of an origin's log up to seq, whose entry has
// time at (in Unix nanoseconds): a log begun again under the same id
// differs there, and is digested from its start.
type digestState struct {
	seq int64
	at  int64
	sum [32]byte
}

func (d *digests) get(origin string) digestState {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.last[origin]
}

func (d *digests) put(origin string, st digestState) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last == nil {
		d.last = map[string]digestState{}
	}
	d.last[origin] = st // an older one is still right: replica checks before resuming
}

// replica returns how far this node holds origin's log and its digest, in
// one snapshot; it resumes from the digest it computed last when that one
// still describes the log.
func (s *Store) replica(ctx context.Context, q *stock.ReplicaQuery) (*stock.Replica, error) {
	if _, err := s.warehouseFor(ctx, q.Origin); err != nil {
		return nil, err
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	st := s.digests.get(q.Origin)
	if st.seq > 0 && !s.holdsEntry(ctx, tx, q.Origin, st) {
		st = digestState{}
	}
	d := stock.ResumeDigest(st.sum)
	for {
		n, err := s.digestPage(ctx, tx, q.Origin, d, &st)
		if err != nil {
			return nil, err
		}
		if n < digestPage {
			break
		}
	}
	st.sum = d.Sum()
	s.digests.put(q.Origin, st)
	r := &stock.Replica{Origin: q.Origin, Seq: st.seq, Digest: d.String()}
	if r.Problem, err = s.problemOf(ctx, tx, q.Origin); err != nil {
		return nil, err
	}
	if st.seq > 0 {
		t := time.Unix(0, st.at).UTC()
		r.AsOf = &t
	}
	return r, nil
}

// holdsEntry reports whether the log of origin still has st's last entry,
// at the same time.
func (s *Store) holdsEntry(ctx context.Context, tx *sql.Tx, origin string, st digestState) bool {
	var at int64
	err := tx.QueryRowContext(ctx, `SELECT at FROM change_log WHERE origin = ? AND seq = ?`, origin, st.seq).Scan(&at)
	return err == nil && at == st.at
}

// digestPage adds to d a page of origin's log after st.seq, advancing st,
// and returns how many entries it read.
func (s *Store) digestPage(ctx context.Context, tx *sql.Tx, origin string, d *stock.LogDigest, st *digestState) (int, error) {
	rows, err := tx.QueryContext(ctx, selectLog, origin, st.seq, digestPage)
	if err != nil {
		return 0, fmt.Errorf("reading the log of %s: %w", origin, err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		e := stock.LogEntry{Origin: origin}
		if err := s.scanEntry(rows, &e); err != nil {
			return 0, fmt.Errorf("reading a log entry of %s: %w", origin, err)
		}
		if err := d.Add(&e); err != nil {
			return 0, err
		}
		st.seq, st.at, n = e.Seq, e.At.UnixNano(), n+1
	}
	return n, rows.Err()
}

// hex returns the digest in hexadecimal, as stock.LogDigest writes it.
func (st digestState) hex() string { return hex.EncodeToString(st.sum[:]) }
