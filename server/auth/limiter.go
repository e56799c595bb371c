package auth

import (
	"errors"
	"sync"
	"time"
)

// Limits of a Limiter.
const (
	// FailureBurst is how many failed authentications an address may make
	// at once before it is slowed down.
	FailureBurst = 10
	// FailureEvery is how often an address slowed down earns one more try.
	FailureEvery = time.Second
	// MaxAddresses bounds the addresses a Limiter tracks; beyond it, it
	// forgets those that have recovered their whole burst, then any.
	MaxAddresses = 10_000
)

// ErrThrottled reports an address refused because it failed to
// authenticate too often; the API layers answer it like an unknown token,
// over HTTP with 429 Too Many Requests.
var ErrThrottled = errors.New("auth: too many failed authentications")

// Limiter slows down repeated failed authentication from one address: each
// address has a bucket of FailureBurst tries, a failure takes one, and one
// comes back every FailureEvery. While an address's bucket is empty its
// requests are refused before their token is looked at, so a token cannot
// be guessed faster than one try per FailureEvery. It is safe for
// concurrent use.
type Limiter struct {
	mu    sync.Mutex
	now   func() time.Time
	burst float64
	every time.Duration
	max   int
	addrs map[string]*bucket
}

// bucket is an address's tries left at a time.
type bucket struct {
	tries float64
	at    time.Time
}

// NewLimiter returns a Limiter with the package's limits.
func NewLimiter() *Limiter {
	return &Limiter{now: time.Now, burst: FailureBurst, every: FailureEvery, max: MaxAddresses, addrs: map[string]*bucket{}}
}

// Allow reports whether addr may try to authenticate now; if not, it also
// returns how long until it may.
func (l *Limiter) Allow(addr string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.addrs[addr]
	if !ok {
		return true, 0
	}
	l.refill(b)
	if b.tries >= 1 {
		return true, 0
	}
	return false, time.Duration((1 - b.tries) * float64(l.every))
}

// Fail records a failed authentication from addr.
func (l *Limiter) Fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.addrs[addr]
	if !ok {
		l.makeRoom()
		b = &bucket{tries: l.burst, at: l.now()}
		l.addrs[addr] = b
	}
	l.refill(b)
	b.tries = max(b.tries-1, 0)
}

func (l *Limiter) refill(b *bucket) {
	now := l.now()
	b.tries = min(l.burst, b.tries+float64(now.Sub(b.at))/float64(l.every))
	b.at = now
}

// makeRoom drops recovered addresses, then arbitrary ones, when the map is
// full.
func (l *Limiter) makeRoom() {
	if len(l.addrs) < l.max {
		return
	}
	for a, b := range l.addrs {
		if l.refill(b); b.tries >= l.burst {
			delete(l.addrs, a)
		}
	}
	for a := range l.addrs {
		if len(l.addrs) < l.max*3/4 {
			break
		}
		delete(l.addrs, a)
	}
}
