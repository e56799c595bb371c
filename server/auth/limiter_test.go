package auth

import (
	"testing"
	"time"
)

func newTestLimiter() (*Limiter, *clock) {
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	l := NewLimiter()
	l.now = clk.now
	return l, clk
}

// TestLimiter: an address fails FailureBurst times at once, then waits a
// growing while for each try, and is refused once that wait would pass
// MaxDelay; successes cost nothing, other addresses are unaffected, and
// tries come back with time.
func TestLimiter(t *testing.T) {
	l, clk := newTestLimiter()
	for i := range FailureBurst {
		if d, ok := l.Reserve("a"); !ok || d != 0 {
			t.Fatalf("failure %d within the burst: wait %v, ok %v", i, d, ok)
		}
	}
	d, ok := l.Reserve("a")
	if !ok || d != FailureEvery {
		t.Fatalf("first try past the burst: wait %v, ok %v, want %v", d, ok, FailureEvery)
	}
	queued := 1
	for ; ; queued++ {
		d, ok := l.Reserve("a")
		if !ok {
			break
		}
		if d > MaxDelay {
			t.Fatalf("a wait of %v passes MaxDelay", d)
		}
	}
	if want := int(MaxDelay / FailureEvery); queued != want {
		t.Fatalf("%d attempts queued, want %d", queued, want)
	}
	if d, ok := l.Reserve("b"); !ok || d != 0 {
		t.Fatalf("another address: wait %v, ok %v", d, ok)
	}
	clk.advance(MaxDelay + FailureBurst*FailureEvery)
	if d, ok := l.Reserve("a"); !ok || d != 0 {
		t.Fatalf("after recovering: wait %v, ok %v", d, ok)
	}
	l.Refund("a")
	for range FailureBurst * 3 { // successes give their try back
		if _, ok := l.Reserve("c"); !ok {
			t.Fatal("successes were throttled")
		}
		l.Refund("c")
	}
}

// TestLimiterBounded: a flood from many addresses keeps at most
// MaxAddresses buckets.
func TestLimiterBounded(t *testing.T) {
	l, _ := newTestLimiter()
	l.max = 100
	for i := range 1000 {
		l.Reserve(string(rune('A'+i%26)) + string(rune(i)))
	}
	if n := len(l.addrs); n > l.max {
		t.Fatalf("%d addresses tracked, limit %d", n, l.max)
	}
}
