package stock

import (
	"testing"
	"time"
)

func TestCrossing(t *testing.T) {
	cases := []struct {
		name                 string
		before, after, point int64
		fires, low           bool
	}{
		{"falls to the point", 5, 4, 4, true, true},
		{"falls below", 9, 0, 4, true, true},
		{"stays below", 3, 2, 4, false, false},
		{"stays above", 9, 5, 4, false, false},
		{"recovers", 4, 5, 4, true, false},
		{"a merged dip and recovery", 9, 9, 4, false, false},
		{"no reorder point", 1, 0, 0, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok := Crossing("W", "S", c.before, c.after, c.point, time.Time{})
			if ok != c.fires || (ok && (a.Low != c.low || a.Quantity != c.after || a.ReorderPoint != c.point)) {
				t.Errorf("Crossing(%d → %d, point %d) = %+v, %v", c.before, c.after, c.point, a, ok)
			}
		})
	}
}

func TestPointCrossing(t *testing.T) {
	cases := []struct {
		name                    string
		quantity, before, after int64
		fires, low              bool
	}{
		{"raised to the stock", 4, 2, 4, true, true},
		{"raised above the stock", 4, 0, 9, true, true},
		{"lowered below the stock", 4, 6, 3, true, false},
		{"set to 0 on a low product", 1, 5, 0, true, false},
		{"stays above", 9, 2, 4, false, false},
		{"stays at or below", 2, 4, 3, false, true},
		{"0 to 0", 0, 0, 0, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, ok := PointCrossing("W", "S", c.quantity, c.before, c.after, time.Time{})
			if ok != c.fires || a.Low != c.low || a.Quantity != c.quantity || a.ReorderPoint != c.after {
				t.Errorf("PointCrossing(%d, point %d → %d) = %+v, %v", c.quantity, c.before, c.after, a, ok)
			}
		})
	}
}
