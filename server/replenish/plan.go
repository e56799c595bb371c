// Package replenish plans transfers between warehouses: for a product at
// or below its reorder point in one warehouse, the units other warehouses
// can spare to bring it back up, drawn from those with the most days of
// cover first. It is pure arithmetic over levels its caller gathers from
// the local ledger and the replicas; the rules of a plan live here only.
package replenish

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/stockmesh/stockmesh/internal/api"
)

// Defaults of a plan.
const (
	// DefaultWindowDays is the window over which average daily sales are
	// taken.
	DefaultWindowDays = 30
	// CoverDays is how many days of a warehouse's own sales a plan keeps
	// above its reorder point: a source keeps them, and a destination with
	// no maximum is brought up to them.
	CoverDays = 14
)

// Level is one product's position in one warehouse.
type Level struct {
	Warehouse string
	// OnHand is the stock; Reserved the units reservations hold of it.
	OnHand, Reserved int64
	// InTransitIn is the units already on their way to this warehouse.
	InTransitIn int64
	// ReorderPoint is the minimum (0: none); MaxStock the maximum (0: none).
	ReorderPoint, MaxStock int64
	// Sold is the units sold (SALE) over the window.
	Sold int64
	// Lots are the units of lots that expire within the window, by
	// expiry (any order).
	Lots []Lot
}

// Lot is units of one product in one warehouse that expire together.
type Lot struct {
	// DaysLeft is the whole days from today to the lot's expiry: 0 when
	// it expires at the end of today.
	DaysLeft int
	Quantity int64
}

// Available is the stock reservations do not hold.
func (l Level) Available() int64 { return max(0, l.OnHand-l.Reserved) }

// DaysOfCover is Available divided by the average daily sales over
// windowDays, and false when nothing was sold.
func (l Level) DaysOfCover(windowDays int) (float64, bool) {
	if l.Sold <= 0 || windowDays <= 0 {
		return 0, false
	}
	return float64(l.Available()) * float64(windowDays) / float64(l.Sold), true
}

// cover is CoverDays of l's sales over windowDays, rounded up.
func (l Level) cover(windowDays int) int64 {
	if l.Sold <= 0 || windowDays <= 0 {
		return 0
	}
	return (l.Sold*CoverDays + int64(windowDays) - 1) / int64(windowDays)
}

// position is what l will have once what is on its way arrives, net of
// reservations.
func (l Level) position() int64 { return l.Available() + l.InTransitIn }

// Short reports whether l is at or below its reorder point, counting what
// is on its way.
func (l Level) Short() bool { return l.ReorderPoint > 0 && l.position() <= l.ReorderPoint }

// Need is how many units bring a short l to its maximum, or, without one,
// to its reorder point plus CoverDays of its sales; 0 when l is not short.
func (l Level) Need(windowDays int) int64 {
	if !l.Short() {
		return 0
	}
	target := l.MaxStock
	if target <= 0 {
		target = l.ReorderPoint + l.cover(windowDays)
	}
	return max(0, target-l.position())
}

// Spare is how many units l can give: what it has available beyond its
// reorder point plus CoverDays of its own sales.
func (l Level) Spare(windowDays int) int64 {
	return max(0, l.Available()-l.ReorderPoint-l.cover(windowDays))
}

// Reason says why a transfer is suggested.
type Reason string

// The reasons of a suggestion.
const (
	BelowReorderPoint Reason = api.ReasonBelowReorderPoint
	ExpiringElsewhere Reason = api.ReasonExpiringElsewhere
)

// Suggestion is a transfer a plan suggests.
type Suggestion struct {
	SKU      string
	From, To string
	Quantity int64
	Reason   Reason
	// FromDaysOfCover and ToDaysOfCover are the warehouses' days of cover
	// before the transfer; nil when nothing was sold there.
	FromDaysOfCover, ToDaysOfCover *float64
}

