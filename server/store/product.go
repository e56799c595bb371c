package store

import (
	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/product"
	"github.com/stockmesh/stockmesh/server/stock"
)

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
func (b *batch) createProduct(actor string, in *stock.CreateProductInput) (*stock.Reply, error) {
	if in == nil {
		return nil, missing("create")
	}
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	if _, err := b.liveProduct(in.SKU); err == nil {
		return nil, stock.Errorf(stock.CodeAlreadyExists, "product %s already exists", in.SKU)
	} else if !isNotFound(err) {
		return nil, err
	}
	now := b.now()
	p, err := b.client().Product.Create().
		SetWarehouseID(wh.ID).SetSku(in.SKU).SetName(in.Name).SetDescription(in.Description).
		SetPrice(int64(in.Price)).SetReorderPoint(in.ReorderPoint).SetSeq(b.w.nextSeq()).
		SetCreatedAt(now).SetUpdatedAt(now).
		Save(b.ctx)
	if ent.IsConstraintError(err) {
		return nil, stock.Errorf(stock.CodeAlreadyExists, "product %s already exists", in.SKU)
	}
	if err != nil {
		return nil, err
	}
	if in.InitialQuantity > 0 {
		m := movementInput{kind: stock.KindPurchase, delta: in.InitialQuantity, note: "initial stock", actor: actor}
		if err := b.moveProduct(p, m); err != nil {
			return nil, err
		}
	}
	return &stock.Reply{Product: productOf(p)}, nil
}

// updateProduct changes the fields in; a new quantity is recorded as an
// ADJUSTMENT of the difference (none when it does not change).
func (b *batch) updateProduct(actor, sku string, in *stock.UpdateProductInput) (*stock.Reply, error) {
	if in == nil {
		return nil, missing("update")
	}
	sku, err := stock.NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	p, err := b.liveProduct(sku)
	if err != nil {
		return nil, err
	}
	if in.Name != nil || in.Description != nil || in.Price != nil || in.ReorderPoint != nil {
		if err := b.updateFields(p, in); err != nil {
			return nil, err
		}
	}
	if in.Quantity != nil && *in.Quantity != p.Quantity {
		m := movementInput{kind: stock.KindAdjustment, delta: *in.Quantity - p.Quantity, note: in.Note, actor: actor}
		if err := b.moveProduct(p, m); err != nil {
			return nil, err
		}
	}
	return &stock.Reply{Product: productOf(p)}, nil
}

// updateFields stores the descriptive fields of in as one change of p, and
// applies them to p.
func (b *batch) updateFields(p *ent.Product, in *stock.UpdateProductInput) error {
	if in.Name != nil {
		p.Name = *in.Name
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if in.Price != nil {
		p.Price = int64(*in.Price)
	}
	if in.ReorderPoint != nil {
		p.ReorderPoint = *in.ReorderPoint
	}
	p.Seq, p.UpdatedAt = b.w.nextSeq(), b.now()
	return b.client().Product.Update().Where(product.ID(p.ID)).
		SetName(p.Name).SetDescription(p.Description).SetPrice(p.Price).
		SetReorderPoint(p.ReorderPoint).SetSeq(p.Seq).SetUpdatedAt(p.UpdatedAt).
		Exec(b.ctx)
}

// deleteProduct marks a product deleted and returns its last state; its
// movements stay and its sku is free again.
func (b *batch) deleteProduct(sku string) (*stock.Reply, error) {
	sku, err := stock.NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	p, err := b.liveProduct(sku)
	if err != nil {
		return nil, err
	}
	p.Seq, p.UpdatedAt = b.w.nextSeq(), b.now()
	err = b.client().Product.Update().Where(product.ID(p.ID)).
		SetSeq(p.Seq).SetUpdatedAt(p.UpdatedAt).SetDeletedAt(p.UpdatedAt).
		Exec(b.ctx)
	if err != nil {
		return nil, err
	}
	b.w.dropProduct(sku)
	return &stock.Reply{Product: productOf(p)}, nil
}

// productOf converts a stored product.
func productOf(p *ent.Product) *stock.Product {
	return &stock.Product{
		Warehouse: p.WarehouseID, SKU: p.Sku, Name: p.Name, Description: p.Description,
		Price: stock.Price(p.Price), Quantity: p.Quantity, ReorderPoint: p.ReorderPoint, Seq: p.Seq,
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
}

// notFound is the error for a sku without a live product.
func notFound(sku string) error {
	return stock.Errorf(stock.CodeNotFound, "product %s not found", sku)
}

// missing is the error for a job without the input its op needs.
func missing(field string) error {
	return stock.Errorf(stock.CodeInvalidInput, "%s: missing", field)
}

// isNotFound reports whether err is a NOT_FOUND domain error.
func isNotFound(err error) bool { return stock.CodeOf(err) == stock.CodeNotFound }
