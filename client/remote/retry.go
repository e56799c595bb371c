package remote

import (
	"math/rand/v2"
	"time"
)

// Retry is a backoff policy: up to Attempts tries, waiting Base, 2×Base, …
// (at most Max, with up to 20% jitter) between them.
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

// delay returns the wait before attempt n (n ≥ 1).
func (r Retry) delay(n int) time.Duration {
	d := r.Base
	for i := 1; i < n && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}
