package backoff

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

// TestDelays: the delays double from First up to Max and start again
// after Reset; with jitter each stays within its share below the delay.
func TestDelays(t *testing.T) {
	tests := []struct {
		name   string
		jitter float64
	}{{"exact", 0}, {"with jitter", 0.2}}
	want := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := Backoff{First: 100, Max: 1000, Jitter: tt.jitter}
			for round := range 2 {
				for i, w := range want {
					d := b.Next()
					if lo := w - time.Duration(tt.jitter*float64(w)); d > w || d < lo {
						t.Fatalf("round %d, delay %d = %v, want %v to %v", round, i, d, lo, w)
					}
				}
				b.Reset()
			}
		})
	}
}

// TestWait: Wait pauses the delay on the clock (a synctest bubble's fake
// one) and ends at once with ctx's error when ctx ends.
func TestWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := Backoff{First: 100 * time.Millisecond, Max: time.Second}
		start := time.Now()
		for range 3 {
			if err := b.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got != 700*time.Millisecond {
			t.Errorf("three waits took %v, want 700ms", got)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		if err := b.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Wait past its context = %v", err)
		}
	})
}
