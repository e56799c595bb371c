package replenish

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"
)

// TestPlanModel checks random plans against the rules computed here
// independently: a destination is short when what it has available plus
// what is on its way is at or below its reorder point; it receives at most
// what brings it to its maximum (or reorder point plus 14 days of its
// sales); no source gives more than keeps it at its own reorder point plus
// 14 days of its own sales, net of reservations; each destination draws
// from the sources with the most days of cover first, one suggestion per
// source; and a destination left short means every other source is spent.
func TestPlanModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		window := rapid.IntRange(1, 60).Draw(t, "window")
		n := rapid.IntRange(1, 6).Draw(t, "warehouses")
		levels := make([]Level, n)
		for i := range levels {
			onHand := rapid.Int64Range(0, 500).Draw(t, "onHand")
			levels[i] = Level{
				Warehouse:    fmt.Sprintf("W-%d", i),
				OnHand:       onHand,
				Reserved:     rapid.Int64Range(0, onHand+10).Draw(t, "reserved"),
				InTransitIn:  rapid.Int64Range(0, 50).Draw(t, "inTransit"),
				ReorderPoint: rapid.Int64Range(0, 100).Draw(t, "reorderPoint"),
				MaxStock:     rapid.Int64Range(0, 400).Draw(t, "maxStock"),
				Sold:         rapid.Int64Range(0, 300).Draw(t, "sold"),
			}
		}
		only := rapid.SampledFrom([]string{"", "W-0"}).Draw(t, "only")
		var to func(string) bool
		if only != "" {
			to = func(w string) bool { return w == only }
		}
		plan := Plan("SKU", levels, window, to)

		avail := func(l Level) int64 { return int64(math.Max(0, float64(l.OnHand-l.Reserved))) }
		fortnight := func(l Level) int64 { return int64(math.Ceil(float64(l.Sold) * CoverDays / float64(window))) }
		cover := func(l Level) float64 {
			if l.Sold == 0 {
				return math.Inf(1)
			}
			return float64(avail(l)) / (float64(l.Sold) / float64(window))
		}
		byID := map[string]Level{}
		for _, l := range levels {
			byID[l.Warehouse] = l
		}
		need := map[string]int64{}
		for _, l := range levels {
			pos := avail(l) + l.InTransitIn
			if l.ReorderPoint == 0 || pos > l.ReorderPoint || (only != "" && l.Warehouse != only) {
				continue
			}
			target := l.ReorderPoint + fortnight(l)
			if l.MaxStock > 0 {
				target = l.MaxStock
			}
			need[l.Warehouse] = max(0, target-pos)
		}
		left := map[string]int64{}
		for _, l := range levels {
			left[l.Warehouse] = max(0, avail(l)-l.ReorderPoint-fortnight(l))
		}

		got := map[string]int64{}
		pairs := map[[2]string]bool{}
		lastCover := map[string]float64{}
		for _, s := range plan {
			if s.Quantity <= 0 || s.From == s.To || s.SKU != "SKU" || s.Reason != BelowReorderPoint {
				t.Fatalf("suggestion %+v", s)
			}
			if _, ok := need[s.To]; !ok {
				t.Fatalf("%+v: %s is not short (or not asked for)", s, s.To)
			}
			if pairs[[2]string{s.From, s.To}] {
				t.Fatalf("two suggestions from %s to %s", s.From, s.To)
			}
			pairs[[2]string{s.From, s.To}] = true
			c := cover(byID[s.From])
			if prev, ok := lastCover[s.To]; ok && c > prev {
				t.Fatalf("%s drew from %s (cover %v) after a source with less cover (%v)", s.To, s.From, c, prev)
			}
			lastCover[s.To] = c
			if fc := s.FromDaysOfCover; (fc == nil) != math.IsInf(c, 1) || (fc != nil && math.Abs(*fc-c) > 1e-9) {
				t.Fatalf("%+v: fromDaysOfCover, want %v", s, c)
			}
			left[s.From] -= s.Quantity
			if left[s.From] < 0 {
				t.Fatalf("%s gives more than keeps it at its reorder point plus %d days of sales", s.From, CoverDays)
			}
			got[s.To] += s.Quantity
			if got[s.To] > need[s.To] {
				t.Fatalf("%s receives %d, more than the %d it needs", s.To, got[s.To], need[s.To])
			}
		}
		for d, n := range need {
			if got[d] == n {
				continue
			}
			for w, l := range left {
				if w != d && l > 0 {
					t.Fatalf("%s is left %d short while %s could still spare %d", d, n-got[d], w, l)
				}
			}
		}
	})
}

