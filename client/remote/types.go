package remote

import "time"

// Warehouse is a warehouse of the network. Replica is set by Warehouses
// only, and may be nil: a node that holds none of the warehouse's log, or
// one that does not say.
type Warehouse struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Local   bool     `json:"local"`
	Replica *Replica `json:"replica,omitempty"`
	// What the node knows of the warehouse's own node (Warehouses fills
	// them): its URL, whether it answers, when it last did, whether it
	// left, and how many changes of its log the node lacks yet.
	URL      string     `json:"url,omitempty"`
	Online   bool       `json:"online,omitempty"`
	LastSeen *time.Time `json:"lastSeen,omitempty"`
	Departed bool       `json:"departed,omitempty"`
	Behind   int64      `json:"behind,omitempty"`
}

// Replica is how far a node holds a warehouse's log: the last seq, a digest
// of the log up to it (equal on two nodes that hold the same history) and
// the time of that entry (nil for none).
type Replica struct {
	Seq    int        `json:"seq"`
	Digest string     `json:"digest"`
	AsOf   *time.Time `json:"asOf"`
	// Problem is why the node stopped applying the warehouse's log (nil
	// while sound; Warehouses fills it).
	Problem *ReplicaProblem `json:"problem,omitempty"`
}

// ReplicaProblem is what stops a replica: its kind (UNVERIFIABLE or FORK),
// the member whose answer showed it, since when, and what failed.
type ReplicaProblem struct {
	Kind     string    `json:"kind"`
	ServedBy string    `json:"servedBy"`
	Since    time.Time `json:"since"`
	Detail   string    `json:"detail"`
}

// StockLevel is the stock of a sku in one warehouse and how fresh it is
// (nil: unknown).
type StockLevel struct {
	Warehouse Warehouse `json:"warehouse"`
	Quantity  int       `json:"quantity"`
	// InTransit is the units of transfers on their way to the warehouse.
	InTransit int        `json:"inTransit"`
	AsOf      *time.Time `json:"asOf"`
}

// Product is a product and its stock in one warehouse. Price is the exact
// decimal string the node sent, such as "19.99".
type Product struct {
	SKU               string    `json:"sku"`
	Name              string    `json:"name"`
	Description       string    `json:"description"`
	Price             string    `json:"price"`
	Quantity          int       `json:"quantity"`
	ReorderPoint      int       `json:"reorderPoint"`
	MaxStock          int       `json:"maxStock,omitempty"`
	BelowReorderPoint bool      `json:"belowReorderPoint"`
	Warehouse         Warehouse `json:"warehouse"`
	CreatedAt         time.Time `json:"createdAt"`
	UpdatedAt         time.Time `json:"updatedAt"`
	// Reserved is the units its active reservations hold; Available the
	// rest; OverReserved the reserved units the stock no longer covers.
	Reserved     int `json:"reserved"`
	Available    int `json:"available"`
	OverReserved int `json:"overReserved"`
}

// Movement is an entry of the ledger; Quantity is signed.
type Movement struct {
	ID        string    `json:"id"`
	Warehouse Warehouse `json:"warehouse"`
	SKU       string    `json:"sku"`
	Kind      string    `json:"kind"`
	Quantity  int       `json:"quantity"`
	Balance   int       `json:"balance"`
	Reference *string   `json:"reference"`
	Note      *string   `json:"note"`
	Actor     *string   `json:"actor"`
	CreatedAt time.Time `json:"createdAt"`
	// Pack and PackQuantity say the pack it was given in (nil: in base
	// units); Lots how many units came from or went into each lot;
	// Location the location it named.
	Pack         *string       `json:"pack"`
	PackQuantity *int          `json:"packQuantity"`
	Lots         []LotQuantity `json:"lots"`
	Location     *string       `json:"location"`
}

// LotQuantity is the units of a movement of one lot ("" no lot) at one
// location (nil unplaced).
type LotQuantity struct {
	Code      string  `json:"code"`
	ExpiresOn *string `json:"expiresOn"`
	Quantity  int     `json:"quantity"`
	Location  *string `json:"location"`
}

