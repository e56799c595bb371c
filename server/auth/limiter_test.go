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

// TestLimiter: an address fails FailureBurst times at once, then each
// failure's answer waits one FailureEvery longer, up to MaxDelay; other
// addresses are unaffected, and tries come back with time.
func TestLimiter(t *testing.T) {
	l, clk := newTestLimiter()
	for i := range FailureBurst {
		if d := l.Fail("a"); d != 0 {
			t.Fatalf("failure %d within the burst waits %v", i, d)
		}
	}
	for i := 1; i <= 20; i++ {
		want := min(time.Duration(i)*FailureEvery, MaxDelay)
		if d := l.Fail("a"); d != want {
			t.Fatalf("failure %d past the burst waits %v, want %v", i, d, want)
		}
	}
	if d := l.Fail("b"); d != 0 {
		t.Fatalf("another address waits %v", d)
	}
	clk.advance(MaxDelay) // the debt is bounded: waiting MaxDelay pays it
	if d := l.Fail("a"); d != FailureEvery {
		t.Fatalf("after MaxDelay: wait %v, want %v", d, FailureEvery)
	}
	clk.advance(FailureBurst*FailureEvery + MaxDelay)
	if d := l.Fail("a"); d != 0 {
		t.Fatalf("after recovering: wait %v", d)
	}
}

// TestLimiterHold: at most MaxHeld failures are held at once; a released
// slot is taken again.
func TestLimiterHold(t *testing.T) {
	l, _ := newTestLimiter()
	var releases []func()
	for range MaxHeld {
		r, ok := l.Hold()
		if !ok {
			t.Fatalf("refused after %d holds", len(releases))
		}
		releases = append(releases, r)
	}
	if _, ok := l.Hold(); ok {
		t.Fatal("held more than MaxHeld")
	}
	releases[0]()
	if _, ok := l.Hold(); !ok {
		t.Fatal("a released slot was not taken again")
	}
}

// TestLimiterBounded: a flood from many addresses keeps at most the
// limit's buckets.
func TestLimiterBounded(t *testing.T) {
	l, _ := newTestLimiter()
	l.max = 100
	for i := range 1000 {
		l.Fail(string(rune('A'+i%26)) + string(rune(i)))
	}
	if n := len(l.addrs); n > l.max {
		t.Fatalf("%d addresses tracked, limit %d", n, l.max)
	}
}

// TestDelay: within its tries an address's failure is refused at once;
// past them its caller is held for the wait; with MaxHeld callers held, it
// is throttled at once.
func TestDelay(t *testing.T) {
	l := NewLimiterOf(1, time.Hour, 30*time.Millisecond)
	ctx := t.Context()
	if wait, out := l.Delay(ctx, "10.0.0.1:5555"); out != Refused || wait != 0 {
		t.Fatalf("first failure: %v %v, want refused at once", wait, out)
	}
	start := time.Now()
	if wait, out := l.Delay(ctx, "10.0.0.1:6666"); out != Delayed || wait == 0 || time.Since(start) < wait {
		t.Fatalf("second failure of the address: %v %v after %v, want held for the wait", wait, out, time.Since(start))
	}
	var releases []func()
	for range MaxHeld {
		release, ok := l.Hold()
		if !ok {
			t.Fatal("could not hold MaxHeld failures")
		}
		releases = append(releases, release)
	}
	if _, out := l.Delay(ctx, "10.0.0.1"); out != Throttled {
		t.Errorf("with MaxHeld held: %v, want throttled", out)
	}
	for _, r := range releases {
		r()
	}
}
