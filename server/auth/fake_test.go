package auth

import (
	"context"
	"crypto/sha256"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeStore is a Store test double over a map of hashes; it counts lookups.
// With a gate set, lookups block until the gate closes or ctx ends.
type fakeStore struct {
	calls atomic.Int64
	gate  chan struct{}

	mu     sync.Mutex
	tokens map[string]Principal
	err    error // when set, every lookup fails with it
}

var _ Store = (*fakeStore)(nil)

func newFakeStore() *fakeStore { return &fakeStore{tokens: make(map[string]Principal)} }

func (s *fakeStore) LookupToken(ctx context.Context, hash string) (Principal, error) {
	s.calls.Add(1)
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return Principal{}, ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return Principal{}, s.err
	}
	p, ok := s.tokens[hash]
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}

// add issues a token for p and returns it.
func (s *fakeStore) add(t testing.TB, p Principal) string {
	t.Helper()
	tok, hash, err := NewToken()
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.tokens[hash] = p
	s.mu.Unlock()
	return tok
}

func (s *fakeStore) revoke(token string) {
	s.mu.Lock()
	delete(s.tokens, Hash(token))
	s.mu.Unlock()
}

func (s *fakeStore) fail(err error) {
	s.mu.Lock()
	s.err = err
	s.mu.Unlock()
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newTestAuthenticator returns an Authenticator over s with a fake clock.
func newTestAuthenticator(s Store) (*Authenticator, *clock) {
	clk := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	a := NewAuthenticator(s)
	a.now = clk.now
	return a, clk
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// waiters returns how many callers share the lookup under way for token.
func waiters(a *Authenticator, token string) int {
	a.cache.mu.RLock()
	defer a.cache.mu.RUnlock()
	c, ok := a.cache.inflight[digest(sha256Sum(token))]
	if !ok {
		return -1
	}
	return c.waiters
}

func sha256Sum(token string) [sha256.Size]byte { return sha256.Sum256([]byte(token)) }
