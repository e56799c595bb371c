package stock

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a request may carry.
const (
	MaxSKULen         = 64
	MaxNameLen        = 200
	MaxDescriptionLen = 2000
	MaxReferenceLen   = 100
	MaxNoteLen        = 1000
	MaxKeyLen         = 128
	MaxQuantity       = 1_000_000_000 // largest quantity of one movement
	MaxStock          = 1<<31 - 1     // largest stock a product can hold
	MaxPageSize       = 500
	DefaultPageSize   = 50
)

// NormalizeSKU trims s and checks it is a valid sku: 1 to MaxSKULen bytes of
// printable characters without spaces.
func NormalizeSKU(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", violated(Violation{Field: "sku", Rule: RuleEmpty}, "must not be empty")
	case len(s) > MaxSKULen:
		return "", violated(Violation{Field: "sku", Rule: RuleTooLong, Max: MaxSKULen}, "longer than %d characters", MaxSKULen)
	}
	if err := checkUTF8("sku", s); err != nil {
		return "", err
	}
	for _, r := range s {
		if unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return "", violated(Violation{Field: "sku", Rule: RuleCharacters, Value: s}, "%q contains spaces or control characters", s)
		}
	}
	return s, nil
}

// checkUTF8 is the one rule for text in every request: it must be valid
// UTF-8, and it must not hold U+FFFD, the replacement character decoders
// (encoding/json, serpent) put where bytes were not valid UTF-8 or a \u
// escape named half a surrogate pair. So two different byte strings never
// become one sku, and text is never stored other than as it was sent.
func checkUTF8(field, s string) error {
	switch {
	case !utf8.ValidString(s):
		return violated(Violation{Field: field, Rule: RuleEncoding}, "is not valid UTF-8")
	case strings.ContainsRune(s, utf8.RuneError):
		return violated(Violation{Field: field, Rule: RuleEncoding}, "contains U+FFFD, which stands for bytes that were not valid UTF-8")
	}
	return nil
}

// text trims s and checks its length and characters for field.
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", violated(Violation{Field: field, Rule: RuleEmpty}, "must not be empty")
	case len(s) > max:
		return "", violated(Violation{Field: field, Rule: RuleTooLong, Max: int64(max)}, "longer than %d characters", max)
	}
	if err := checkUTF8(field, s); err != nil {
		return "", err
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", violated(Violation{Field: field, Rule: RuleCharacters}, "contains control characters")
		}
	}
	return s, nil
}

// ParseWhole parses s, trimmed, as a whole number for field.
func ParseWhole(field, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return 0, violated(Violation{Field: field, Rule: RuleWhole, Value: s}, "%q is not a whole number", s)
	}
	return n, nil
}

func checkQuantity(field string, q, min, max int64) error {
	if q < min || q > max {
		return violated(Violation{Field: field, Rule: RuleRange, Value: strconv.FormatInt(q, 10), Min: min, Max: max},
			"%d is out of range (%d to %d)", q, min, max)
	}
	return nil
}

func checkPrice(p Price) error {
	if p < 0 || p > MaxPrice {
		return invalid("price", "out of range")
	}
	return nil
}

// Normalize trims and validates the input in place.
func (in *CreateProductInput) Normalize() error {
	var err error
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	if in.Name, err = text("name", in.Name, MaxNameLen, true); err != nil {
		return err
	}
	if in.Description, err = text("description", in.Description, MaxDescriptionLen, false); err != nil {
		return err
	}
	if err = checkPrice(in.Price); err != nil {
		return err
	}
	if err = checkQuantity("initialQuantity", in.InitialQuantity, 0, MaxStock); err != nil {
		return err
	}
	if in.Unit, err = normalizeUnit(in.Unit); err != nil {
		return err
	}
	if err = NormalizePacks(in.Packs); err != nil {
		return err
	}
	if err = checkQuantity("reorderPoint", in.ReorderPoint, 0, MaxStock); err != nil {
		return err
	}
	return checkQuantity("maxStock", in.MaxStock, 0, MaxStock)
}

