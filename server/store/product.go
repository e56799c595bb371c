package store

import (
	"fmt"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/product"
	"github.com/stockmesh/stockmesh/server/stock"
)

// deletedNote is the note of the ADJUSTMENT that removes the units a
// deleted product still had.
const deletedNote = "product deleted: its remaining units leave the stock"

// liveProduct returns the live product with sku in the local warehouse, or
// a NOT_FOUND error.
func (b *batch) liveProduct(sku string) (*ent.Product, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	p, err := b.client().Product.Query().
		Where(product.WarehouseID(wh.ID), product.Sku(sku), product.DeletedAtIsNil()).
		Only(b.ctx)
	if ent.IsNotFound(err) {
		return nil, notFound(sku)
	}
	return p, err
}

// createProduct creates a product; a positive initial quantity is recorded
// as its first movement, a PURCHASE.
func (b *batch) createProduct(in *stock.CreateProductInput) (*stock.Product, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	if _, err := b.liveProduct(in.SKU); err == nil {
		return nil, stock.Errorf(stock.CodeAlreadyExists, "product %s already exists", in.SKU)
	} else if !isNotFound(err) {
		return nil, err
	}
	p, err := b.insertProduct(wh.ID, in)
	if err != nil {
		return nil, err
	}
	return productOf(p), nil
}

