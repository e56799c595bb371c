package remote

import (
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
)

// Retry is a backoff policy: up to Attempts tries, waiting Base, 2×Base, …
// (at most Max, each up to 20% shorter at random) between them.
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultRetry returns the policy of a zero Retry: four tries within about
// three seconds.
func DefaultRetry() Retry {
	return Retry{Attempts: 4, Base: 300 * time.Millisecond, Max: 2 * time.Second}
}

// orDefault fills unset fields from def.
func (r Retry) orDefault() Retry {
	def := DefaultRetry()
	if r.Attempts <= 0 {
		r.Attempts = def.Attempts
	}
	if r.Base <= 0 {
		r.Base = def.Base
	}
	if r.Max <= 0 {
		r.Max = def.Max
	}
	return r
}

// backoff returns the waits between r's tries: Base, doubling up to Max,
// each up to 20% shorter at random.
func (r Retry) backoff() backoff.Backoff {
	return backoff.Backoff{First: r.Base, Max: r.Max, Jitter: 0.2}
}