// normalizeUnit trims a base unit; DefaultUnit is stored as "".
func normalizeUnit(u string) (string, error) {
	u, err := text("unit", u, MaxUnitLen, false)
	if u == DefaultUnit {
		u = ""
	}
	return u, err
}

// Normalize trims and validates the input in place; an input that changes
// nothing is invalid.
func (in *UpdateProductInput) Normalize() error {
	var err error
	if in.Name == nil && in.Description == nil && in.Price == nil && in.Quantity == nil && in.ReorderPoint == nil &&
		in.Unit == nil && in.Packs == nil && in.MaxStock == nil {
		return invalid("input", "names nothing to change")
	}
	if in.Unit != nil {
		if *in.Unit, err = normalizeUnit(*in.Unit); err != nil {
			return err
		}
	}
	if err = NormalizePacks(in.Packs); err != nil {
		return err
	}
	if in.Name != nil {
		if *in.Name, err = text("name", *in.Name, MaxNameLen, true); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if *in.Description, err = text("description", *in.Description, MaxDescriptionLen, false); err != nil {
			return err
		}
	}
	if in.Price != nil {
		if err = checkPrice(*in.Price); err != nil {
			return err
		}
	}
	if in.Quantity != nil {
		if err = checkQuantity("quantity", *in.Quantity, 0, MaxStock); err != nil {
			return err
		}
	}
	if in.ReorderPoint != nil {
		if err = checkQuantity("reorderPoint", *in.ReorderPoint, 0, MaxStock); err != nil {
			return err
		}
	}
	if in.MaxStock != nil {
		if err = checkQuantity("maxStock", *in.MaxStock, 0, MaxStock); err != nil {
			return err
		}
	}
	in.Note, err = text("note", in.Note, MaxNoteLen, false)
	return err
}

// Normalize trims and validates the input in place.
func (in *MovementInput) Normalize() error {
	var err error
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	switch {
	case !in.Kind.Valid():
		return invalid("kind", "%q is not a movement kind", in.Kind)
	case !in.Kind.Recordable():
		return invalid("kind", "%s is reserved for transfers between warehouses", in.Kind)
	case in.Kind == KindAdjustment && in.Quantity == 0:
		return invalid("quantity", "an adjustment must not be zero")
	case in.Kind == KindAdjustment:
		err = checkQuantity("quantity", in.Quantity, -MaxQuantity, MaxQuantity)
	default:
		err = checkQuantity("quantity", in.Quantity, 1, MaxQuantity)
	}
	if err != nil {
		return err
	}
	if in.Reference, err = text("reference", in.Reference, MaxReferenceLen, false); err != nil {
		return err
	}
	if in.Note, err = text("note", in.Note, MaxNoteLen, false); err != nil {
		return err
	}
	if in.IdempotencyKey, err = text("idempotencyKey", in.IdempotencyKey, MaxKeyLen, false); err != nil {
		return err
	}
	if err := in.normalizeWhere(); err != nil {
		return err
	}
	return normalizeWarehouse(&in.Warehouse)
}

// normalizeWhere validates the lot, location and pack of a movement.
func (in *MovementInput) normalizeWhere() error {
	if in.plain() {
		return nil
	}
	if in.Lot != nil {
		if err := in.Lot.Normalize(); err != nil {
			return err
		}
	}
	var err error
	if in.Location, err = text("location", in.Location, MaxLocationCodeLen, false); err != nil {
		return err
	}
	in.Pack, err = text("pack", in.Pack, MaxPackNameLen, false)
	return err
}

// Normalize validates the query in place, applying the default page size.
func (q *ProductQuery) Normalize() error {
	var err error
	if q.Search, err = text("search", q.Search, MaxNameLen, false); err != nil {
		return err
	}
	if err = normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	if q.After != "" {
		if _, err := DecodeProductCursor(q.After); err != nil {
			return err
		}
	}
	return pageSize(&q.First)
}

