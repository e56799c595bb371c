package stock

import "time"

// Warehouse is a warehouse of the network; Local marks the one this node owns.
type Warehouse struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Local bool   `json:"local,omitempty"`
	// URL is the base URL its node advertises to the network ("" unknown).
	URL string `json:"url,omitempty"`
	// Epoch names the warehouse's change log: made at random when the log
	// began, so that a log begun again under the same id (a wiped data
	// folder) is never mixed with the old one.
	Epoch string `json:"epoch,omitempty"`
	// HoldsCA reports whether its node keeps the network CA's key.
	HoldsCA bool `json:"holdsCA,omitempty"`
	// DepartedAt is when it left the network; nil while a member.
	DepartedAt *time.Time `json:"departedAt,omitempty"`
}

// Departed reports whether the warehouse left the network.
func (w *Warehouse) Departed() bool { return w.DepartedAt != nil }

// Product is a product's current state in one warehouse. Quantity always
// equals the sum of the product's movements.
type Product struct {
	Warehouse    string    `json:"warehouse"`
	SKU          string    `json:"sku"`
	Name         string    `json:"name"`
	Description  string    `json:"description"`
	Price        Price     `json:"price"`
	Quantity     int64     `json:"quantity"`
	ReorderPoint int64     `json:"reorderPoint"`
	Seq          int64     `json:"seq"` // change sequence of the product's last change
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
	// Reserved is the units its active reservations hold (see
	// Reservation); reads fill it, log entries never carry it.
	Reserved int64 `json:"reserved,omitempty"`
	// Unit is the base unit every quantity of the product is in ("" is
	// DefaultUnit); Packs are its named packs.
	Unit  string `json:"unit,omitempty"`
	Packs []Pack `json:"packs,omitempty"`
	// MaxStock is the maximum a replenishment plan brings the stock to
	// (0: none; see package replenish). Left out of an entry when 0, so
	// entries written before it existed encode as they did.
	MaxStock int64 `json:"maxStock,omitempty"`
}

// BaseUnit returns the product's base unit, DefaultUnit when none was set.
func (p *Product) BaseUnit() string {
	if p.Unit == "" {
		return DefaultUnit
	}
	return p.Unit
}

// PackList returns the product's packs, never nil.
func (p *Product) PackList() []Pack {
	if p.Packs == nil {
		return []Pack{}
	}
	return p.Packs
}

// Available returns the units of the stock not held by reservations:
// max(0, Quantity − Reserved).
func (p *Product) Available() int64 { return Available(p.Quantity, p.Reserved) }

// OverReserved returns how many reserved units the stock no longer
// covers: max(0, Reserved − Quantity).
func (p *Product) OverReserved() int64 { return OverReserved(p.Quantity, p.Reserved) }

// BelowReorderPoint reports whether the quantity is at or below the reorder
// point (a reorder point of 0 never triggers).
func (p *Product) BelowReorderPoint() bool {
	return p.ReorderPoint > 0 && p.Quantity <= p.ReorderPoint
}

// CreateProductInput is a request to create a product. InitialQuantity, when
// positive, is recorded as the product's first movement (a PURCHASE).
type CreateProductInput struct {
	SKU             string `json:"sku"`
	Name            string `json:"name"`
	Description     string `json:"description,omitempty"`
	Price           Price  `json:"price"`
	InitialQuantity int64  `json:"initialQuantity,omitempty"`
	ReorderPoint    int64  `json:"reorderPoint,omitempty"`
	Unit            string `json:"unit,omitempty"`
	Packs           []Pack `json:"packs,omitempty"`
	MaxStock        int64  `json:"maxStock,omitempty"`
}

// UpdateProductInput changes the fields that are not nil. A new Quantity is
// recorded as an ADJUSTMENT of the difference, with Note as its note.
type UpdateProductInput struct {
	Name         *string `json:"name,omitempty"`
	Description  *string `json:"description,omitempty"`
	Price        *Price  `json:"price,omitempty"`
	Quantity     *int64  `json:"quantity,omitempty"`
	ReorderPoint *int64  `json:"reorderPoint,omitempty"`
	Note         string  `json:"note,omitempty"`
	Unit         *string `json:"unit,omitempty"`
	// Packs replaces the product's packs when not nil (empty: none).
	Packs    []Pack `json:"packs"`
	MaxStock *int64 `json:"maxStock,omitempty"`
}

// ProductQuery selects a page of products of Warehouse ("" for the local
// one) ordered by sku. Search matches sku, name or description,
// case-insensitively.
type ProductQuery struct {
	Warehouse string `json:"warehouse,omitempty"`
	Search    string `json:"search,omitempty"`
	First     int    `json:"first,omitempty"`
	After     string `json:"after,omitempty"`
}

// ProductPage is one page of products.
type ProductPage struct {
	Products []Product `json:"products"`
	HasNext  bool      `json:"hasNext"`
	Total    int       `json:"total"`
}
