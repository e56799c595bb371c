package store

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// movementInput is what move records besides the product.
type movementInput struct {
	kind        stock.Kind
	delta       int64 // signed change of the stock
	reference   string
	note        string
	actor       string
	key         string // idempotency key, "" for none
	fingerprint string
}

// recordMovement records a movement, or returns the stored one when its
// idempotency key was already used for the same request.
func (b *batch) recordMovement(actor string, in *stock.MovementInput) (*stock.Reply, error) {
	if in == nil {
		return nil, missing("movement")
	}
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	m := movementInput{kind: in.Kind, delta: in.Kind.Delta(in.Quantity), reference: in.Reference,
		note: in.Note, actor: actor, key: in.IdempotencyKey}
	if m.key != "" {
		m.fingerprint = fingerprint(in)
		prev, err := b.movementByKey(m.key, m.fingerprint)
		if err != nil || prev != nil {
			return &stock.Reply{Movement: prev}, err
		}
	}
	p, err := b.stockOf(in.SKU)
	if err != nil {
		return nil, err
	}
	mv, err := b.move(p, m)
	if err != nil {
		return nil, err
	}
	return &stock.Reply{Movement: mv}, nil
}

// setStock records an ADJUSTMENT that brings a product's stock to quantity;
// a zero difference is recorded too, as a count that confirmed the stock.
func (b *batch) setStock(actor, sku string, quantity int64, note string) (*stock.Reply, error) {
	sku, err := stock.NormalizeSKU(sku)
	if err != nil {
		return nil, err
	}
	if quantity < 0 || quantity > stock.MaxStock {
		return nil, stock.Errorf(stock.CodeInvalidInput, "quantity: %d is out of range (0 to %d)", quantity, int64(stock.MaxStock))
	}
	p, err := b.stockOf(sku)
	if err != nil {
		return nil, err
	}
	mv, err := b.move(p, movementInput{kind: stock.KindAdjustment, delta: quantity - p.Quantity, note: note, actor: actor})
	if err != nil {
		return nil, err
	}
	return &stock.Reply{Movement: mv}, nil
}

// move applies m to p under the next change sequence: it updates the
// product's stock and appends the movement to the ledger. Only p's ID,
// WarehouseID, Sku and Quantity are read; p is updated in place and the
// movement is queued for publication.
func (b *batch) move(p *ent.Product, m movementInput) (*stock.Movement, error) {
	balance, err := stock.Apply(p.Sku, p.Quantity, m.delta)
	if err != nil {
		return nil, err
	}
	seq, now := b.nextSeq(), b.now()
	if err := b.setQuantity(p, balance, seq, now); err != nil {
		return nil, err
	}
	mv := &stock.Movement{
		ID: stock.MovementID(p.WarehouseID, seq), Warehouse: p.WarehouseID, Seq: seq, SKU: p.Sku,
		Kind: m.kind, Quantity: m.delta, Balance: balance, Reference: m.reference, Note: m.note,
		Actor: m.actor, IdempotencyKey: m.key, CreatedAt: now,
	}
	if err := b.insertMovement(p, mv, m.fingerprint); err != nil {
		return nil, err
	}
	p.Quantity, p.Seq, p.UpdatedAt = balance, seq, now
	b.changes = append(b.changes, mv)
	return mv, nil
}

// fingerprint digests what makes two requests the same one.
func fingerprint(in *stock.MovementInput) string {
	h := sha256.New()
	for _, s := range []string{in.SKU, string(in.Kind), strconv.FormatInt(in.Quantity, 10), in.Reference, in.Note} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// movementOf converts a stored movement.
func movementOf(m *ent.Movement) *stock.Movement {
	out := &stock.Movement{
		ID: stock.MovementID(m.WarehouseID, m.Seq), Warehouse: m.WarehouseID, Seq: m.Seq, SKU: m.Sku,
		Kind: stock.Kind(m.Kind), Quantity: m.Quantity, Balance: m.Balance, Reference: m.Reference,
		Note: m.Note, Actor: m.Actor, CreatedAt: m.CreatedAt.UTC(),
	}
	if m.IdempotencyKey != nil {
		out.IdempotencyKey = *m.IdempotencyKey
	}
	return out
}
