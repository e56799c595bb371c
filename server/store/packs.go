package store

import (
	"encoding/json"
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// inPacks converts m, given in the pack m.pack of product p, into base
// units, or refuses a pack p does not have. The movement keeps the pack's
// name and size then: changing the size later rewrites no history.
func (b *batch) inPacks(p stockRow, m *movementInput) error {
	var raw string
	if err := b.queryRowPrep(`SELECT packs FROM products WHERE id = ?`, []any{p.id}, &raw); err != nil {
		return fmt.Errorf("reading the packs of %s: %w", p.sku, err)
	}
	packs, err := decodePacks(raw)
	if err != nil {
		return err
	}
	size := stock.PackSize(packs, m.pack)
	if size == 0 {
		return stock.Errorf(stock.CodeInvalidInput, "pack: %s has no pack %q", p.sku, m.pack)
	}
	units := m.delta * size
	if units > stock.MaxQuantity || units < -stock.MaxQuantity {
		return stock.Errorf(stock.CodeInvalidInput, "quantity: %d %s of %d is more than %d units", m.delta, m.pack, size, int64(stock.MaxQuantity))
	}
	m.delta, m.packSize = units, size
	return nil
}

// decodePacks reads a product's packs column ("" none).
func decodePacks(raw string) ([]stock.Pack, error) {
	if raw == "" {
		return nil, nil
	}
	var packs []stock.Pack
	if err := json.Unmarshal([]byte(raw), &packs); err != nil {
		return nil, fmt.Errorf("reading packs %q: %w", raw, err)
	}
	return packs, nil
}

// encodePacks writes a product's packs column.
func encodePacks(packs []stock.Pack) string {
	if len(packs) == 0 {
		return ""
	}
	b, _ := json.Marshal(packs) // a slice of plain structs always encodes
	return string(b)
}
