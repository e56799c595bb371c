package stock

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // report time zones on hosts without a zone database

	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/auth"
)

// Normalize validates the filter in place.
func (f *MovementFilter) Normalize() error {
	if err := normalizeWarehouse(&f.Warehouse); err != nil {
		return err
	}
	var err error
	if f.SKU != "" {
		if f.SKU, err = NormalizeSKU(f.SKU); err != nil {
			return err
		}
	}
	for _, k := range f.Kinds {
		if !k.Valid() {
			return invalid("kinds", "%q is not a movement kind", k)
		}
	}
	if f.Reference, err = text("reference", f.Reference, MaxReferenceLen, false); err != nil {
		return err
	}
	if f.Actor, err = text("actor", f.Actor, MaxNameLen, false); err != nil {
		return err
	}
	if f.Lot, err = text("lot", f.Lot, MaxLotCodeLen, false); err != nil {
		return err
	}
	if f.Location, err = text("location", f.Location, MaxLocationCodeLen, false); err != nil {
		return err
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return invalid("from", "must be before to")
	}
	return nil
}

// ReportGroup is a dimension a movement report groups by.
type ReportGroup string

// The report groups. DAY, WEEK (ISO 8601, such as 2026-W48) and MONTH are
// periods in the report's time zone.
const (
	GroupSKU       ReportGroup = "SKU"
	GroupKind      ReportGroup = "KIND"
	GroupWarehouse ReportGroup = "WAREHOUSE"
	GroupDay       ReportGroup = "DAY"
	GroupWeek      ReportGroup = "WEEK"
	GroupMonth     ReportGroup = "MONTH"
	// GroupLot groups by lot: its code and expiry as CODE@YYYY-MM-DD (CODE
	// without expiry; "" for no lot). A movement drawing from several lots
	// counts in each, with the units of that lot.
	GroupLot ReportGroup = "LOT"
)

// ReportGroups lists every group in a stable order.
var ReportGroups = []ReportGroup{GroupSKU, GroupKind, GroupWarehouse, GroupDay, GroupWeek, GroupMonth, GroupLot}

// Period reports whether g is a period of time.
func (g ReportGroup) Period() bool { return g == GroupDay || g == GroupWeek || g == GroupMonth }

// Key returns the key of the period g that t falls in, in t's location:
// 2026-11-30, 2026-W49 or 2026-11.
func (g ReportGroup) Key(t time.Time) string {
	switch g {
	case GroupDay:
		return t.Format(time.DateOnly)
	case GroupWeek:
		y, w := t.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case GroupMonth:
		return t.Format("2006-01")
	}
	return ""
}

// MaxReportRows is the most rows a movement report answers: beyond it the
// report is refused (ErrTooManyRows) before it grows further, as its rows
// are held, sorted and sent whole.
const MaxReportRows = 10_000

// ErrTooManyRows refuses a movement report of more than MaxReportRows rows.
var ErrTooManyRows = &Error{Code: CodeInvalidInput, Reason: "too-many-rows",
	Message: "the report would have more than 10,000 rows: narrow the filter (a shorter period, one warehouse, " +
		"one sku, some kinds) or group by fewer keys or a longer period"}

// ReportQuery asks for the totals of the movements Filter selects, grouped
// by GroupBy (in that order, at least one), with periods in TimeZone (an
// IANA name; "" is UTC).
type ReportQuery struct {
	Filter   MovementFilter `json:"filter"`
	GroupBy  []ReportGroup  `json:"groupBy"`
	TimeZone string         `json:"timeZone,omitempty"`
}

// Normalize validates the query in place.
func (q *ReportQuery) Normalize() error {
	if err := q.Filter.Normalize(); err != nil {
		return err
	}
	if len(q.GroupBy) == 0 {
		return invalid("groupBy", "must name at least one of %v", ReportGroups)
	}
	seen := map[ReportGroup]bool{}
	for i, g := range q.GroupBy {
		g = ReportGroup(strings.ToUpper(strings.TrimSpace(string(g))))
		if !g.valid() {
			return invalid("groupBy", "%q is not one of %v", q.GroupBy[i], ReportGroups)
		}
		if seen[g] {
			return invalid("groupBy", "%s is named twice", g)
		}
		seen[g], q.GroupBy[i] = true, g
	}
	_, err := q.Location()
	return err
}

