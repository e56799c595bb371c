package stock

import (
	"testing"
	"time"
)

// TestToday: today is the calendar day in the warehouse's zone, the
// process's when none is given.
func TestToday(t *testing.T) {
	at := time.Date(2030, 1, 1, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		zone *time.Location
		want Date
	}{
		{time.FixedZone("UTC-11", -11*3600), "2029-12-31"},
		{time.FixedZone("UTC+14", 14*3600), "2030-01-01"},
		{time.UTC, "2030-01-01"},
		{nil, DateOf(at.In(time.Local))},
	} {
		if got := Today(c.zone, at); got != c.want {
			t.Errorf("Today(%v, %v) = %s, want %s", c.zone, at, got, c.want)
		}
	}
}
