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
	FailureBurst = 50
	// FailureEvery is how often an address that was slowed down earns
	// one more try: at most 5 failures a second, each way.
	FailureEvery = 200 * time.Millisecond
	// MaxDelay is the longest an address's request is held waiting for a
	// try; one that would wait longer is refused at once (ErrThrottled).
	MaxDelay = 2 * time.Second
	// MaxAddresses bounds the addresses a Limiter tracks; beyond it, it
	// forgets those that have recovered their whole burst, then any.
	MaxAddresses = 10_000
)

// ErrThrottled reports an address refused because it failed to
// authenticate too often; the API layers answer it like an unknown token,
// over HTTP with 429 Too Many Requests.
var ErrThrottled = errors.New("auth: too many failed authentications")

// Limiter slows down repeated failed authentication from one address, as a
// token bucket per address: each attempt takes a try (Reserve) and a
// successful one gives it back (Refund), so only failures cost. An address
// starts with FailureBurst tries and earns one back every FailureEvery.
// Once its tries run out, its requests wait for the next one (at most
// MaxDelay, else they are refused), so a token cannot be guessed faster
// than one try per FailureEvery from an address, and valid tokens from it
// still work, only later. It is safe for concurrent use.
type Limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	burst    float64
	every    time.Duration
	maxDelay time.Duration
	max      int
	addrs    map[string]*bucket
}

// bucket is an address's tries at a time; below zero, tries already
// promised to waiting requests.
type bucket struct {
	tries float64
	at    time.Time
}

// NewLimiter returns a Limiter with the package's limits.
func NewLimiter() *Limiter {
	return &Limiter{now: time.Now, burst: FailureBurst, every: FailureEvery, maxDelay: MaxDelay,
		max: MaxAddresses, addrs: map[string]*bucket{}}
}

// Reserve takes a try for an attempt from addr and returns how long the
// attempt must wait for it (0 when a try is at hand). It reports false,
// taking nothing, when the wait would exceed MaxDelay.
func (l *Limiter) Reserve(addr string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.addrs[addr]
	if !ok {
		l.makeRoom()
		b = &bucket{tries: l.burst, at: l.now()}
		l.addrs[addr] = b
	}
	l.refill(b)
	if b.tries >= 1 {
		b.tries--
		return 0, true
	}
	wait := time.Duration((1 - b.tries) * float64(l.every))
	if wait > l.maxDelay {
		return 0, false
	}
	b.tries--
	return wait, true
}

// Refund gives back the try of an attempt from addr that succeeded.
func (l *Limiter) Refund(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.addrs[addr]; ok {
		l.refill(b)
		b.tries = min(l.burst, b.tries+1)
	}
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
