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
	// Lots says how many units came from (or went into) each lot and
	// location; nil when all of them were the stock of no lot, unplaced.
	Lots []LotQuantity `json:"lots,omitempty"`
	// Location is the location the movement named ("" none); for a
	// RELOCATION, the one its units went to.
	Location string `json:"location,omitempty"`
	// Pack is the pack the movement was given in ("" base units), and
	// PackSize its size then: Quantity is always in base units.
	Pack     string `json:"pack,omitempty"`
	PackSize int64  `json:"packSize,omitempty"`
	// NamedLot is the lot the request named (nil: none, the lots were
	// chosen FEFO), as it named it: a lot code, with or without its
	// expiry. Lots says where the units went; NamedLot is kept so that
	// every node holding the movement fingerprints its request alike (a
	// retry naming another lot is another request).
	NamedLot *LotInput `json:"namedLot,omitempty"`
}

// StockDelta returns the change m made to the stock: its quantity, or 0
// for a RELOCATION.
func (m *Movement) StockDelta() int64 {
	if m.Kind == KindRelocation {
		return 0
	}
	return m.Quantity
}

// plain reports whether m has no lots, location or pack: the movements
// the hand-written codec encodes.
func (m *Movement) plain() bool {
	return m.Lots == nil && m.Location == "" && m.Pack == "" && m.NamedLot == nil
}

// PackQuantity returns the units of the movement in its pack (0 when it
// was not given in packs).
func (m *Movement) PackQuantity() int64 {
	if m.Pack == "" || m.PackSize <= 0 {
		return 0
	}
	return max(m.Quantity, -m.Quantity) / m.PackSize
}

// LotsOrNoLot returns m.Lots or, when nil, the one piece of no lot it is.
func (m *Movement) LotsOrNoLot() []LotQuantity {
	if m.Lots != nil || m.Quantity == 0 {
		return m.Lots
	}
	return []LotQuantity{{Quantity: max(m.Quantity, -m.Quantity)}}
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
	// Lot names the lot the units go into or come from (nil: a purchase
	// or return goes to no lot, a sale or transfer takes FEFO).
	Lot *LotInput `json:"lot,omitempty"`
	// Location names the location ("" none: unplaced, or any to take).
	Location string `json:"location,omitempty"`
	// Pack gives Quantity in the product's pack of that name.
	Pack string `json:"pack,omitempty"`
	// Admin is set by the Service when the caller is an admin and the
	// movement names a lot, which lets it take an expired one.
	Admin bool `json:"admin,omitempty"`
}

// plain reports whether in names no lot, location or pack: the requests
// the hand-written codec encodes.
func (in *MovementInput) plain() bool {
	return in.Lot == nil && in.Location == "" && in.Pack == "" && !in.Admin
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
	// Lot matches movements with units of a lot of that code; Location
	// those that named it or moved units at it.
	Lot      string `json:"lot,omitempty"`
	Location string `json:"location,omitempty"`
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
	// Where is the movement's lots, location and pack; nil for a plain
	// one. A pointer keeps Change comparable.
	Where *Where `json:"where,omitempty"`
}

// Where is where a movement's units went or came from: its lots and
// location, and the pack it was given in (see Movement).
type Where struct {
	Lots     []LotQuantity `json:"lots,omitempty"`
	Location string        `json:"location,omitempty"`
	Pack     string        `json:"pack,omitempty"`
	PackSize int64         `json:"packSize,omitempty"`
}

// whereOf returns m's Where, nil for a plain movement.
func whereOf(m *Movement) *Where {
	if m.plain() {
		return nil
	}
	return &Where{Lots: m.Lots, Location: m.Location, Pack: m.Pack, PackSize: m.PackSize}
}

// ChangeOf returns the Change a committed movement made.
func ChangeOf(m *Movement) Change {
	return Change{Warehouse: m.Warehouse, SKU: m.SKU, Quantity: m.Balance, Delta: m.StockDelta(),
		MovementID: m.ID, Kind: m.Kind, Reference: m.Reference, Note: m.Note, Actor: m.Actor,
		Seq: m.Seq, At: m.CreatedAt, Where: whereOf(m)}
}