// Plan returns the transfers that bring back each warehouse where sku is
// short (of those to reports true; nil: every one), most urgent first
// (fewest days of cover), each drawn from the others with the most days
// of cover first (never sold: first of all), one suggestion per source,
// no source giving more than its Spare over the whole plan; then those of
// Expiring, which move what would expire where it is.
func Plan(sku string, levels []Level, windowDays int, to func(warehouse string) bool) []Suggestion {
	if windowDays <= 0 {
		windowDays = DefaultWindowDays
	}
	// Each level's days of cover (never sold: more than any) and spare,
	// computed once: a plan of the whole network sorts 24 levels of
	// thousands of skus.
	type ranked struct {
		l     *Level
		cover float64
		spare int64
	}
	all := make([]ranked, len(levels))
	var short []*ranked
	for i := range levels {
		l := &levels[i]
		all[i] = ranked{l: l, cover: math.Inf(1), spare: l.Spare(windowDays)}
		if d, ok := l.DaysOfCover(windowDays); ok {
			all[i].cover = d
		}
		if l.Short() && (to == nil || to(l.Warehouse)) {
			short = append(short, &all[i])
		}
	}
	slices.SortFunc(short, func(a, b *ranked) int {
		return cmp.Or(cmp.Compare(a.cover, b.cover), cmp.Compare(a.l.Warehouse, b.l.Warehouse))
	})
	var out []Suggestion
	var sources []*ranked // most days of cover first, sorted when first needed
	for _, d := range short {
		need := d.l.Need(windowDays)
		if need > 0 && sources == nil {
			sources = make([]*ranked, len(all))
			for i := range all {
				sources[i] = &all[i]
			}
			slices.SortFunc(sources, func(a, b *ranked) int {
				if c := cmp.Compare(b.cover, a.cover); c != 0 {
					return c
				}
				return strings.Compare(a.l.Warehouse, b.l.Warehouse) // only on a tie: 24 levels of 10,000 skus
			})
		}
		for _, s := range sources {
			if need <= 0 {
				break
			}
			q := min(s.spare, need)
			if s.l.Warehouse == d.l.Warehouse || q <= 0 {
				continue
			}
			s.spare -= q
			need -= q
			out = append(out, Suggestion{SKU: sku, From: s.l.Warehouse, To: d.l.Warehouse, Quantity: q, Reason: BelowReorderPoint,
				FromDaysOfCover: daysOf(*s.l, windowDays), ToDaysOfCover: daysOf(*d.l, windowDays)})
		}
	}
	return append(out, Expiring(sku, levels, windowDays, to, out)...)
}

// AtRisk returns the units of each of l's lots (in l.Lots' order) that
// l's own sales will not take before the lot expires: sales take the
// lots that expire first (FEFO), after the units reserved and the units
// out leaves with (a transfer that names no lot takes the first to expire
// too), at l's average daily sales over windowDays, whole units a day.
func (l Level) AtRisk(windowDays int, out int64) []int64 {
	order := make([]int, len(l.Lots))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(l.Lots[a].DaysLeft, l.Lots[b].DaysLeft) })
	risk := make([]int64, len(l.Lots))
	taken := l.Reserved + out // leave first, from the first lots
	var sold int64            // of the lots before, by sales
	for _, i := range order {
		q := l.Lots[i].Quantity
		gone := min(q, taken)
		q, taken = q-gone, taken-gone
		sells := max(0, min(q, l.sales(windowDays, l.Lots[i].DaysLeft)-sold))
		sold += sells
		risk[i] = q - sells
	}
	return risk
}

// sales is how many units l sells in days days at its average daily
// sales over windowDays, rounded down.
func (l Level) sales(windowDays, days int) int64 {
	if l.Sold <= 0 || windowDays <= 0 || days <= 0 {
		return 0
	}
	return l.Sold * int64(days) / int64(windowDays)
}

