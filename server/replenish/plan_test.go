package replenish

import (
	"fmt"
	"math"
	"reflect"
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
