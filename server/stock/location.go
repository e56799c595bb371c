package stock

import (
	"slices"
	"strings"

	"github.com/stockmesh/stockmesh/server/auth"
)

// Location is a bin of a warehouse: a node of its tree of locations.
// Parent is its parent's code ("" at the top) and Path the codes from the
// top joined by "/". Quantity, filled by reads only, is the units of every
// product held there (not below it).
type Location struct {
	Warehouse string `json:"warehouse"`
	Code      string `json:"code"`
	Name      string `json:"name,omitempty"`
	Parent    string `json:"parent,omitempty"`
	Path      string `json:"path"`
	Quantity  int64  `json:"quantity,omitempty"`
}

// CreateLocationInput creates a location of the local warehouse under
// Parent (a code; "" at the top).
type CreateLocationInput struct {
	Code   string `json:"code"`
	Parent string `json:"parent,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Normalize validates the input in place.
func (in *CreateLocationInput) Normalize() error {
	var err error
	if in.Code, err = locationCode("code", in.Code, true); err != nil {
		return err
	}
	if in.Parent, err = locationCode("parent", in.Parent, false); err != nil {
		return err
	}
	in.Name, err = text("name", in.Name, MaxNameLen, false)
	return err
}

// UpdateLocationInput renames a location (Name not nil) or moves it and
// its subtree under Parent (not nil; "" to the top).
type UpdateLocationInput struct {
	Code   string  `json:"code"`
	Name   *string `json:"name,omitempty"`
	Parent *string `json:"parent,omitempty"`
}

// Normalize validates the input in place.
func (in *UpdateLocationInput) Normalize() error {
	var err error
	if in.Code, err = locationCode("code", in.Code, true); err != nil {
		return err
	}
	if in.Name == nil && in.Parent == nil {
		return invalid("input", "names nothing to change")
	}
	if in.Parent != nil {
		if *in.Parent, err = locationCode("parent", *in.Parent, false); err != nil {
			return err
		}
	}
	if in.Name != nil {
		*in.Name, err = text("name", *in.Name, MaxNameLen, false)
	}
	return err
}

// locationCode checks a location code: 1 to MaxLocationCodeLen
// characters, no "/" (the path's separator) and no spaces.
func locationCode(field, s string, required bool) (string, error) {
	s, err := text(field, s, MaxLocationCodeLen, required)
	if err == nil && strings.ContainsAny(s, "/ \t") {
		err = invalid(field, "%q: a location code has no \"/\" and no spaces", s)
	}
	return s, err
}

// LocationQuery lists the locations of Warehouse ("" the local one).
type LocationQuery struct {
	Warehouse string `json:"warehouse,omitempty"`
}

// Normalize validates the query in place.
func (q *LocationQuery) Normalize() error { return normalizeWarehouse(&q.Warehouse) }

// LocationList is a warehouse's locations, by path.
type LocationList struct {
	Locations []Location `json:"locations"`
}

// RelocateStockInput moves Quantity units of SKU of the local warehouse
// from the location From ("" unplaced) to To, of the lot Lot ("" any,
// FEFO): a RELOCATION, which changes no stock.
type RelocateStockInput struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	From           string `json:"from,omitempty"`
	To             string `json:"to"`
	Lot            string `json:"lot,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Normalize validates the input in place.
func (in *RelocateStockInput) Normalize() error {
	var err error
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	if err = checkQuantity("quantity", in.Quantity, 1, MaxQuantity); err != nil {
		return err
	}
	if in.From, err = locationCode("from", in.From, false); err != nil {
		return err
	}
	if in.To, err = locationCode("to", in.To, true); err != nil {
		return err
	}
	if in.From == in.To {
		return invalid("to", "is where the units are already")
	}
	if in.Lot, err = text("lot", in.Lot, MaxLotCodeLen, false); err != nil {
		return err
	}
	in.IdempotencyKey, err = text("idempotencyKey", in.IdempotencyKey, MaxKeyLen, false)
	return err
}

// LocationStock is a product's units at one location ("" unplaced).
type LocationStock struct {
	Location *Location `json:"location,omitempty"`
	Quantity int64     `json:"quantity"`
}

// Locations sums the lines by location, unplaced first, then by code.
func (s *StockLines) Locations() []LocationStock {
	by := map[string]int64{}
	var codes []string
	for _, l := range s.Lines {
		if _, ok := by[l.Location]; !ok {
			codes = append(codes, l.Location)
		}
		by[l.Location] += l.Quantity
	}
	slices.Sort(codes)
	out := make([]LocationStock, 0, len(codes))
	for _, c := range codes {
		ls := LocationStock{Quantity: by[c]}
		if c != "" {
			ls.Location = &Location{Code: c, Path: c}
		}
		out = append(out, ls)
	}
	return out
}

// The entries of locations.
const (
	EntryLocationCreated EntryType = "location.created" // Location as created
	EntryLocationUpdated EntryType = "location.updated" // Location after a rename or a move of its subtree
)

// IsLocation reports whether t is the type of a location entry.
func (t EntryType) IsLocation() bool { return t == EntryLocationCreated || t == EntryLocationUpdated }

// checkLocation checks a location entry's location as a writer makes it.
func (e *LogEntry) checkLocation() error {
	l := e.Location
	if l.Warehouse != e.Origin {
		return InvalidEntry(e, "location.warehouse", "is not the entry's origin")
	}
	c, err := locationCode("code", l.Code, true)
	if err == nil && c != l.Code {
		err = invalid("code", "is not as a writer stores it")
	}
	if err == nil {
		_, err = locationCode("parent", l.Parent, false)
	}
	if err == nil {
		err = exactText("name", l.Name, MaxNameLen, false)
	}
	want := l.Code
	if l.Parent != "" {
		want = "/" + l.Code
		if !strings.HasSuffix(l.Path, want) || !strings.HasSuffix(strings.TrimSuffix(l.Path, want), l.Parent) {
			err = invalid("path", "%q does not end with its parent and code", l.Path)
		}
	} else if err == nil && l.Path != want {
		err = invalid("path", "%q is not its code", l.Path)
	}
	if err == nil && l.Quantity != 0 {
		err = invalid("quantity", "is read, never logged")
	}
	return asEntryError(e, "location", err)
}

// The operations of locations.
var (
	OpLocationCreate = Op[CreateLocationInput, Location]{"location.create", ClassWrite, auth.RoleOperator}
	OpLocationUpdate = Op[UpdateLocationInput, Location]{"location.update", ClassWrite, auth.RoleOperator}
	OpLocationList   = Op[LocationQuery, LocationList]{"location.list", ClassLookup, auth.RoleViewer}
	OpStockRelocate  = Op[RelocateStockInput, Movement]{"stock.relocate", ClassWrite, auth.RoleOperator}
)
