// Package model holds the GraphQL API's input, connection and event types:
// gqlgen generates most of them (models_gen.go); StockChange is written by
// hand.
package model

import (
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// StockChange is a committed stock change as stockChanged subscribers see
// it. It is written by hand rather than generated so that it can carry
// Held: the units reservations held right after the change, which the
// reserved and available fields answer without a read.
type StockChange struct {
	Warehouse *stock.Warehouse `json:"warehouse"`
	Sku       string           `json:"sku"`
	// The stock after the change.
	Quantity int64 `json:"quantity"`
	// The signed change; when merged, the sum of the merged changes.
	Delta int64 `json:"delta"`
	// True when this subscriber fell behind and several changes were merged into this one; quantity is still exact.
	Merged bool `json:"merged"`
	// The movement that made the change; null when merged or deleted.
	Movement *stock.Movement `json:"movement,omitempty"`
	// True when the product was deleted; quantity is 0. A merged change ending in the deletion is deleted too.
	Deleted bool      `json:"deleted"`
	At      time.Time `json:"at"`
	// Held is the units reservations hold right after the change (after
	// the last one, merged) when the committed change carries them (see
	// stock.Change.Reserved); nil otherwise, when the reserved field reads
	// them from the product as it is now.
	Held *int64 `json:"-"`
}
