package stock

import (
	"context"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// Lots, expiry and units of measure (issue 29).
//
// A product's stock in a warehouse is held in lines: a lot (a code and an
// expiry; the lot with no code is the stock no lot was named for, every
// movement before lots existed included) at a location ("" unplaced). The
// quantity of every line is an integer of the product's base unit; the sum
// of its lines is the product's stock. The store keeps every line but the
// one of no lot and no location, whose quantity is what the others leave of
// the stock (server/store/lots.go).

// DateLayout is how a Date is written: a calendar day, no time zone.
const DateLayout = "2006-01-02"

// Date is a calendar day written YYYY-MM-DD, "" for none. Dates compare as
// strings.
type Date string

// ParseDate checks that s is a calendar day written YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil || t.Format(DateLayout) != s {
		return "", Errorf(CodeInvalidInput, "Date: %q is not a calendar day written YYYY-MM-DD", s)
	}
	return Date(s), nil
}

// DateOf returns the calendar day of t in its location.
func DateOf(t time.Time) Date { return Date(t.Format(DateLayout)) }

// Today returns the calendar day of now in zone, a warehouse's time zone
// (nil: the process's, TZ): a lot expires at the end of its day there.
func Today(zone *time.Location, now time.Time) Date { return DateOf(inZone(zone, now)) }

// UntilTomorrow returns the time from now to the next midnight in zone
// (nil: the process's), when Today changes.
func UntilTomorrow(zone *time.Location, now time.Time) time.Duration {
	now = inZone(zone, now)
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, now.Location()).Sub(now)
}

// inZone returns now in zone, or in the process's zone when zone is nil.
func inZone(zone *time.Location, now time.Time) time.Time {
	if zone == nil {
		zone = time.Local
	}
	return now.In(zone)
}

// AddDays returns the day n days after d (before, for a negative n); ""
// stays "".
func (d Date) AddDays(n int) Date {
	t, err := time.Parse(DateLayout, string(d))
	if err != nil {
		return d
	}
	return DateOf(t.AddDate(0, 0, n))
}

// ExpiredOn reports whether a lot expiring on d has expired on the day
// today: it expires at the end of its day, so it is still good on d.
func (d Date) ExpiredOn(today Date) bool { return d != "" && d < today }

// MaxLotCodeLen and MaxLocationCodeLen bound lot and location codes; MaxPackNameLen,
// MaxUnitLen and MaxPacks bound a product's units of measure.
const (
	MaxLotCodeLen      = 64
	MaxLocationCodeLen = 64
	MaxPackNameLen     = 32
	MaxUnitLen         = 16
	MaxPacks           = 16
)

// DefaultUnit is a product's base unit when none is given.
const DefaultUnit = "unit"

// LotInput names a lot in a movement: its code and, optionally, its expiry.
// A movement that takes units names a lot by code alone when the code is
// enough (several lots of that code: soonest-expiring first).
type LotInput struct {
	Code      string `json:"code"`
	ExpiresOn Date   `json:"expiresOn,omitempty"`
}

// Normalize validates the lot in place.
func (l *LotInput) Normalize() error {
	var err error
	if l.Code, err = text("lot.code", l.Code, MaxLotCodeLen, true); err != nil {
		return err
	}
	if l.ExpiresOn != "" {
		l.ExpiresOn, err = ParseDate(string(l.ExpiresOn))
	}
	return err
}

// LotQuantity is how many units of a movement came from (or went into) one
// lot at one location: Quantity is positive, the movement's sign gives the
// direction. Code "" is the stock of no lot.
type LotQuantity struct {
	Code      string `json:"code"`
	ExpiresOn Date   `json:"expiresOn,omitempty"`
	Location  string `json:"location,omitempty"`
	Quantity  int64  `json:"quantity"`
}

// Lot is a product's stock of one lot in a warehouse, over its locations.
type Lot struct {
	Code      string `json:"code"`
	ExpiresOn Date   `json:"expiresOn,omitempty"`
	Quantity  int64  `json:"quantity"`
}

// Pack is a named pack of a product: Size units of its base unit.
type Pack struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// ExpiringLot is a lot with stock that expires within a window, in one of
// the warehouses a node holds.
type ExpiringLot struct {
	Warehouse string `json:"warehouse"`
	SKU       string `json:"sku"`
	Code      string `json:"code"`
	ExpiresOn Date   `json:"expiresOn"`
	Quantity  int64  `json:"quantity"`
}

// ExpiringQuery asks for the lots with stock expiring by Until (inclusive;
// already expired ones too), of Warehouse ("": every warehouse held).
type ExpiringQuery struct {
	Warehouse string `json:"warehouse,omitempty"`
	Until     Date   `json:"until"`
	Limit     int    `json:"limit,omitempty"`
}

// MaxExpiringLots bounds the answer of expiringLots.
const MaxExpiringLots = 10_000

