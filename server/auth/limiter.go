package auth

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Limits of a Limiter.
const (
	// FailureBurst is how many failed authentications an address may make
	// at once before it is slowed down.
	FailureBurst = 50
	// FailureEvery is how often an address that was slowed down earns
	// one more try: 10 a second.
	FailureEvery = 100 * time.Millisecond
	// MaxDelay is the longest a failure's answer is held.
	MaxDelay = time.Second
	// MaxHeld bounds the failures held at once, of every address
	// together; past it a failure is refused at once (ErrThrottled), so a
	// flood over many connections holds bounded memory.
	MaxHeld = 1024
	// MaxAddresses bounds the addresses a Limiter tracks; beyond it, it
	// forgets those that have recovered their whole burst, then any.
	MaxAddresses = 10_000
)

// ErrThrottled reports a failure refused at once because the node already
// holds MaxHeld failures; the API layers answer it like an unknown token,
// over HTTP with 429 Too Many Requests.
var ErrThrottled = errors.New("auth: too many failed authentications")

// Limiter slows down repeated failed authentication from one address, as a
// token bucket per address: an address starts with FailureBurst tries, each
// failure takes one, and one comes back every FailureEvery. Past its
// tries, an address's failures are answered only after a wait that grows by
// FailureEvery with each failure waiting, up to MaxDelay, so a client that
// waits for its answers (as HTTP clients do, one request per connection at
// a time) fails at most once per FailureEvery, or once per MaxDelay per
// connection. At most MaxHeld failures are held at once (Hold). Valid
// tokens never go through it: a writer sharing an address (a NAT, the
// loopback) with a flood of bad tokens is not slowed. It bounds what
// failing costs the node; guessing is hopeless anyway (tokens carry 256
// random bits). It is safe for concurrent use.
type Limiter struct {
	mu       sync.Mutex
	now      func() time.Time
	burst    float64
	every    time.Duration
	maxDelay time.Duration
	max      int
	addrs    map[string]*bucket
	held     chan struct{} // a slot per failure held
}

// bucket is an address's tries at a time; below zero, failures already
// waiting for their answer.
type bucket struct {
	tries float64
	at    time.Time
}

// NewLimiter returns a Limiter with the package's limits.
func NewLimiter() *Limiter {
	return &Limiter{now: time.Now, burst: FailureBurst, every: FailureEvery, maxDelay: MaxDelay,
		max: MaxAddresses, addrs: map[string]*bucket{}, held: make(chan struct{}, MaxHeld)}
}

// NewLimiterOf returns a Limiter that gives each address burst tries and
// one more every every, and holds an answer at most maxDelay; its other
// limits are the package's. Join attempts use one with a smaller budget.
func NewLimiterOf(burst int, every, maxDelay time.Duration) *Limiter {
	l := NewLimiter()
	l.burst, l.every, l.maxDelay = float64(burst), every, maxDelay
	return l
}

// Fail records a failed authentication from addr and returns how long to
// hold its answer: 0 within the address's tries, else up to MaxDelay.
func (l *Limiter) Fail(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.addrs[addr]
	if !ok {
		l.makeRoom()
		b = &bucket{tries: l.burst, at: l.now()}
		l.addrs[addr] = b
	}
	l.refill(b)
	limit := -float64(l.maxDelay) / float64(l.every) // the debt an address may run up
	b.tries = max(b.tries-1, limit)
	if b.tries >= 0 {
		return 0
	}
	return min(time.Duration(-b.tries*float64(l.every)), l.maxDelay)
}

// Failing reports whether addr (a host) has run out of its tries: its
// failures are being answered late. The HTTPS listener admits fewer new
// connections from such an address (each costs a TLS handshake).
func (l *Limiter) Failing(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.addrs[addr]
	if !ok {
		return false
	}
	l.refill(b)
	return b.tries < 0
}

// Hold takes a slot to hold a failure's answer, and reports false when
// MaxHeld are held already. release gives the slot back.
func (l *Limiter) Hold() (release func(), ok bool) {
	select {
	case l.held <- struct{}{}:
		return func() { <-l.held }, true
	default:
		return nil, false
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

// Outcome is what Delay did with a failure.
type Outcome int

// The outcomes of Delay.
const (
	// Refused: within the address's tries, the failure is answered at once.
	Refused Outcome = iota
	// Delayed: the caller was held for the address's wait.
	Delayed
	// Throttled: MaxHeld failures were held already, so the caller was
	// not; answer at once (ErrThrottled, 429).
	Throttled
)

// Delay counts a failure of the address of remoteAddr (host:port, or a
// host) and holds the caller for the wait Fail gives it, or until ctx is
// done: the one way every API slows down an address that fails too
// often. It returns the wait and what it did.
func (l *Limiter) Delay(ctx context.Context, remoteAddr string) (time.Duration, Outcome) {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	wait := l.Fail(host)
	if wait == 0 {
		return 0, Refused
	}
	release, ok := l.Hold()
	if !ok {
		return wait, Throttled
	}
	defer release()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
	return wait, Delayed
}
