package console

import "testing"

// TestParseExpiry: the durations reserve --expires takes.
func TestParseExpiry(t *testing.T) {
	cases := []struct {
		in   string
		secs int64
		ok   bool
	}{
		{"2h", 7200, true}, {"90m", 5400, true}, {"1d", 86400, true}, {"45s", 45, true},
		{"0s", 0, false}, {"500ms", 0, false}, {"-1h", 0, false}, {"0d", 0, false}, {"soon", 0, false}, {"", 0, false},
	}
	for _, c := range cases {
		d, ok := parseExpiry(c.in)
		if ok != c.ok || (ok && int64(d.Seconds()) != c.secs) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %ds, %v", c.in, d, ok, c.secs, c.ok)
		}
	}
}
