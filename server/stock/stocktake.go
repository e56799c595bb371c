package stock

import (
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// A stocktake corrects the books from a physical count without closing the
// warehouse. Starting it snapshots the stock of its skus at a seq of the
// warehouse's log. Counting a line records what the shelf holds and the
// line's expected quantity: the stock at that moment, which is the
// snapshot plus every movement of the sku recorded after the snapshot and
// before the count (the writer records both in order). Its variance is
// counted − expected, so a sale in the middle of a count never shows up as
// a variance. Finalizing posts one ADJUSTMENT per line whose variance is not
// zero, with the stocktake's id as reference, to whatever the stock is
// then, in one write: the stock ends at counted + the movements after each
// count.
//
// The owning warehouse writes its stocktakes; each change is a stocktake.*
// entry of its log, replicated like a movement.

// StocktakeStatus is where a stocktake stands.
type StocktakeStatus string

// The statuses of a stocktake. FINALIZED and CANCELLED are final.
const (
	StocktakeOpen      StocktakeStatus = "OPEN"
	StocktakeFinalized StocktakeStatus = "FINALIZED"
	StocktakeCancelled StocktakeStatus = "CANCELLED"
)

// Valid reports whether s is one of the statuses.
func (s StocktakeStatus) Valid() bool {
	return s == StocktakeOpen || s == StocktakeFinalized || s == StocktakeCancelled
}

// The log entries of stocktakes.
const (
	EntryStocktakeStarted   EntryType = "stocktake.started"   // Stocktake with its lines' skus and snapshots
	EntryStocktakeCounted   EntryType = "stocktake.counted"   // Stocktake (header) and Lines: the lines counted
	EntryStocktakeFinalized EntryType = "stocktake.finalized" // Stocktake (header), after its adjustments
	EntryStocktakeCancelled EntryType = "stocktake.cancelled" // Stocktake (header)
)

// IsStocktake reports whether t is the type of a stocktake entry.
func (t EntryType) IsStocktake() bool {
	switch t {
	case EntryStocktakeStarted, EntryStocktakeCounted, EntryStocktakeFinalized, EntryStocktakeCancelled:
		return true
	}
	return false
}

// Stocktake is a physical count of some or every product of a warehouse.
type Stocktake struct {
	ID        string          `json:"id"`
	Warehouse string          `json:"warehouse"`
	Status    StocktakeStatus `json:"status"`
	Note      string          `json:"note,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
	// FinalizedAt is when it was finalized; EndedAt when it was finalized
	// or cancelled.
	FinalizedAt *time.Time `json:"finalizedAt,omitempty"`
	EndedAt     *time.Time `json:"endedAt,omitempty"`
	// VarianceValue is the sum of the counted lines' variances at the
	// products' prices (when finalized: at their prices then).
	VarianceValue Amount          `json:"varianceValue"`
	Lines         []StocktakeLine `json:"lines,omitempty"`
}

// StocktakeLine is one sku of a stocktake: its snapshot, and once counted,
// the count, the quantity expected then and who counted when.
type StocktakeLine struct {
	SKU      string `json:"sku"`
	Snapshot int64  `json:"snapshot"`
	// SnapshotSeq is the seq of the warehouse's log the snapshot was
	// taken at.
	SnapshotSeq int64      `json:"snapshotSeq,omitempty"`
	Counted     *int64     `json:"counted,omitempty"`
	Expected    *int64     `json:"expected,omitempty"`
	CountedAt   *time.Time `json:"countedAt,omitempty"`
	CountedBy   *string    `json:"countedBy,omitempty"`
	// Price is the product's price, for the variance value; reads fill
	// it, log entries never carry it.
	Price Price `json:"price,omitempty"`
}

// Variance returns counted − expected, or nil while the line is not
// counted.
func (l *StocktakeLine) Variance() *int64 {
	if l.Counted == nil || l.Expected == nil {
		return nil
	}
	v := *l.Counted - *l.Expected
	return &v
}

// VarianceValueOf returns the sum of the counted lines' variances at their
// prices.
func VarianceValueOf(lines []StocktakeLine) Amount {
	var sum Amount
	for i := range lines {
		if v := lines[i].Variance(); v != nil {
			sum += Amount(*v) * Amount(lines[i].Price)
		}
	}
	return sum
}

// Amount is an exact, signed amount of money in ten-thousandths of a
// currency unit, such as a sum of differences at prices: written as a
// Price is, with a minus sign when negative ("-3.50").
type Amount int64

// String formats a as Price.String does, with a leading minus sign when
// negative.
func (a Amount) String() string {
	if a < 0 {
		return "-" + Price(-a).String()
	}
	return Price(a).String()
}

// MarshalText writes the decimal string.
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses a decimal string, with a leading minus sign when
// negative.
func (a *Amount) UnmarshalText(b []byte) error {
	s, neg := strings.CutPrefix(string(b), "-")
	p, err := ParsePrice(s)
	if err != nil {
		return err
	}
	*a = Amount(p)
	if neg {
		*a = -*a
	}
	return nil
}

// StocktakeID returns the id of the stocktake started by the change seq of
// warehouse: "MAD-1:S42".
func StocktakeID(warehouse string, seq int64) string {
	return warehouse + ":S" + strconv.FormatInt(seq, 10)
}

// MaxStocktakeLines bounds the skus a stocktake names when started with a
// list (one without counts every live product).
const MaxStocktakeLines = 100_000

// StartStocktakeInput starts a stocktake of SKUs (none: every live
// product of the local warehouse).
type StartStocktakeInput struct {
	SKUs []string `json:"skus,omitempty"`
	Note string   `json:"note,omitempty"`
}

// Normalize trims and validates the request in place; a sku named twice is
// refused.
func (in *StartStocktakeInput) Normalize() (err error) {
	if in.SKUs != nil && len(in.SKUs) == 0 {
		return invalid("skus", "name at least one sku, or leave skus out to count every live product")
	}
	if len(in.SKUs) > MaxStocktakeLines {
		return invalid("skus", "%d skus, at most %d", len(in.SKUs), MaxStocktakeLines)
	}
	seen := make(map[string]bool, len(in.SKUs))
	for i := range in.SKUs {
		if in.SKUs[i], err = NormalizeSKU(in.SKUs[i]); err != nil {
			return err
		}
		if seen[in.SKUs[i]] {
			return invalid("skus", "%s is named twice", in.SKUs[i])
		}
		seen[in.SKUs[i]] = true
	}
	in.Note, err = text("note", in.Note, MaxNoteLen, false)
	return err
}

// RecordCountInput records that Counted units of SKU were counted for
// stocktake Stocktake.
type RecordCountInput struct {
	Stocktake string `json:"stocktake"`
	SKU       string `json:"sku"`
	Counted   int64  `json:"counted"`
}

// Normalize trims and validates the request in place.
func (in *RecordCountInput) Normalize() (err error) {
	in.Stocktake = strings.TrimSpace(in.Stocktake)
	if err = checkStocktakeID("stocktake", in.Stocktake); err != nil {
		return err
	}
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	return checkQuantity("counted", in.Counted, 0, MaxStock)
}

// CountRow is one row of a counts import: a sku and what was counted, with
// the line of the file it came from.
type CountRow struct {
	Line    int    `json:"line"`
	SKU     string `json:"sku"`
	Counted int64  `json:"counted"`
}

// CountsInput records many counts of one stocktake at once, all or none.
type CountsInput struct {
	Stocktake string     `json:"stocktake"`
	Rows      []CountRow `json:"rows"`
}

// Normalize validates every row, naming the file's line of the first
// invalid one.
func (in *CountsInput) Normalize() error {
	in.Stocktake = strings.TrimSpace(in.Stocktake)
	if err := checkStocktakeID("stocktake", in.Stocktake); err != nil {
		return err
	}
	if len(in.Rows) == 0 {
		return invalid("rows", "no counts")
	}
	if len(in.Rows) > MaxStocktakeLines {
		return invalid("rows", "%d counts, at most %d", len(in.Rows), MaxStocktakeLines)
	}
	for i := range in.Rows {
		r := &in.Rows[i]
		c := RecordCountInput{Stocktake: in.Stocktake, SKU: r.SKU, Counted: r.Counted}
		if err := c.Normalize(); err != nil {
			return Errorf(CodeInvalidInput, "line %d: %s", r.Line, Message(err))
		}
		r.SKU = c.SKU
	}
	return nil
}

// Counted is the reply of a counts import: the lines as counted.
type Counted struct {
	Lines []StocktakeLine `json:"lines"`
}

// StocktakeRef names a stocktake by its id.
type StocktakeRef struct {
	ID string `json:"id"`
}

// Normalize trims and validates the id in place.
func (r *StocktakeRef) Normalize() error {
	r.ID = strings.TrimSpace(r.ID)
	return checkStocktakeID("id", r.ID)
}

// FinalizeInput finalizes stocktake ID. AdminAbove and Admin are set by
// the Service, never by a client: a stocktake whose variance value, in
// absolute value, exceeds AdminAbove (when positive) needs an admin.
type FinalizeInput struct {
	ID         string `json:"id"`
	AdminAbove Amount `json:"adminAbove,omitempty"`
	Admin      bool   `json:"admin,omitempty"`
}

// Normalize trims and validates the id in place.
func (in *FinalizeInput) Normalize() error {
	in.ID = strings.TrimSpace(in.ID)
	return checkStocktakeID("id", in.ID)
}

// checkStocktakeID checks that id could name a stocktake.
func checkStocktakeID(field, id string) error {
	switch {
	case id == "":
		return invalid(field, "must not be empty")
	case len(id) > MaxWarehouseIDLen+2+19:
		return invalid(field, "longer than %d characters", MaxWarehouseIDLen+2+19)
	}
	return checkUTF8(field, id)
}

// StocktakeQuery selects a page of stocktakes, newest first: with Status
// ("" for any) of Warehouse ("" for every one held).
type StocktakeQuery struct {
	Status    StocktakeStatus `json:"status,omitempty"`
	Warehouse string          `json:"warehouse,omitempty"`
	First     int             `json:"first,omitempty"`
	After     string          `json:"after,omitempty"`
}

// Normalize validates the query in place, applying the default page size.
func (q *StocktakeQuery) Normalize() error {
	if q.Status != "" && !q.Status.Valid() {
		return invalid("status", "%q is not a stocktake status", q.Status)
	}
	if err := normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	if q.After != "" {
		if _, _, err := DecodeStocktakeCursor(q.After); err != nil {
			return err
		}
	}
	return pageSize(&q.First)
}

// StocktakePage is one page of stocktakes, with their lines.
type StocktakePage struct {
	Stocktakes []Stocktake `json:"stocktakes"`
	HasNext    bool        `json:"hasNext"`
}

// StocktakeCursor returns the opaque cursor of a stocktake in a listing.
func StocktakeCursor(s *Stocktake) string { return createdCursor("s", s.CreatedAt, s.ID) }

// DecodeStocktakeCursor returns the creation time (Unix nanoseconds) and
// id a stocktake cursor points at.
func DecodeStocktakeCursor(c string) (int64, string, error) {
	return decodeCreatedCursor(c, "s", "stocktake")
}

// The operations of stocktakes.
var (
	OpStocktakeStart    = Op[StartStocktakeInput, Stocktake]{"stocktake.start", ClassWrite, auth.RoleOperator}
	OpStocktakeCount    = Op[RecordCountInput, StocktakeLine]{"stocktake.count", ClassWrite, auth.RoleOperator}
	OpStocktakeCounts   = Op[CountsInput, Counted]{"stocktake.counts", ClassWrite, auth.RoleOperator}
	OpStocktakeFinalize = Op[FinalizeInput, Stocktake]{"stocktake.finalize", ClassWrite, auth.RoleOperator}
	OpStocktakeCancel   = Op[StocktakeRef, Stocktake]{"stocktake.cancel", ClassWrite, auth.RoleOperator}
	OpStocktakeGet      = Op[StocktakeRef, Stocktake]{"stocktake.get", ClassLookup, auth.RoleViewer}
	OpStocktakeList     = Op[StocktakeQuery, StocktakePage]{"stocktake.list", ClassLookup, auth.RoleViewer}
)
