package stock

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// ProductChangeKind is what a change in a product's history did.
type ProductChangeKind string

// The kinds of product change, one per product entry type of the log.
const (
	ProductCreated ProductChangeKind = "CREATED"
	ProductUpdated ProductChangeKind = "UPDATED"
	ProductDeleted ProductChangeKind = "DELETED"
)

// ProductChange is one change of a product as its warehouse's log records
// it: what it did, the fields it changed (for an update), the product's
// descriptive fields after it, who made it ("" when not recorded) and when.
type ProductChange struct {
	Seq          int64             `json:"seq"`
	At           time.Time         `json:"at"`
	Kind         ProductChangeKind `json:"kind"`
	Changed      []string          `json:"changed"`
	Name         string            `json:"name"`
	Description  string            `json:"description"`
	Price        Price             `json:"price"`
	ReorderPoint int64             `json:"reorderPoint"`
	Actor        string            `json:"actor,omitempty"`
}

// productChangeKinds is the change each product entry type records.
var productChangeKinds = map[EntryType]ProductChangeKind{EntryProductCreated: ProductCreated,
	EntryProductUpdated: ProductUpdated, EntryProductDeleted: ProductDeleted}

// ProductChangeOf returns the change a product entry records, and false
// for entries of other types.
func ProductChangeOf(e *LogEntry) (ProductChange, bool) {
	kind, ok := productChangeKinds[e.Type]
	if !ok || e.Product == nil {
		return ProductChange{}, false
	}
	p := e.Product
	changed := e.Changed
	if changed == nil {
		changed = []string{}
	}
	return ProductChange{Seq: e.Seq, At: e.At, Kind: kind, Changed: changed, Name: p.Name,
		Description: p.Description, Price: p.Price, ReorderPoint: p.ReorderPoint, Actor: e.Actor}, true
}

// ProductHistory is the history of a sku in a warehouse, oldest first: its
// creations, updates and deletions (a sku deleted and created again shows
// both lives).
type ProductHistory struct {
	Changes []ProductChange `json:"changes"`
}

// OpProductHistory reads a sku's history from its warehouse's log.
var OpProductHistory = Op[ProductRef, ProductHistory]{"product.history", ClassLookup, auth.RoleViewer}

// ProductHistory returns the changes of the sku r names in its warehouse
// ("": the local one), oldest first, from the change log.
func (s *Service) ProductHistory(ctx context.Context, r ProductRef) ([]*ProductChange, error) {
	h, err := call(ctx, s, OpProductHistory, &r)
	if err != nil {
		return nil, err
	}
	return Pointers(h.Changes), nil
}