// TestPlan: the worked example of a plan.
func TestPlan(t *testing.T) {
	levels := []Level{
		{Warehouse: "MAD-1", OnHand: 5, ReorderPoint: 10, MaxStock: 40, Sold: 60},   // short: 35 to its maximum
		{Warehouse: "BCN-1", OnHand: 100, ReorderPoint: 10, Sold: 30, Reserved: 20}, // 80 available, keeps 10+14
		{Warehouse: "VLC-1", OnHand: 15, ReorderPoint: 5},                           // never sold: cover first, keeps 5
	}
	got := Plan("A", levels, 30, nil)
	want := []Suggestion{
		{SKU: "A", From: "VLC-1", To: "MAD-1", Quantity: 10, Reason: BelowReorderPoint, ToDaysOfCover: ptr(2.5)},
		{SKU: "A", From: "BCN-1", To: "MAD-1", Quantity: 25, Reason: BelowReorderPoint, FromDaysOfCover: ptr(80), ToDaysOfCover: ptr(2.5)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan\n%+v\nwant\n%+v", got, want)
	}
}

func ptr(f float64) *float64 { return &f }

// TestExpiring: units that would expire where they are go to the
// fastest sellers that sell them in time, within their maximum, after
// what the plan already sends, in one suggestion per source and
// destination.
func TestExpiring(t *testing.T) {
	src := Level{Warehouse: "SRC", OnHand: 100, Sold: 30, Lots: []Lot{{DaysLeft: 10, Quantity: 100}}} // sells 10 by then: 90 at risk
	fast := Level{Warehouse: "FAST", OnHand: 0, Sold: 300}                                            // 10 a day: 100 in 10 days
	slow := Level{Warehouse: "SLOW", OnHand: 0, Sold: 60}                                             // 2 a day: 20
	never := Level{Warehouse: "NONE", OnHand: 0}
	exp := func(from, to string, q int64, fromCover, toCover float64) Suggestion {
		return Suggestion{SKU: "A", From: from, To: to, Quantity: q, Reason: ExpiringElsewhere, FromDaysOfCover: ptr(fromCover), ToDaysOfCover: ptr(toCover)}
	}
	for _, tt := range []struct {
		name   string
		levels []Level
		to     func(string) bool
		want   []Suggestion
	}{
		{"to the fastest seller", []Level{src, slow, fast, never}, nil, []Suggestion{exp("SRC", "FAST", 90, 100, 0)}},
		{"only to those asked for", []Level{src, slow, fast}, func(w string) bool { return w == "SLOW" }, []Suggestion{exp("SRC", "SLOW", 20, 100, 0)}},
		{"within the maximum, then the next seller", []Level{src, slow, func() Level { l := fast; l.MaxStock, l.OnHand = 50, 20; return l }()}, nil,
			[]Suggestion{exp("SRC", "FAST", 30, 100, 2), exp("SRC", "SLOW", 20, 100, 0)}},
		{"after the destination's own units that expire first",
			[]Level{src, func() Level { l := fast; l.OnHand, l.Lots = 60, []Lot{{DaysLeft: 8, Quantity: 60}}; return l }()}, nil,
			[]Suggestion{exp("SRC", "FAST", 40, 100, 6)}},
		{"reserved units leave first", []Level{func() Level { l := src; l.Reserved = 50; return l }(), fast}, nil,
			[]Suggestion{exp("SRC", "FAST", 40, 50, 0)}},
		{"a lot expiring tomorrow goes nowhere", []Level{func() Level { l := src; l.Lots = []Lot{{DaysLeft: 1, Quantity: 100}}; return l }(), fast}, nil, nil},
		{"nothing at risk", []Level{func() Level { l := src; l.Sold = 300; return l }(), fast}, nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := Plan("A", tt.levels, 30, tt.to); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("plan\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
	// A short warehouse's transfer leaves the source first, taking the
	// first lots to expire (FEFO): less is left at risk.
	short := Level{Warehouse: "SHORT", OnHand: 0, ReorderPoint: 10, MaxStock: 30, Sold: 30}
	got := Plan("A", []Level{src, short, fast}, 30, nil)
	want := []Suggestion{{SKU: "A", From: "SRC", To: "SHORT", Quantity: 30, Reason: BelowReorderPoint, FromDaysOfCover: ptr(100), ToDaysOfCover: ptr(0)},
		exp("SRC", "FAST", 60, 100, 0)}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("plan with a short warehouse\n%+v\nwant\n%+v", got, want)
	}
}

// TestExpiringModel checks random plans with lots against a day by day
// simulation of each source's sales (FEFO, after what leaves it): no
// source sends more than would expire there, no lot expiring within a
// day moves, no destination gets expiring units it does not sell in time
// or above its maximum, and none goes to a warehouse that sells nothing.
func TestExpiringModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		window := rapid.IntRange(1, 40).Draw(t, "window")
		n := rapid.IntRange(2, 5).Draw(t, "warehouses")
		levels := make([]Level, n)
		for i := range levels {
			l := Level{Warehouse: fmt.Sprintf("W-%d", i), Sold: rapid.Int64Range(0, 200).Draw(t, "sold"),
				ReorderPoint: rapid.Int64Range(0, 30).Draw(t, "reorderPoint"), MaxStock: rapid.Int64Range(0, 300).Draw(t, "maxStock")}
			for range rapid.IntRange(0, 3).Draw(t, "lots") {
				lot := Lot{DaysLeft: rapid.IntRange(0, window).Draw(t, "daysLeft"), Quantity: rapid.Int64Range(1, 150).Draw(t, "quantity")}
				l.Lots = append(l.Lots, lot)
				l.OnHand += lot.Quantity
			}
			l.OnHand += rapid.Int64Range(0, 50).Draw(t, "unlotted")
			l.Reserved = rapid.Int64Range(0, l.OnHand).Draw(t, "reserved")
			levels[i] = l
		}
		plan := Plan("SKU", levels, window, nil)
		leaving, sent, expiring := map[string]int64{}, map[string]int64{}, map[string]int64{}
		for _, s := range plan {
			if s.Reason == BelowReorderPoint {
				leaving[s.From] += s.Quantity
			}
		}
		for _, s := range plan {
			sent[s.To] += s.Quantity
			if s.Reason == ExpiringElsewhere {
				expiring[s.From] += s.Quantity
			}
		}
		for _, l := range levels {
			// The simulation: the units that leave take the first lots to
			// expire; each day's sales (the window's average, whole
			// units) take the first of those still good.
			lots := slices.Clone(l.Lots)
			slices.SortStableFunc(lots, func(a, b Lot) int { return a.DaysLeft - b.DaysLeft })
			gone := l.Reserved + leaving[l.Warehouse]
			for i := range lots {
				take := min(gone, lots[i].Quantity)
				lots[i].Quantity -= take
				gone -= take
			}
			for day := 1; day <= window; day++ {
				sells := l.Sold*int64(day)/int64(window) - l.Sold*int64(day-1)/int64(window)
				for i := range lots {
					if lots[i].DaysLeft >= day && sells > 0 {
						take := min(sells, lots[i].Quantity)
						lots[i].Quantity -= take
						sells -= take
					}
				}
			}
			var risk, moved int64
			for _, lot := range lots {
				if lot.DaysLeft >= 2 {
					risk += lot.Quantity
				}
			}
			moved = expiring[l.Warehouse]
			if moved > risk {
				t.Fatalf("%s sends %d expiring units, only %d would expire there", l.Warehouse, moved, risk)
			}
		}
		got := map[string]int64{}
		for _, s := range plan {
			if s.Reason != ExpiringElsewhere {
				continue
			}
			d := levels[slices.IndexFunc(levels, func(l Level) bool { return l.Warehouse == s.To })]
			if d.Sold == 0 || s.From == s.To || s.Quantity <= 0 {
				t.Fatalf("%+v: to a warehouse that sells nothing, or itself", s)
			}
			got[s.To] += s.Quantity
			if got[s.To] > d.Sold*int64(window)/int64(window) {
				t.Fatalf("%s receives %d expiring units, more than it sells in the window", s.To, got[s.To])
			}
			if d.MaxStock > 0 && sent[s.To] > max(0, d.MaxStock-(max(0, d.OnHand-d.Reserved)+d.InTransitIn)) {
				t.Fatalf("%s receives %d in all, above its maximum %d", s.To, sent[s.To], d.MaxStock)
			}
		}
	})
}
