package stock

import (
	"strconv"
	"time"
)

// Movement is one immutable entry of the ledger. Quantity is signed (a sale
// of 3 is -3) and Balance is the product's stock right after it. Movements
// of a warehouse are numbered by Seq, gap-free across all of its changes.
type Movement struct {
	ID             string    `json:"id"`
	Warehouse      string    `json:"warehouse"`
	Seq            int64     `json:"seq"`
	SKU            string    `json:"sku"`
	Kind           Kind      `json:"kind"`
	Quantity       int64     `json:"quantity"`
	Balance        int64     `json:"balance"`
	Reference      string    `json:"reference,omitempty"`
	Note           string    `json:"note,omitempty"`
	Actor          string    `json:"actor,omitempty"`
	IdempotencyKey string    `json:"idempotencyKey,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
}

// MovementID returns the global id of a warehouse's movement: "MAD-1:42".
func MovementID(warehouse string, seq int64) string {
	return warehouse + ":" + strconv.FormatInt(seq, 10)
}

// MovementInput is a request to record a movement. Quantity is positive and
// the kind gives its sign, except for ADJUSTMENT, whose quantity is signed
// (a stock count that finds two fewer records -2). Warehouse is "" or the
// local one (see CheckOwner).
type MovementInput struct {
	SKU            string `json:"sku"`
	Kind           Kind   `json:"kind"`
	Quantity       int64  `json:"quantity"`
	Reference      string `json:"reference,omitempty"`
	Note           string `json:"note,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	Warehouse      string `json:"warehouse,omitempty"`
}

// MovementFilter narrows a movement listing or report to Warehouse ("":
// every warehouse the node holds); other zero fields match everything.
// Reference and Actor match exactly. From is inclusive and To exclusive.
type MovementFilter struct {
	Warehouse string     `json:"warehouse,omitempty"`
	SKU       string     `json:"sku,omitempty"`
	Kinds     []Kind     `json:"kinds,omitempty"`
	Reference string     `json:"reference,omitempty"`
	Actor     string     `json:"actor,omitempty"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
}

// MovementQuery selects a page of movements, newest first.
type MovementQuery struct {
	Filter MovementFilter `json:"filter"`
	First  int            `json:"first,omitempty"`
	After  string         `json:"after,omitempty"`
}

// MovementPage is one page of movements.
type MovementPage struct {
	Movements []Movement `json:"movements"`
	HasNext   bool       `json:"hasNext"`
}

// Change is a committed stock change, published by the database handler
// after its transaction is durable, in commit order. It carries the
// movement's Reference, Note and Actor, so a live event reads as the
// movement does everywhere else, but never its idempotency key. A change
// with Deleted set stands for the deletion of the product: Quantity and
// Delta are 0 and there is no movement.
type Change struct {
	Warehouse  string `json:"warehouse"`
	SKU        string `json:"sku"`
	Quantity   int64  `json:"quantity"`
	Delta      int64  `json:"delta"`
	MovementID string `json:"movementId"`
	Kind       Kind   `json:"kind"`
	Reference  string `json:"reference,omitempty"`
	Note       string `json:"note,omitempty"`
	Actor      string `json:"actor,omitempty"`
	Deleted    bool   `json:"deleted,omitempty"`
	// Reserved is the units the product's active reservations hold after
	// the change: a reservation's change carries them, and so does a
	// movement's when its entry did (LogEntry.Reserved); nil otherwise.
	Reserved *int64    `json:"reserved,omitempty"`
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
}

// ChangeOf returns the Change a committed movement made.
func ChangeOf(m *Movement) Change {
	return Change{Warehouse: m.Warehouse, SKU: m.SKU, Quantity: m.Balance, Delta: m.Quantity,
		MovementID: m.ID, Kind: m.Kind, Reference: m.Reference, Note: m.Note, Actor: m.Actor,
		Seq: m.Seq, At: m.CreatedAt}
}