// insertProduct creates in's product in warehouse, which has no live
// product with its sku (ALREADY_EXISTS otherwise), logs it, and records a
// positive initial quantity as its first movement, a PURCHASE.
func (b *batch) insertProduct(warehouse string, in *stock.CreateProductInput) (*ent.Product, error) {
	now := b.now()
	p := &ent.Product{WarehouseID: warehouse, Sku: in.SKU, Name: in.Name, Description: in.Description,
		Price: int64(in.Price), ReorderPoint: in.ReorderPoint, Seq: b.w.nextSeq(), CreatedAt: now, UpdatedAt: now,
		Unit: in.Unit, Packs: encodePacks(in.Packs), MaxStock: in.MaxStock}
	b.wrote = true
	stamp := timestamp(now)
	err := b.queryRow(stInsertProduct, []any{warehouse, p.Sku, p.Name, p.Description, p.Price, p.ReorderPoint,
		p.Seq, stamp, stamp, p.Unit, p.Packs, p.MaxStock}, &p.ID)
	if isUniqueViolation(err) {
		return nil, stock.Errorf(stock.CodeAlreadyExists, "product %s already exists", in.SKU)
	}
	if err != nil {
		return nil, fmt.Errorf("creating product %s: %w", in.SKU, err)
	}
	if err := b.logProduct(stock.EntryProductCreated, p, nil); err != nil {
		return nil, err
	}
	if in.InitialQuantity > 0 {
		m := movementInput{kind: stock.KindPurchase, delta: in.InitialQuantity, note: initialNote, actor: b.meta.Actor}
		if err := b.moveProduct(p, m); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// updateProduct changes the fields u names; a new quantity is recorded as
// an ADJUSTMENT of the difference (none when it does not change). Fields
// set to the value they have change nothing and take no seq.
func (b *batch) updateProduct(u *stock.ProductUpdate) (*stock.Product, error) {
	if err := b.own(u.Warehouse); err != nil {
		return nil, err
	}
	p, err := b.liveProduct(u.SKU)
	if err != nil {
		return nil, err
	}
	if err := b.changeProduct(p, &u.Update); err != nil {
		return nil, err
	}
	return productOf(p), nil
}

// changeProduct applies in to p, a live product of the local warehouse
// read in the batch's transaction, and updates p in place.
func (b *batch) changeProduct(p *ent.Product, in *stock.UpdateProductInput) error {
	if changed := applyFields(p, in); len(changed) > 0 {
		if err := b.updateFields(p, changed); err != nil {
			return err
		}
	}
	if in.Quantity != nil && *in.Quantity != p.Quantity {
		m := movementInput{kind: stock.KindAdjustment, delta: *in.Quantity - p.Quantity, note: in.Note, actor: b.meta.Actor}
		return b.moveProduct(p, m)
	}
	return nil
}

// applyFields sets on p the descriptive fields of in that differ from p's
// and returns their names.
func applyFields(p *ent.Product, in *stock.UpdateProductInput) []string {
	var changed []string
	if in.Name != nil && *in.Name != p.Name {
		p.Name, changed = *in.Name, append(changed, stock.FieldName)
	}
	if in.Description != nil && *in.Description != p.Description {
		p.Description, changed = *in.Description, append(changed, stock.FieldDescription)
	}
	if in.Price != nil && int64(*in.Price) != p.Price {
		p.Price, changed = int64(*in.Price), append(changed, stock.FieldPrice)
	}
	if in.ReorderPoint != nil && *in.ReorderPoint != p.ReorderPoint {
		p.ReorderPoint, changed = *in.ReorderPoint, append(changed, stock.FieldReorderPoint)
	}
	if in.Unit != nil && *in.Unit != p.Unit {
		p.Unit, changed = *in.Unit, append(changed, stock.FieldUnit)
	}
	if packs := encodePacks(in.Packs); in.Packs != nil && packs != p.Packs {
		p.Packs, changed = packs, append(changed, stock.FieldPacks)
	}
	if in.MaxStock != nil && *in.MaxStock != p.MaxStock {
		p.MaxStock, changed = *in.MaxStock, append(changed, stock.FieldMaxStock)
	}
	return changed
}

// updateFields stores p's descriptive fields as one change that changed
// the named fields.
func (b *batch) updateFields(p *ent.Product, changed []string) error {
	p.Seq, p.UpdatedAt = b.w.nextSeq(), b.now()
	err := b.client().Product.Update().Where(product.ID(p.ID)).
		SetName(p.Name).SetDescription(p.Description).SetPrice(p.Price).
		SetReorderPoint(p.ReorderPoint).SetUnit(p.Unit).SetPacks(p.Packs).SetMaxStock(p.MaxStock).SetSeq(p.Seq).SetUpdatedAt(p.UpdatedAt).
		Exec(b.ctx)
	if err != nil {
		return err
	}
	return b.logProduct(stock.EntryProductUpdated, p, changed)
}

// deleteProduct marks a product deleted and returns its last state. Its
// active reservations are released first (each logged, see
// releaseProduct), then units still in stock leave through an ADJUSTMENT
// to zero, so that the sum of a sku's movements always equals its stock,
// across deletions and re-creations. Its movements stay and its sku is
// free again.
func (b *batch) deleteProduct(r *stock.ProductRef) (*stock.Product, error) {
	if err := b.own(r.Warehouse); err != nil {
		return nil, err
	}
	p, err := b.liveProduct(r.SKU)
	if err != nil {
		return nil, err
	}
	if err := b.releaseProduct(p.WarehouseID, p.Sku); err != nil {
		return nil, err
	}
	if p.Quantity > 0 {
		m := movementInput{kind: stock.KindAdjustment, delta: -p.Quantity, note: deletedNote, actor: b.meta.Actor}
		if err := b.moveProduct(p, m); err != nil {
			return nil, err
		}
	}
	p.Seq, p.UpdatedAt = b.w.nextSeq(), b.now()
	err = b.client().Product.Update().Where(product.ID(p.ID)).
		SetSeq(p.Seq).SetUpdatedAt(p.UpdatedAt).SetDeletedAt(p.UpdatedAt).
		Exec(b.ctx)
	if err != nil {
		return nil, err
	}
	b.w.dropProduct(r.SKU)
	if err := b.logProduct(stock.EntryProductDeleted, p, nil); err != nil {
		return nil, err
	}
	return productOf(p), nil
}

// logProduct appends a product entry of type t with p's state, at p's seq
// and time.
func (b *batch) logProduct(t stock.EntryType, p *ent.Product, changed []string) error {
	return b.appendLog(&stock.LogEntry{Origin: p.WarehouseID, Seq: p.Seq, At: p.UpdatedAt,
		Type: t, Product: productOf(p), Changed: changed, Actor: b.meta.Actor})
}

// productOf converts a stored product.
func productOf(p *ent.Product) *stock.Product {
	return &stock.Product{
		Warehouse: p.WarehouseID, SKU: p.Sku, Name: p.Name, Description: p.Description,
		Price: stock.Price(p.Price), Quantity: p.Quantity, ReorderPoint: p.ReorderPoint, Seq: p.Seq,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(), Unit: p.Unit,
		Packs: mustPacks(p.Packs), MaxStock: p.MaxStock,
	}
}

// mustPacks decodes a packs column the writer wrote (encodePacks), nil
// for one it cannot read.
func mustPacks(raw string) []stock.Pack {
	packs, _ := decodePacks(raw)
	return packs
}

// notFound is the error for a sku without a live product.
func notFound(sku string) error {
	return stock.Errorf(stock.CodeNotFound, "product %s not found", sku)
}

// isNotFound reports whether err is a NOT_FOUND domain error.
func isNotFound(err error) bool { return stock.CodeOf(err) == stock.CodeNotFound }