// Normalize validates the query in place, applying the default page size.
func (q *MovementQuery) Normalize() error {
	if err := q.check(); err != nil {
		return err
	}
	return pageSize(&q.First)
}

// check validates the filter and the cursor in place: what a history page
// and an export's page share.
func (q *MovementQuery) check() error {
	if err := q.Filter.Normalize(); err != nil {
		return err
	}
	if q.After != "" {
		if _, err := DecodeMovementCursor(q.After); err != nil {
			return err
		}
	}
	return nil
}

// pageSize is the one rule for the page size every API passes on: 0 (what
// an omitted size arrives as) means DefaultPageSize, 1 to MaxPageSize is
// taken, anything else is refused naming what was sent.
func pageSize(first *int) error {
	switch {
	case *first == 0:
		*first = DefaultPageSize
	case *first < 0 || *first > MaxPageSize:
		return invalid("first", "%d is out of range (1 to %d, or 0 for the default of %d)", *first, MaxPageSize, DefaultPageSize)
	}
	return nil
}

// Apply returns the balance after a change of delta to balance, or an
// INSUFFICIENT_STOCK error when it would go below zero and INVALID_INPUT when
// it would exceed MaxStock. It is the rule the database handler enforces.
func Apply(sku string, balance, delta int64) (int64, error) {
	next := balance + delta
	switch {
	case next < 0:
		e := Errorf(CodeInsufficientStock, "not enough stock of %s: %d in stock, %d requested", sku, balance, -delta)
		e.Shortfall = &Shortfall{SKU: sku, InStock: balance, Requested: -delta, Available: max(0, balance)}
		return balance, e
	case next > MaxStock:
		return balance, invalid("quantity", "stock of %s would exceed %d", sku, int64(MaxStock))
	}
	return next, nil
}

// NormalizeWarehouseID trims id and checks it is a warehouse id: 1 to 64
// printable characters without spaces.
func NormalizeWarehouseID(id string) (string, error) {
	id = strings.TrimSpace(id)
	if err := checkUTF8("warehouse id", id); err != nil {
		return "", err
	}
	ok := id != "" && len(id) <= MaxWarehouseIDLen && !strings.Contains(id, "..")
	for i := 0; ok && i < len(id); i++ {
		c := id[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
	}
	if !ok {
		return "", invalid("warehouse id", "%q must be 1 to %d letters, digits, '-', '_' or '.', never '..'", id, MaxWarehouseIDLen)
	}
	return id, nil
}

// MaxWarehouseIDLen is the longest warehouse id.
const MaxWarehouseIDLen = 64

// MaxNodeURLLen is the longest base URL a node may advertise.
const MaxNodeURLLen = 512

// NormalizeNodeURL validates the base URL a node advertises to the network
// and returns it without a trailing slash: https:// only, with a host, and
// no user, query or fragment. "" stays "" (unknown).
func NormalizeNodeURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	if err := checkUTF8("url", raw); err != nil {
		return "", err
	}
	u, err := url.Parse(raw)
	switch {
	case len(raw) > MaxNodeURLLen:
		return "", invalid("url", "is longer than %d bytes", MaxNodeURLLen)
	case err != nil:
		return "", invalid("url", "%q is not a URL", raw)
	case u.Scheme != "https" || u.Host == "" || u.Hostname() == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return "", invalid("url", "%q must be an https:// base URL with a host (no user, query or fragment)", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// Normalize trims and validates a warehouse to create or confirm; an empty
// id or name means "the stored one".
func (w *Warehouse) Normalize() (err error) {
	if w.Name, err = text("name", w.Name, MaxNameLen, false); err != nil {
		return err
	}
	if w.ID = strings.TrimSpace(w.ID); w.ID == "" {
		return nil
	}
	w.ID, err = NormalizeWarehouseID(w.ID)
	return err
}
