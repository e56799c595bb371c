package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestAuthenticate(t *testing.T) {
	store := newFakeStore()
	alice := Principal{Name: "alice", Role: RoleOperator}
	tok := store.add(t, alice)
	unknown, _, _ := NewToken()
	tests := []struct {
		name      string
		header    string
		want      Principal
		wantErr   error
		wantCalls int64 // Store lookups this case causes on a fresh Authenticator
	}{
		{name: "missing header", header: "", wantErr: ErrUnauthenticated},
		{name: "wrong scheme", header: "Basic " + tok, wantErr: ErrUnauthenticated},
		{name: "scheme only", header: "Bearer", wantErr: ErrUnauthenticated},
		{name: "empty token", header: "Bearer   ", wantErr: ErrUnauthenticated},
		{name: "no prefix", header: "Bearer " + strings.TrimPrefix(tok, TokenPrefix), wantErr: ErrUnauthenticated},
		{name: "too short", header: "Bearer " + tok[:len(tok)-1], wantErr: ErrUnauthenticated},
		{name: "bad character", header: "Bearer " + tok[:len(tok)-1] + "=", wantErr: ErrUnauthenticated},
		{name: "hash instead of token", header: "Bearer " + Hash(tok), wantErr: ErrUnauthenticated},
		{name: "unknown token", header: "Bearer " + unknown, wantErr: ErrUnauthenticated, wantCalls: 1},
		{name: "known token", header: "Bearer " + tok, want: alice, wantCalls: 1},
		{name: "scheme case-insensitive", header: "bEARER " + tok, want: alice, wantCalls: 1},
		{name: "extra spaces", header: "Bearer   " + tok + " ", want: alice, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := store.calls.Load()
			a, _ := newTestAuthenticator(store)
			got, err := a.Authenticate(context.Background(), tt.header)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("principal = %+v, want %+v", got, tt.want)
			}
			if calls := store.calls.Load() - before; calls != tt.wantCalls {
				t.Errorf("Store lookups = %d, want %d", calls, tt.wantCalls)
			}
			if err != nil && strings.Contains(err.Error(), strings.TrimPrefix(tok, TokenPrefix)[:20]) {
				t.Errorf("error %q leaks the token", err)
			}
		})
	}
}

func TestCache(t *testing.T) {
	tests := []struct {
		name      string
		known     bool
		advance   time.Duration
		wantCalls int64 // Store lookups after the call that follows advance
	}{
		{name: "positive within TTL", known: true, advance: PositiveTTL - time.Nanosecond, wantCalls: 1},
		{name: "positive after TTL", known: true, advance: PositiveTTL, wantCalls: 2},
		{name: "negative within TTL", advance: NegativeTTL - time.Nanosecond, wantCalls: 1},
		{name: "negative after TTL", advance: NegativeTTL, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			a, clk := newTestAuthenticator(store)
			tok, _, _ := NewToken()
			if tt.known {
				tok = store.add(t, Principal{Name: "bob", Role: RoleViewer})
			}
			check := func() {
				t.Helper()
				_, err := a.Authenticate(context.Background(), "Bearer "+tok)
				if tt.known != (err == nil) {
					t.Fatalf("Authenticate error = %v, want known=%v", err, tt.known)
				}
			}
			check()
			check()
			if n := store.calls.Load(); n != 1 {
				t.Fatalf("Store lookups after two calls = %d, want 1 (second from cache)", n)
			}
			clk.advance(tt.advance)
			check()
			if n := store.calls.Load(); n != tt.wantCalls {
				t.Errorf("Store lookups after %v = %d, want %d", tt.advance, n, tt.wantCalls)
			}
		})
	}
}

