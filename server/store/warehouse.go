package store

import (
	"cmp"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/warehouse"
	"github.com/stockmesh/stockmesh/server/stock"
)

// The local warehouse created when warehouse.init names none.
const (
	DefaultWarehouseID   = "WH-1"
	DefaultWarehouseName = "Warehouse 1"
)

// initWarehouse creates the local warehouse on first start, or confirms the
// stored one (renaming it when in names another name). An id other than the
// stored one is refused: the data belongs to that warehouse.
func (b *batch) initWarehouse(in *stock.Warehouse) (*stock.Warehouse, error) {
	id, name := in.ID, in.Name
	if cur := b.w.local; cur != nil {
		if id != "" && id != cur.ID {
			return nil, stock.Errorf(stock.CodeInvalidInput,
				"this data belongs to warehouse %s, not %s", cur.ID, id)
		}
		if cur.Epoch == "" { // a log begun before epochs: it gets one now
			if err := b.setEpoch(cur.ID); err != nil {
				return nil, err
			}
			return b.w.local, nil
		}
		if name == "" || name == cur.Name {
			return cur, nil
		}
		if err := b.client().Warehouse.UpdateOneID(cur.ID).SetName(name).Exec(b.ctx); err != nil {
			return nil, err
		}
		next := *cur
		next.Name = name
		b.w.local = &next
		return b.w.local, nil
	}
	if id == "" {
		id, name = DefaultWarehouseID, cmp.Or(name, DefaultWarehouseName)
	}
	w, err := b.createLocal(id, cmp.Or(name, id))
	if err != nil {
		return nil, err
	}
	b.w.local = warehouseOf(w)
	return b.w.local, nil
}

// createLocal stores the local warehouse, or marks as local a warehouse
// that was known already: one whose history this node restored from the
// network before it first set up (a wiped data folder rejoining under its
// id). Its log, its epoch and its idempotency keys then carry on.
func (b *batch) createLocal(id, name string) (*ent.Warehouse, error) {
	n, err := b.client().Warehouse.Update().Where(warehouse.ID(id)).SetName(name).SetLocal(true).Save(b.ctx)
	if err != nil {
		return nil, err
	}
	if n == 1 {
		if err := b.adopt(id); err != nil {
			return nil, err
		}
		w, err := b.client().Warehouse.Get(b.ctx, id)
		if err != nil || w.Epoch != "" {
			return w, err
		}
		return w.Update().SetEpoch(newEpoch()).Save(b.ctx)
	}
	return b.client().Warehouse.Create().SetID(id).SetName(name).SetLocal(true).
		SetEpoch(newEpoch()).SetCreatedAt(b.now()).Save(b.ctx)
}

// adopt makes the writer continue the log of id, held here as a replica
// until now: its next seq follows the last one held, and the idempotency
// keys of its movements are remembered.
func (b *batch) adopt(id string) error {
	last, err := lastSeq(b.ctx, b.wc.conn, id)
	if err != nil {
		return err
	}
	b.w.seq = last
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT idempotency_key, seq FROM movements
		WHERE warehouse_id = ? AND idempotency_key IS NOT NULL`, id)
	if err != nil {
		return fmt.Errorf("reading the idempotency keys of %s: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var seq int64
		if err := rows.Scan(&key, &seq); err != nil {
			return err
		}
		b.w.addKey(key, seq)
		b.w.noteKey(key)
	}
	return rows.Err()
}

// setEpoch gives the local warehouse, id, a new epoch.
func (b *batch) setEpoch(id string) error {
	w, err := b.client().Warehouse.UpdateOneID(id).SetEpoch(newEpoch()).Save(b.ctx)
	if err != nil {
		return err
	}
	b.w.local = warehouseOf(w)
	return nil
}

// newEpoch returns a new random epoch.
func newEpoch() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