// Normalize validates the query in place.
func (q *ExpiringQuery) Normalize() error {
	if _, err := ParseDate(string(q.Until)); err != nil {
		return err
	}
	if q.Limit <= 0 || q.Limit > MaxExpiringLots {
		q.Limit = MaxExpiringLots
	}
	return normalizeWarehouse(&q.Warehouse)
}

// ExpiringLots is the answer of an ExpiringQuery, soonest first.
type ExpiringLots struct {
	Lots []ExpiringLot `json:"lots"`
}

// StockLine is a product's stock of one lot at one location.
type StockLine struct {
	Code      string `json:"code"`
	ExpiresOn Date   `json:"expiresOn,omitempty"`
	Location  string `json:"location,omitempty"`
	Quantity  int64  `json:"quantity"`
}

// StockLines is a product's stock by lot and location, the line of no lot
// and no location included when it holds units.
type StockLines struct {
	Lines []StockLine `json:"lines"`
}

// Lots sums the lines by lot, in FEFO order.
func (s *StockLines) Lots() []Lot {
	out := []Lot{}
	for _, l := range SortLines(s.Lines) {
		if n := len(out); n > 0 && out[n-1].Code == l.Code && out[n-1].ExpiresOn == l.ExpiresOn {
			out[n-1].Quantity += l.Quantity
			continue
		}
		out = append(out, Lot{Code: l.Code, ExpiresOn: l.ExpiresOn, Quantity: l.Quantity})
	}
	return out
}

// The operations of lots.
var (
	OpProductLines = Op[ProductRef, StockLines]{"product.lines", ClassLookup, auth.RoleViewer}
	OpLotsExpiring = Op[ExpiringQuery, ExpiringLots]{"lots.expiring", ClassLookup, auth.RoleViewer}
)

// PackSize returns the size of the pack named name among packs, 0 when
// there is none.
func PackSize(packs []Pack, name string) int64 {
	for _, p := range packs {
		if p.Name == name {
			return p.Size
		}
	}
	return 0
}

// NormalizePacks validates a product's packs in place: names of 1 to
// MaxPackNameLen characters, each once, sizes of 1 to MaxQuantity base
// units, at most MaxPacks.
func NormalizePacks(packs []Pack) error {
	if len(packs) > MaxPacks {
		return invalid("packs", "at most %d", MaxPacks)
	}
	seen := map[string]bool{}
	for i := range packs {
		var err error
		if packs[i].Name, err = text("packs.name", packs[i].Name, MaxPackNameLen, true); err != nil {
			return err
		}
		if seen[packs[i].Name] {
			return invalid("packs.name", "%q given twice", packs[i].Name)
		}
		seen[packs[i].Name] = true
		if err := checkQuantity("packs.size", packs[i].Size, 1, MaxQuantity); err != nil {
			return err
		}
	}
	return nil
}

// FormatPack writes n packs of pack holding units base units as
// "3 box (36)".
func FormatPack(n int64, pack string, units int64) string {
	return fmt.Sprintf("%d %s (%d)", n, pack, units)
}

// StockExportQuery reads a page of a warehouse's stock by product, lot
// and location: the products after the sku After, at most Limit of them.
type StockExportQuery struct {
	Warehouse string `json:"warehouse,omitempty"`
	After     string `json:"after,omitempty"`
	Limit     int    `json:"limit,omitempty"`
}

// Normalize validates the query in place.
func (q *StockExportQuery) Normalize() error {
	if q.Limit <= 0 || q.Limit > MaxPageSize {
		q.Limit = MaxPageSize
	}
	return normalizeWarehouse(&q.Warehouse)
}

// StockRow is one product's units of one lot at one location; Path is
// the location's path.
type StockRow struct {
	Warehouse string    `json:"warehouse"`
	SKU       string    `json:"sku"`
	Unit      string    `json:"unit,omitempty"`
	Line      StockLine `json:"line"`
	Path      string    `json:"path,omitempty"`
}

// StockPage is a page of a stock export: Last is the sku of its last
// product, HasNext whether more follow.
type StockPage struct {
	Rows    []StockRow `json:"rows"`
	Last    string     `json:"last,omitempty"`
	HasNext bool       `json:"hasNext,omitempty"`
}

// OpStockExport reads a page of a warehouse's stock by lot and location.
var OpStockExport = Op[StockExportQuery, StockPage]{"stock.export", ClassReport, auth.RoleViewer}

// ExportStock calls fn with every product, lot and location of warehouse
// ("" the local one) that holds units, by sku, lots in FEFO order.
func (s *Service) ExportStock(ctx context.Context, warehouse string, fn func(*StockRow) error) error {
	q := StockExportQuery{Warehouse: warehouse}
	for {
		page, err := call(ctx, s, OpStockExport, &q)
		if err != nil {
			return err
		}
		for i := range page.Rows {
			if err := fn(&page.Rows[i]); err != nil {
				return err
			}
		}
		if !page.HasNext {
			return nil
		}
		q.After = page.Last
	}
}