func TestForget(t *testing.T) {
	store := newFakeStore()
	a, _ := newTestAuthenticator(store)
	tok := store.add(t, Principal{Name: "carol", Role: RoleAdmin})
	header := "Bearer " + tok
	if _, err := a.Authenticate(context.Background(), header); err != nil {
		t.Fatal(err)
	}
	store.revoke(tok)
	if _, err := a.Authenticate(context.Background(), header); err != nil {
		t.Fatalf("cached token refused before Forget: %v", err)
	}
	a.Forget()
	if _, err := a.Authenticate(context.Background(), header); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("revoked token after Forget: error = %v, want ErrUnauthenticated", err)
	}
	if n := store.calls.Load(); n != 2 {
		t.Errorf("Store lookups = %d, want 2", n)
	}
}

func TestStoreErrors(t *testing.T) {
	errDown := errors.New("queue down")
	tests := []struct {
		name    string
		prepare func(s *fakeStore) string
		wantErr error
	}{
		{
			name: "store failure",
			prepare: func(s *fakeStore) string {
				tok := s.add(t, Principal{Name: "dan", Role: RoleViewer})
				s.fail(errDown)
				return tok
			},
			wantErr: errDown,
		},
		{
			name: "wrapped unauthenticated",
			prepare: func(s *fakeStore) string {
				s.fail(fmt.Errorf("token revoked: %w", ErrUnauthenticated))
				return s.add(t, Principal{Name: "eve", Role: RoleViewer})
			},
			wantErr: ErrUnauthenticated,
		},
		{
			name:    "invalid role",
			prepare: func(s *fakeStore) string { return s.add(t, Principal{Name: "root", Role: Role("root")}) },
			wantErr: ErrInvalidRole,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			a, _ := newTestAuthenticator(store)
			header := "Bearer " + tt.prepare(store)
			for range 2 {
				p, err := a.Authenticate(context.Background(), header)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if p != (Principal{}) {
					t.Errorf("principal = %+v on error", p)
				}
			}
			wantCalls := int64(2) // failures are not cached
			if errors.Is(tt.wantErr, ErrUnauthenticated) {
				wantCalls = 1
			}
			if n := store.calls.Load(); n != wantCalls {
				t.Errorf("Store lookups = %d, want %d", n, wantCalls)
			}
		})
	}
}

func TestCacheBounded(t *testing.T) {
	store := newFakeStore()
	a, _ := newTestAuthenticator(store)
	a.maxCached = 8
	tok := store.add(t, Principal{Name: "frank", Role: RoleViewer})
	known := "Bearer " + tok
	if _, err := a.Authenticate(context.Background(), known); err != nil {
		t.Fatal(err)
	}
	for range 100 {
		junk, _, _ := NewToken()
		if _, err := a.Authenticate(context.Background(), "Bearer "+junk); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("unknown token: %v", err)
		}
	}
	a.cache.mu.RLock()
	npos, nneg := len(a.cache.pos), len(a.cache.neg)
	a.cache.mu.RUnlock()
	if nneg > a.maxCached || npos != 1 {
		t.Errorf("cache holds %d positive, %d negative entries; want 1 and at most %d", npos, nneg, a.maxCached)
	}
	before := store.calls.Load()
	if _, err := a.Authenticate(context.Background(), known); err != nil {
		t.Fatal(err)
	}
	if store.calls.Load() != before {
		t.Error("a flood of unknown tokens evicted a valid one")
	}
}