// Expiring returns the transfers that move units of sku that would expire
// where they are (Level.AtRisk, after the units the suggestions before
// already take from each source) to warehouses (of those to reports true)
// that would sell them before they expire: each lot, soonest to expire
// first, to the fastest sellers first; a destination takes at most what it
// sells in the lot's days left after its own units that expire no later
// (and all it is already sent), and never above its maximum. A lot that
// expires today or tomorrow goes nowhere (a transfer takes a day). One
// suggestion per source and destination, EXPIRING_ELSEWHERE.
func Expiring(sku string, levels []Level, windowDays int, to func(warehouse string) bool, before []Suggestion) []Suggestion {
	if !slices.ContainsFunc(levels, func(l Level) bool { return len(l.Lots) > 0 }) {
		return nil // nothing expires anywhere: most skus of a plan
	}
	if windowDays <= 0 {
		windowDays = DefaultWindowDays
	}
	sent := map[string]int64{}    // by destination: units already suggested to it
	leaving := map[string]int64{} // by source
	for _, s := range before {
		sent[s.To] += s.Quantity
		leaving[s.From] += s.Quantity
	}
	var dests []*Level // fastest sellers first
	for i := range levels {
		if levels[i].Sold > 0 && (to == nil || to(levels[i].Warehouse)) {
			dests = append(dests, &levels[i])
		}
	}
	if len(dests) == 0 {
		return nil
	}
	slices.SortFunc(dests, func(a, b *Level) int {
		return cmp.Or(cmp.Compare(b.Sold, a.Sold), cmp.Compare(a.Warehouse, b.Warehouse))
	})
	type pair struct{ from, to string }
	moved := map[pair]int64{}
	var order []pair
	for i := range levels {
		src := &levels[i]
		risk := src.AtRisk(windowDays, leaving[src.Warehouse])
		lots := make([]int, 0, len(src.Lots))
		for j := range src.Lots {
			if risk[j] > 0 && src.Lots[j].DaysLeft >= 2 {
				lots = append(lots, j)
			}
		}
		slices.SortStableFunc(lots, func(a, b int) int { return cmp.Compare(src.Lots[a].DaysLeft, src.Lots[b].DaysLeft) })
		for _, j := range lots {
			left := risk[j]
			days := src.Lots[j].DaysLeft
			for _, d := range dests {
				if left <= 0 {
					break
				}
				if d.Warehouse == src.Warehouse {
					continue
				}
				room := d.sales(windowDays, days) - d.unitsBy(days) - sent[d.Warehouse]
				if d.MaxStock > 0 {
					room = min(room, d.MaxStock-d.position()-sent[d.Warehouse])
				}
				q := min(left, room)
				if q <= 0 {
					continue
				}
				left -= q
				sent[d.Warehouse] += q
				p := pair{src.Warehouse, d.Warehouse}
				if moved[p] == 0 {
					order = append(order, p)
				}
				moved[p] += q
			}
		}
	}
	byID := make(map[string]*Level, len(levels))
	for i := range levels {
		byID[levels[i].Warehouse] = &levels[i]
	}
	out := make([]Suggestion, 0, len(order))
	for _, p := range order {
		out = append(out, Suggestion{SKU: sku, From: p.from, To: p.to, Quantity: moved[p], Reason: ExpiringElsewhere,
			FromDaysOfCover: daysOf(*byID[p.from], windowDays), ToDaysOfCover: daysOf(*byID[p.to], windowDays)})
	}
	return out
}

// unitsBy is how many of l's units expire within days (its lots').
func (l Level) unitsBy(days int) int64 {
	var n int64
	for _, lot := range l.Lots {
		if lot.DaysLeft <= days {
			n += lot.Quantity
		}
	}
	return n
}

// daysOf returns l's days of cover, or nil when nothing was sold there.
func daysOf(l Level, windowDays int) *float64 {
	if d, ok := l.DaysOfCover(windowDays); ok {
		return &d
	}
	return nil
}