// Lot is a product's stock of one lot.
type Lot struct {
	Code      string  `json:"code"`
	ExpiresOn *string `json:"expiresOn"`
	Quantity  int     `json:"quantity"`
}

// LotInput names a lot in a movement.
type LotInput struct {
	Code      string  `json:"code"`
	ExpiresOn *string `json:"expiresOn,omitempty"`
}

// Location is a bin of a warehouse.
type Location struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	Parent   *string `json:"parent"`
	Path     string  `json:"path"`
	Quantity int     `json:"quantity"`
}

// Relocation is the input of Relocate.
type Relocation struct {
	SKU      string  `json:"sku"`
	Quantity int     `json:"quantity"`
	From     *string `json:"from,omitempty"`
	To       string  `json:"to"`
	Lot      *string `json:"lot,omitempty"`
	// IdempotencyKey is set by Relocate when empty (a random one).
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// StockChange is a committed stock change as a subscriber sees it.
type StockChange struct {
	Warehouse Warehouse `json:"warehouse"`
	SKU       string    `json:"sku"`
	Quantity  int       `json:"quantity"`
	Delta     int       `json:"delta"`
	Merged    bool      `json:"merged"`
	// Deleted reports that the product was deleted; Quantity is then 0.
	Deleted  bool      `json:"deleted"`
	Movement *Movement `json:"movement"`
	At       time.Time `json:"at"`
}

// ReorderPointChange tells that the reorder point of sku in a warehouse
// is Point (from lowStockAlert: the stock crossed it, or it was set across
// the stock).
type ReorderPointChange struct {
	Warehouse Warehouse `json:"warehouse"`
	SKU       string    `json:"sku"`
	Point     int       `json:"reorderPoint"`
}

// NewProduct is the input of CreateProduct.
type NewProduct struct {
	SKU             string  `json:"sku"`
	Name            string  `json:"name"`
	Description     *string `json:"description,omitempty"`
	Price           string  `json:"price"`
	InitialQuantity *int    `json:"initialQuantity,omitempty"`
	ReorderPoint    *int    `json:"reorderPoint,omitempty"`
	Unit            string  `json:"unit,omitempty"`
	Packs           []Pack  `json:"packs,omitempty"`
	MaxStock        *int    `json:"maxStock,omitempty"`
}

// Pack is a named pack of a product's base unit.
type Pack struct {
	Name string `json:"name"`
	Size int    `json:"size"`
}

// ProductChanges is the input of UpdateProduct; nil fields stay as they are.
type ProductChanges struct {
	Name         *string `json:"name,omitempty"`
	Description  *string `json:"description,omitempty"`
	Price        *string `json:"price,omitempty"`
	Quantity     *int    `json:"quantity,omitempty"`
	ReorderPoint *int    `json:"reorderPoint,omitempty"`
	Note         *string `json:"note,omitempty"`
	MaxStock     *int    `json:"maxStock,omitempty"`
}

// NewMovement is the input of RecordMovement. An empty IdempotencyKey is
// filled with a random one, so that retries apply once.
type NewMovement struct {
	SKU            string  `json:"sku"`
	Kind           string  `json:"kind"`
	Quantity       int     `json:"quantity"`
	Reference      *string `json:"reference,omitempty"`
	Note           *string `json:"note,omitempty"`
	IdempotencyKey string  `json:"idempotencyKey,omitempty"`
	// Lot, Location and Pack: see the node's MovementInput.
	Lot      *LotInput `json:"lot,omitempty"`
	Location string    `json:"location,omitempty"`
	Pack     string    `json:"pack,omitempty"`
}

// MovementFilter narrows Movements and Report; zero fields do not filter
// (no Warehouse: every warehouse the node holds). From is inclusive, To
// exclusive.
type MovementFilter struct {
	Warehouse string     `json:"warehouse,omitempty"`
	SKU       string     `json:"sku,omitempty"`
	Kinds     []string   `json:"kinds,omitempty"`
	Reference string     `json:"reference,omitempty"`
	From      *time.Time `json:"from,omitempty"`
	To        *time.Time `json:"to,omitempty"`
	Lot       string     `json:"lot,omitempty"`
	Location  string     `json:"location,omitempty"`
}

// PageInfo tells whether more pages follow.
type PageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}
