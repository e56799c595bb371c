package store

import (
	"strings"
	"unicode"

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
func (b *batch) initWarehouse(in *stock.Warehouse) (*stock.Reply, error) {
	if in == nil {
		in = &stock.Warehouse{}
	}
	id, name := strings.TrimSpace(in.ID), strings.TrimSpace(in.Name)
	if cur := b.w.local; cur != nil {
		if id != "" && id != cur.ID {
			return nil, stock.Errorf(stock.CodeInvalidInput,
				"this data belongs to warehouse %s, not %s", cur.ID, id)
		}
		if name == "" || name == cur.Name {
			return &stock.Reply{Warehouse: cur}, nil
		}
		if err := b.client().Warehouse.UpdateOneID(cur.ID).SetName(name).Exec(b.ctx); err != nil {
			return nil, err
		}
		b.w.local = &stock.Warehouse{ID: cur.ID, Name: name, Local: true}
		return &stock.Reply{Warehouse: b.w.local}, nil
	}
	if id == "" {
		id, name = DefaultWarehouseID, cmpOr(name, DefaultWarehouseName)
	}
	if err := checkWarehouseID(id); err != nil {
		return nil, err
	}
	w, err := b.createLocal(id, cmpOr(name, id))
	if err != nil {
		return nil, err
	}
	b.w.local = warehouseOf(w)
	return &stock.Reply{Warehouse: b.w.local}, nil
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

// checkWarehouseID checks a warehouse id: 1 to 64 printable characters
// without spaces.
func checkWarehouseID(id string) error {
	ok := len(id) <= 64
	for _, r := range id {
		ok = ok && !unicode.IsSpace(r) && unicode.IsPrint(r)
	}
	if !ok {
		return stock.Errorf(stock.CodeInvalidInput, "warehouse id %q must be 1 to 64 characters without spaces", id)
	}
	return nil
}

// cmpOr returns s, or def when s is empty.
func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
