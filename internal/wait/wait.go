// Package wait holds the one way the project pauses: for a while, unless
// the caller's context ends first. A loop that waits on several events at
// once (a timer beside its channels in one select) keeps its own timer;
// a pause, waiting on nothing but time and the context, calls For.
package wait

import (
	"context"
	"time"
)

// For waits d, or returns ctx's error as soon as ctx ends.
func For(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Closed reports whether ch is closed, without waiting.
func Closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
