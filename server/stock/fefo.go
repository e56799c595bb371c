package stock

import (
	"cmp"
	"slices"
)

// Take says which of a product's lines a movement that takes units may
// draw from: the lot of Code ("": any lot) and, when ExpiresOn is set, of
// that expiry only; at Location ("": any, or unplaced only when
// Unplaced). Lines of a lot expired on Today are skipped unless
// AllowExpired.
type Take struct {
	Code         string
	ExpiresOn    Date
	Location     string
	Unplaced     bool
	AllowExpired bool
	Today        Date
}

// matches reports whether t may draw from l.
func (t *Take) matches(l *StockLine) bool {
	return l.Quantity > 0 && (t.Code == "" || l.Code == t.Code) &&
		(t.ExpiresOn == "" || l.ExpiresOn == t.ExpiresOn) && (t.Location == "" && !t.Unplaced || l.Location == t.Location)
}

// CompareLines orders lines first expired, first out (FEFO): lots with an
// expiry by it, then lots without one, then the stock of no lot, taken
// last; ties by code, then by location (unplaced first).
func CompareLines(a, b StockLine) int {
	return cmp.Or(
		cmp.Compare(boolRank(a.Code == ""), boolRank(b.Code == "")),
		cmp.Compare(boolRank(a.ExpiresOn == ""), boolRank(b.ExpiresOn == "")),
		cmp.Compare(a.ExpiresOn, b.ExpiresOn),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Location, b.Location))
}

// boolRank is 1 for true, 0 for false.
func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SortLines returns lines in FEFO order (CompareLines), sorting a copy.
func SortLines(lines []StockLine) []StockLine {
	out := slices.Clone(lines)
	slices.SortStableFunc(out, CompareLines)
	return out
}

// Allocate chooses the lines q units of sku come from, in FEFO order under
// t, as one piece per line drawn from. It refuses with EXPIRED (naming the
// soonest expired lot) when only expired lots could make up q, and with
// INSUFFICIENT_STOCK when the lines t may draw from hold fewer than q.
func Allocate(sku string, lines []StockLine, q int64, t Take) ([]LotQuantity, error) {
	var out []LotQuantity
	var held, good int64
	var expired *StockLine
	left := q
	for _, l := range SortLines(lines) {
		if !t.matches(&l) {
			continue
		}
		held += l.Quantity
		if l.ExpiresOn.ExpiredOn(t.Today) && !t.AllowExpired {
			if expired == nil {
				expired = &l
			}
			continue
		}
		good += l.Quantity
		if left == 0 {
			continue
		}
		n := min(left, l.Quantity)
		out = append(out, LotQuantity{Code: l.Code, ExpiresOn: l.ExpiresOn, Location: l.Location, Quantity: n})
		left -= n
	}
	switch {
	case left == 0:
		return out, nil
	case expired != nil && held >= q:
		e := Errorf(CodeExpired, "lot %s of %s expired on %s: expired lots are sold or sent only when an admin names them",
			expired.Code, sku, expired.ExpiresOn)
		e.Lot = &LotInput{Code: expired.Code, ExpiresOn: expired.ExpiresOn}
		return nil, e
	}
	e := Errorf(CodeInsufficientStock, "not enough stock of %s%s: %d available, %d requested", sku, t.describe(), good, q)
	e.Shortfall = &Shortfall{SKU: sku, InStock: held, Requested: q, Available: good}
	return nil, e
}

// describe names the lot and location t draws from, for messages.
func (t *Take) describe() string {
	s := ""
	if t.Code != "" {
		s += " in lot " + t.Code
		if t.ExpiresOn != "" {
			s += " (" + string(t.ExpiresOn) + ")"
		}
	}
	if t.Location != "" {
		s += " at " + t.Location
	}
	return s
}
