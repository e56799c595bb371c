package node

import (
	"net"
	"sync"
	"time"
)

// DefaultMaxConnsPerAddress is how many HTTPS connections one remote
// address may hold open at once (Config.MaxConnsPerAddress).
const DefaultMaxConnsPerAddress = 256

// Connections refused for their address's limit are held open, unread,
// for refusedHold before they are closed, at most maxRefusedHeld at once
// (beyond, closed at once): a client that reconnects as soon as it is
// refused would otherwise make the node accept and close thousands a
// second.
const (
	refusedHold    = time.Second
	maxRefusedHeld = 1024
)

// An address that is failing too often (its bad tokens or bad joins are
// answered late) may open failingHandshakes new connections a second
// (failingHandshakes at once): the others are refused before their TLS
// handshake, the dearest thing a new connection costs the node. Addresses
// that do not fail are never limited by it.
const (
	failingHandshakes = 10
	maxHandshakeHosts = 10_000 // failing addresses tracked; beyond, forgotten
)

// perAddress is a listener that closes, as soon as it accepts it, a
// connection from an address that holds max open already: before its TLS
// handshake, so a flood of connections from one address costs the node an
// accept and a close each, and what one address can make the node do at
// once is bounded (refusals held by auth.Limiter, for instance, keep its
// connections busy, so it cannot send thousands of requests a second).
type perAddress struct {
	net.Listener
	max     int
	failing func(host string) bool // nil: no address is
	refused func(reason string)    // counts a refusal: "open" or "handshakes"; nil: none
	now     func() time.Time
	hold    time.Duration // refusedHold
	held    chan struct{} // a token per refused connection held

	mu         sync.Mutex
	open       map[string]int
	handshakes map[string]*handshakes // of failing addresses
}

// handshakes is a failing address's new connections left, at a time.
type handshakes struct {
	left float64
	at   time.Time
}

// limitPerAddress returns ln with at most max connections open per remote
// address, and failingHandshakes new ones a second from an address failing
// reports (nil: none), calling refused (when not nil) with the reason of
// each refusal; max <= 0 returns ln as it is.
func limitPerAddress(ln net.Listener, max int, failing func(host string) bool, refused func(reason string)) net.Listener {
	if max <= 0 {
		return ln
	}
	return &perAddress{Listener: ln, max: max, failing: failing, refused: refused, now: time.Now, hold: refusedHold, open: map[string]int{},
		handshakes: map[string]*handshakes{}, held: make(chan struct{}, maxRefusedHeld)}
}

// Accept returns the next connection from an address under its limit.
func (l *perAddress) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		host := hostOf(c.RemoteAddr())
		failing := l.failing != nil && l.failing(host)
		l.mu.Lock()
		reason := ""
		switch {
		case l.open[host] >= l.max:
			reason = "open"
		case failing && !l.handshake(host):
			reason = "handshakes"
		default:
			l.open[host]++
		}
		l.mu.Unlock()
		if reason != "" {
			if l.refused != nil {
				l.refused(reason)
			}
			l.refuse(c)
			continue
		}
		return &countedConn{Conn: c, done: func() { l.release(host) }}, nil
	}
}

// handshake takes one of the new connections failing host may open now,
// and reports false when none is left. l.mu is held.
func (l *perAddress) handshake(host string) bool {
	now := l.now()
	h, ok := l.handshakes[host]
	if !ok {
		if len(l.handshakes) >= maxHandshakeHosts {
			clear(l.handshakes)
		}
		h = &handshakes{left: failingHandshakes, at: now}
		l.handshakes[host] = h
	}
	h.left = min(failingHandshakes, h.left+now.Sub(h.at).Seconds()*failingHandshakes)
	h.at = now
	if h.left < 1 {
		return false
	}
	h.left--
	return true
}

// release forgets one connection of host.
func (l *perAddress) release(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[host]--; l.open[host] <= 0 {
		delete(l.open, host)
	}
}

// hostOf returns the IP of addr, or addr as a string.
func hostOf(addr net.Addr) string {
	if a, ok := addr.(*net.TCPAddr); ok {
		return a.IP.String()
	}
	return addr.String()
}

// countedConn calls done once, when it is first closed.
type countedConn struct {
	net.Conn
	once sync.Once
	done func()
}

// Close closes the connection and releases its place.
func (c *countedConn) Close() error {
	c.once.Do(c.done)
	return c.Conn.Close()
}

// refuse closes c, after l.hold when fewer than maxRefusedHeld
// refused connections are held already.
func (l *perAddress) refuse(c net.Conn) {
	select {
	case l.held <- struct{}{}:
		time.AfterFunc(l.hold, func() {
			c.Close()
			<-l.held
		})
	default:
		c.Close()
	}
}
