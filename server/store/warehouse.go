package store

import (
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
		if name == "" || name == cur.Name {
			return cur, nil
		}
		if err := b.client().Warehouse.UpdateOneID(cur.ID).SetName(name).Exec(b.ctx); err != nil {
			return nil, err
		}
		b.w.local = &stock.Warehouse{ID: cur.ID, Name: name, Local: true}
		return b.w.local, nil
	}
	if id == "" {
		id, name = DefaultWarehouseID, cmpOr(name, DefaultWarehouseName)
	}
	w, err := b.createLocal(id, cmpOr(name, id))
	if err != nil {
		return nil, err
	}
	b.w.local = warehouseOf(w)
	return b.w.local, nil
}

// createLocal stores the local warehouse, or marks as local a warehouse
// that was known already.
func (b *batch) createLocal(id, name string) (*ent.Warehouse, error) {
	n, err := b.client().Warehouse.Update().Where(warehouse.ID(id)).SetName(name).SetLocal(true).Save(b.ctx)
	if err != nil {
		return nil, err
	}
	if n == 1 {
		return b.client().Warehouse.Get(b.ctx, id)
	}
	return b.client().Warehouse.Create().SetID(id).SetName(name).SetLocal(true).SetCreatedAt(b.now()).Save(b.ctx)
}

// cmpOr returns s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
