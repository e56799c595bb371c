package stock

import (
	"context"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// MaxHistoryPeriods is the most periods a StockHistoryQuery may cover: ten
// years of days. Each warehouse answers one point per period.
const MaxHistoryPeriods = 3660

// StockHistoryQuery asks for the stock of SKU in Warehouse ("": every
// warehouse this node holds movements of it in) over [From, To), one
// point per Step (DAY, WEEK or MONTH) in TimeZone, named as a
// ReportQuery's (see ZoneNamed; "" is UTC).
type StockHistoryQuery struct {
	SKU       string      `json:"sku"`
	Warehouse string      `json:"warehouse,omitempty"`
	From      time.Time   `json:"from"`
	To        time.Time   `json:"to"`
	Step      ReportGroup `json:"step"`
	TimeZone  string      `json:"timeZone,omitempty"`
}

// Location returns the query's time zone (see ZoneNamed).
func (q *StockHistoryQuery) Location() (*time.Location, error) { return ZoneNamed(&q.TimeZone) }

// Normalize validates the query in place: a sku, a period whose from is
// before its to, a step that is a period, and at most MaxHistoryPeriods
// periods.
func (q *StockHistoryQuery) Normalize() (err error) {
	if q.SKU, err = NormalizeSKU(q.SKU); err != nil {
		return err
	}
	if err := normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	q.Step = ReportGroup(strings.ToUpper(strings.TrimSpace(string(q.Step))))
	if !q.Step.Period() {
		return invalid("step", "%q is not one of DAY, WEEK or MONTH", q.Step)
	}
	loc, err := q.Location()
	if err != nil {
		return err
	}
	q.From, q.To = q.From.UTC(), q.To.UTC()
	if !q.From.Before(q.To) {
		return invalid("from", "must be before to")
	}
	if n := countPeriods(q.Step, q.From.In(loc), q.To); n > MaxHistoryPeriods {
		return invalid("to", "the period holds %d steps of %s, more than %d: a longer step or a shorter period",
			n, q.Step, MaxHistoryPeriods)
	}
	return nil
}

// PeriodStart returns the start of the period of step (DAY, WEEK: ISO,
// from Monday; MONTH) that t falls in, in t's location.
func PeriodStart(step ReportGroup, t time.Time) time.Time {
	y, m, d := t.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	switch step {
	case GroupWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	case GroupMonth:
		return time.Date(y, m, 1, 0, 0, 0, 0, t.Location())
	}
	return day
}

// nextPeriod returns the start of the period of step after the one
// starting at start.
func nextPeriod(step ReportGroup, start time.Time) time.Time {
	switch step {
	case GroupWeek:
		return start.AddDate(0, 0, 7)
	case GroupMonth:
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// countPeriods returns how many periods of step [from, to) overlaps,
// counting no further than MaxHistoryPeriods+1.
func countPeriods(step ReportGroup, from, to time.Time) int {
	n := 0
	for p := PeriodStart(step, from); p.Before(to) && n <= MaxHistoryPeriods; p = nextPeriod(step, p) {
		n++
	}
	return n
}

// StockPoint is the stock of a sku in Warehouse at the end of one period:
// At is the period's start (the query's from for the first period, which
// it may cut), Quantity the stock at its end (the query's to for the last
// one).
type StockPoint struct {
	Warehouse string    `json:"warehouse"`
	At        time.Time `json:"at"`
	Quantity  int64     `json:"quantity"`
}

// StockHistory is the reply to a StockHistoryQuery: for each warehouse, in
// the order of the warehouses, one point per period in time order.
type StockHistory struct {
	Points []StockPoint `json:"points"`
}

// StockSeries returns the points of q for the warehouses in order: each
// starts from its stock before q.From (opening) and adds, period by
// period in loc (q's zone), the net units of its movements in that period
// (net, by warehouse and then by the period's key, as ReportGroup.Key
// writes it in loc). A warehouse without an opening balance starts at 0.
func StockSeries(q *StockHistoryQuery, loc *time.Location, warehouses []string, opening map[string]int64, net map[string]map[string]int64) []StockPoint {
	out := []StockPoint{}
	for _, wh := range warehouses {
		qty := opening[wh]
		for p := PeriodStart(q.Step, q.From.In(loc)); p.Before(q.To); p = nextPeriod(q.Step, p) {
			qty += net[wh][q.Step.Key(p)]
			out = append(out, StockPoint{Warehouse: wh, At: maxTime(p, q.From).UTC(), Quantity: qty})
		}
	}
	return out
}

// maxTime returns the later of a and b.
func maxTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return b
	}
	return a
}

// OpStockHistory reads a sku's stock over time from the movement rollup.
var OpStockHistory = Op[StockHistoryQuery, StockHistory]{"stock.history", ClassReport, auth.RoleViewer}

// StockHistory returns the stock of q.SKU over time, one point per
// warehouse and period (see StockPoint), read from the movement rollup:
// a report, at idle priority, under the caller's deadline.
func (s *Service) StockHistory(ctx context.Context, q StockHistoryQuery) ([]*StockPoint, error) {
	r, err := call(ctx, s, OpStockHistory, &q)
	if err != nil {
		return nil, err
	}
	return Pointers(r.Points), nil
}

// Me returns who the caller is: the principal ctx carries, which needs
// at least the viewer role (else UNAUTHENTICATED or FORBIDDEN).
func Me(ctx context.Context) (*auth.Principal, error) {
	if err := Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	p, _ := auth.FromContext(ctx)
	return &p, nil
}