// valid reports whether g is one of the known groups.
func (g ReportGroup) valid() bool {
	for _, v := range ReportGroups {
		if g == v {
			return true
		}
	}
	return false
}

// Location returns the query's time zone (see ZoneNamed).
func (q *ReportQuery) Location() (*time.Location, error) { return ZoneNamed(&q.TimeZone) }

// ZoneNamed returns the time zone a report's periods (days, ISO weeks,
// months) are in, named by *name: an IANA name, "" or "UTC" for UTC
// (*name becomes "", trimmed otherwise). "Local", the server's own zone,
// which the client cannot know, and file paths are INVALID_INPUT.
func ZoneNamed(name *string) (*time.Location, error) {
	*name = strings.TrimSpace(*name)
	if *name == "" || *name == "UTC" {
		*name = ""
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(*name)
	if err != nil || strings.HasPrefix(*name, "/") || *name == "Local" {
		return nil, invalid("timeZone", "%q is not an IANA time zone name such as Europe/Madrid", *name)
	}
	return loc, nil
}

// ReportRow is one group of a report: its keys (one per group of the
// query, in its order), the units that came in and went out, their
// difference, how many movements, and Value: the units moved, in and out,
// each at the price its product had when the movement was recorded.
type ReportRow struct {
	Keys     []string `json:"keys"`
	UnitsIn  int64    `json:"unitsIn"`
	UnitsOut int64    `json:"unitsOut"`
	Net      int64    `json:"net"`
	Count    int64    `json:"count"`
	Value    Price    `json:"value"`
}

// Report is the reply to a ReportQuery: its rows ordered by their keys.
type Report struct {
	Rows []ReportRow `json:"rows"`
}

// StockAtQuery asks for the stock of SKU in Warehouse ("": the local one)
// at a past moment.
type StockAtQuery struct {
	SKU       string    `json:"sku"`
	At        time.Time `json:"at"`
	Warehouse string    `json:"warehouse,omitempty"`
}

// Normalize validates the query in place.
func (q *StockAtQuery) Normalize() (err error) {
	if q.SKU, err = NormalizeSKU(q.SKU); err != nil {
		return err
	}
	q.At = q.At.UTC() // the zero time is a moment too: the stock then was 0
	return normalizeWarehouse(&q.Warehouse)
}

// StockAt is the stock a StockAtQuery asked for: the balance after the
// last movement at or before its moment, 0 when there was none.
type StockAt struct {
	Quantity int64 `json:"quantity"`
}

// LowStockQuery asks for the products at or below their reorder point in
// Warehouse ("": every warehouse the node holds).
type LowStockQuery struct {
	Warehouse string `json:"warehouse,omitempty"`
}

// Normalize validates the query in place.
func (q *LowStockQuery) Normalize() error { return normalizeWarehouse(&q.Warehouse) }

// ProductList is a list of products.
type ProductList struct {
	Products []Product `json:"products"`
}

// Report operations.
var (
	OpMovementReport = Op[ReportQuery, Report]{"report.movements", ClassReport, auth.RoleViewer}
	OpMovementExport = Op[ExportQuery, MovementPage]{"report.export", ClassReport, auth.RoleViewer}
	OpStockAt        = Op[StockAtQuery, StockAt]{"stock.at", ClassLookup, auth.RoleViewer}
	OpLowStock       = Op[LowStockQuery, ProductList]{"product.lowStock", ClassLookup, auth.RoleViewer}
	// OpProductExport is a product listing run as a long read, for exports.
	OpProductExport = Op[ProductQuery, ProductPage]{"product.export", ClassReport, auth.RoleViewer}
)

// ExportProducts calls fn with every product of the catalogue q names (its
// Warehouse; "" for the local one), by sku, reading it in pages of
// MaxPageSize, each a long read. It stops at fn's first error and returns
// it.
func (s *Service) ExportProducts(ctx context.Context, q ProductQuery, fn func(*Product) error) error {
	q.First = MaxPageSize
	for {
		page, err := call(ctx, s, OpProductExport, &q)
		if err != nil {
			return err
		}
		for i := range page.Products {
			if err := fn(&page.Products[i]); err != nil {
				return err
			}
		}
		if !page.HasNext || len(page.Products) == 0 {
			return nil
		}
		q.After = ProductCursor(page.Products[len(page.Products)-1].SKU)
	}
}

// MaxExportPage is the size of the pages an export reads the ledger in.
const MaxExportPage = 2000

// ExportQuery is a MovementQuery of an export: its pages are larger (First
// up to MaxExportPage; 0 for MaxExportPage).
type ExportQuery MovementQuery

// Normalize validates the query in place.
func (q *ExportQuery) Normalize() error {
	if err := (*MovementQuery)(q).check(); err != nil {
		return err
	}
	if q.First <= 0 || q.First > MaxExportPage {
		q.First = MaxExportPage
	}
	return nil
}

// MovementReport returns the totals of the movements q selects, grouped as
// it asks. It is a long read under the caller's deadline.
func (s *Service) MovementReport(ctx context.Context, q ReportQuery) ([]*ReportRow, error) {
	r, err := call(ctx, s, OpMovementReport, &q)
	if err != nil {
		return nil, err
	}
	return Pointers(r.Rows), nil
}

// ExportMovements calls fn with every movement q.Filter selects, newest
// first, reading the ledger in pages of long reads (q.First, at most
// MaxExportPage; 0 for the most), so memory stays flat whatever the size.
// Alone it reads the next page while fn handles this one (two pages at
// most in memory); while writes flow it yields to them (see
// exportYieldsTo). It stops at fn's first error and returns it.
func (s *Service) ExportMovements(ctx context.Context, q ExportQuery, fn func(*Movement) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		page *MovementPage
		err  error
	}
	next := func(q ExportQuery) <-chan result {
		ch := make(chan result, 1)
		go func() {
			p, err := call(ctx, s, OpMovementExport, &q)
			ch <- result{p, err}
		}()
		return ch
	}
	pending, busy := next(q), time.Now()
	for {
		r := <-pending
		if r.err != nil {
			return r.err
		}
		ms := r.page.Movements
		more, yield := r.page.HasNext && len(ms) > 0, s.writesFlow()
		if more {
			q.After = MovementCursor(&ms[len(ms)-1])
		}
		if more && !yield {
			pending = next(q)
		}
		for i := range ms {
			if err := fn(&ms[i]); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		if yield {
			if err := wait.For(ctx, min(exportRestRatio*time.Since(busy), maxExportRest)); err != nil {
				return err
			}
			pending = next(q)
		}
		busy = time.Now()
	}
}

// An export yields to writes: while they flow through the Service (one
// started within exportYieldsTo), it reads a page only after handling the
// last one, then rests exportRestRatio times as long as that took (at most
// maxExportRest), so that it keeps about a third of one processor busy
// instead of more than one. Its long reads also run at idle priority (see
// package idle), which alone is not enough: at full speed beside a writer
// at 500 movements/s, the export still raised the writer's p99 by half on
// a 2-CPU machine, through the memory and caches it shares with the
// writer (resting as long as a page took: by a fifth; twice as long: not
// measurably). Alone an export runs at full speed.
const (
	exportYieldsTo  = 100 * time.Millisecond
	exportRestRatio = 2
	maxExportRest   = 200 * time.Millisecond
)

// writesFlow reports whether a write started within exportYieldsTo.
func (s *Service) writesFlow() bool {
	return time.Since(time.Unix(0, s.wrote.Load())) < exportYieldsTo
}

// StockAt returns the stock of sku in a warehouse ("": the local one) at a
// past moment, from the ledger.
func (s *Service) StockAt(ctx context.Context, q StockAtQuery) (int64, error) {
	r, err := call(ctx, s, OpStockAt, &q)
	if err != nil {
		return 0, err
	}
	return r.Quantity, nil
}

// LowStock returns the live products at or below a non-zero reorder point
// in a warehouse ("": every warehouse the node holds), by warehouse and sku.
func (s *Service) LowStock(ctx context.Context, warehouse string) ([]*Product, error) {
	r, err := call(ctx, s, OpLowStock, &LowStockQuery{Warehouse: warehouse})
	if err != nil {
		return nil, err
	}
	return Pointers(r.Products), nil
}
