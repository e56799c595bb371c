// Package backoff is the one way the project waits between retries: a
// delay that doubles from a first one up to a cap, with jitter so that
// nodes retrying the same thing spread out, paused through an injectable
// Sleep (internal/wait by default). Tailscale's util/backoff is the model.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
)

// Backoff paces the retries of one loop. Its zero value with First and
// Max set is ready; it is not safe for concurrent use.
type Backoff struct {
	// First is the first delay; each later one doubles, up to Max.
	First, Max time.Duration
	// Jitter is the share of each delay, 0 to 1, taken off at random
	// (0.2: each wait is 80% to 100% of its delay).
	Jitter float64
	// Sleep pauses for d unless ctx ends first (then returning its
	// error); nil is wait.For.
	Sleep func(ctx context.Context, d time.Duration) error

	next time.Duration // the next delay; 0: First
}

// Next returns how long the next wait lasts, jitter included, and moves
// on: for a loop that waits in a select of its own.
func (b *Backoff) Next() time.Duration {
	d := b.next
	if d <= 0 {
		d = b.First
	}
	b.next = min(2*d, b.Max)
	if b.Jitter > 0 {
		d -= time.Duration(b.Jitter * rand.Float64() * float64(d))
	}
	return d
}

// Wait waits the next delay (see Next), or returns ctx's error as soon as
// ctx ends.
func (b *Backoff) Wait(ctx context.Context) error {
	sleep := b.Sleep
	if sleep == nil {
		sleep = wait.For
	}
	return sleep(ctx, b.Next())
}

// Reset makes the next delay First again: call it after a success.
func (b *Backoff) Reset() { b.next = 0 }
