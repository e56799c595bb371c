package store

import (
	"database/sql"
	"errors"

	"github.com/stockmesh/stockmesh/server/stock"
)

// The rules of a replicated entry that depend on the replica's state; the
// entry's own rules are stock.LogEntry.Validate's, run before the job
// reaches the writer. Each refusal is a stock.ErrInvalidEntry naming the
// entry and the field, and fails the whole run (one transaction), so a bad
// entry leaves the replica as it was.

// checkBalance checks that a movement entry's balance is what the origin's
// writer computed: the stock the replica's product held before it (before)
// plus the movement's signed quantity, without overflow. A forged balance
// would make the replica's stock differ from the sum of its ledger.
func checkBalance(e *stock.LogEntry, before int64) error {
	m := e.Movement
	want, ok := addStock(before, m.StockDelta())
	if !ok || m.Balance != want {
		return stock.InvalidEntry(e, "movement.balance", "%d does not follow from the replica's stock of %s (%d) and the movement's quantity (%d)",
			m.Balance, m.SKU, before, m.Quantity)
	}
	return nil
}

// addStock returns a + b, and false when the sum overflows an int64.
func addStock(a, b int64) (int64, bool) {
	s := a + b
	return s, (b >= 0) == (s >= a)
}

// checkDeleted checks that a product.deleted entry deletes a product the
// replica holds no stock of (quantity): the origin takes the units of a
// product it deletes out through an ADJUSTMENT to zero first, so that the
// ledger of every sku sums to its stock.
func checkDeleted(e *stock.LogEntry, quantity int64) error {
	if quantity != 0 {
		return stock.InvalidEntry(e, "product.quantity", "deletes %s, of which the replica holds %d units: its ADJUSTMENT to zero comes first",
			e.Product.SKU, quantity)
	}
	return nil
}

// checkCreated checks that a product.created entry creates a sku the
// replica holds no live product of in that warehouse.
func (b *batch) checkCreated(e *stock.LogEntry) error {
	var id int
	var quantity int64
	err := b.queryRow(stLiveProduct, []any{e.Origin, e.Product.SKU}, &id, &quantity)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return stock.InvalidEntry(e, "product.sku", "creates %s, which the replica holds already", e.Product.SKU)
}