func TestConcurrentMissesShareLookup(t *testing.T) {
	const callers = 8
	store := newFakeStore()
	store.gate = make(chan struct{})
	a, _ := newTestAuthenticator(store)
	gina := Principal{Name: "gina", Role: RoleOperator}
	tok := store.add(t, gina)
	errs := make(chan error, callers)
	for range callers {
		go func() {
			p, err := a.Authenticate(context.Background(), "Bearer "+tok)
			if err == nil && p != gina {
				err = fmt.Errorf("principal = %+v, want %+v", p, gina)
			}
			errs <- err
		}()
	}
	waitFor(t, "callers to join one lookup", func() bool { return waiters(a, tok) == callers-1 })
	close(store.gate)
	for range callers {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if n := store.calls.Load(); n != 1 {
		t.Errorf("Store lookups = %d, want 1", n)
	}
}

func TestForgetDuringLookup(t *testing.T) {
	store := newFakeStore()
	store.gate = make(chan struct{})
	a, _ := newTestAuthenticator(store)
	tok := store.add(t, Principal{Name: "hank", Role: RoleViewer})
	errs := make(chan error, 1)
	go func() {
		_, err := a.Authenticate(context.Background(), "Bearer "+tok)
		errs <- err
	}()
	waitFor(t, "the lookup to start", func() bool { return store.calls.Load() == 1 })
	a.Forget()
	store.revoke(tok)
	close(store.gate)
	if err := <-errs; !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("lookup answered %v, want ErrUnauthenticated (revoked before the Store answered)", err)
	}
	store.mu.Lock()
	store.tokens[Hash(tok)] = Principal{Name: "hank", Role: RoleViewer}
	store.mu.Unlock()
	if _, err := a.Authenticate(context.Background(), "Bearer "+tok); err != nil {
		t.Fatalf("a result from before Forget was cached: %v", err)
	}
}

func TestAbandonedLookup(t *testing.T) {
	store := newFakeStore()
	store.gate = make(chan struct{})
	a, _ := newTestAuthenticator(store)
	ivy := Principal{Name: "ivy", Role: RoleViewer}
	tok := store.add(t, ivy)

	leaderCtx, cancelLeader := context.WithCancel(context.Background())
	leaderErr := make(chan error, 1)
	go func() {
		_, err := a.Authenticate(leaderCtx, "Bearer "+tok)
		leaderErr <- err
	}()
	waitFor(t, "the leader's lookup", func() bool { return waiters(a, tok) == 0 })

	type answer struct {
		p   Principal
		err error
	}
	waiterAns := make(chan answer, 1)
	go func() {
		p, err := a.Authenticate(context.Background(), "Bearer "+tok)
		waiterAns <- answer{p, err}
	}()
	waitFor(t, "the waiter to join", func() bool { return waiters(a, tok) == 1 })

	quitterCtx, cancelQuitter := context.WithCancel(context.Background())
	quitterErr := make(chan error, 1)
	go func() {
		_, err := a.Authenticate(quitterCtx, "Bearer "+tok)
		quitterErr <- err
	}()
	waitFor(t, "the quitter to join", func() bool { return waiters(a, tok) == 2 })
	cancelQuitter()
	if err := <-quitterErr; !errors.Is(err, context.Canceled) {
		t.Errorf("quitting waiter: error = %v, want context.Canceled", err)
	}

	cancelLeader()
	if err := <-leaderErr; errors.Is(err, ErrUnauthenticated) || err == nil {
		t.Errorf("leader: error = %v, want a non-authentication failure", err)
	}
	waitFor(t, "the waiter's own lookup", func() bool { return store.calls.Load() == 2 })
	close(store.gate)
	if got := <-waiterAns; got.err != nil || got.p != ivy {
		t.Errorf("waiter got %+v, %v; want %+v", got.p, got.err, ivy)
	}
}

func TestConcurrentUse(t *testing.T) {
	store := newFakeStore()
	a, clk := newTestAuthenticator(store)
	roles := []Role{RoleViewer, RoleOperator, RoleAdmin}
	type user struct {
		header string
		p      Principal
	}
	var users []user
	for i := range 6 {
		p := Principal{Name: fmt.Sprintf("user%d", i), Role: roles[i%len(roles)]}
		users = append(users, user{"Bearer " + store.add(t, p), p})
	}
	junk, _, _ := NewToken()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				if g == 0 && i%50 == 0 {
					a.Forget()
					clk.advance(NegativeTTL)
				}
				u := users[(g+i)%len(users)]
				p, err := a.Authenticate(context.Background(), u.header)
				if err != nil || p != u.p {
					errs <- fmt.Errorf("%s: got %+v, %v", u.p.Name, p, err)
					return
				}
				if _, err := a.Authenticate(context.Background(), "Bearer "+junk); !errors.Is(err, ErrUnauthenticated) {
					errs <- fmt.Errorf("junk token: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
