package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestKnownSetRefusesWithoutLookup: once the authenticator knows every
// stored hash, made-up tokens never reach the Store; added tokens work and
// removed ones stop at once, cached or not.
func TestKnownSetRefusesWithoutLookup(t *testing.T) {
	store := newFakeStore()
	tok := store.add(t, Principal{Name: "ann", Role: RoleViewer})
	a, _ := newTestAuthenticator(store)
	if err := a.SetKnown([]string{Hash(tok)}); err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		made, _, _ := NewToken()
		if _, err := a.Authenticate(context.Background(), "Bearer "+made); !errors.Is(err, ErrUnauthenticated) {
			t.Fatalf("made-up token: %v", err)
		}
	}
	if n := store.calls.Load(); n != 0 {
		t.Fatalf("1000 made-up tokens made %d Store lookups, want 0", n)
	}
	if p, err := a.Authenticate(context.Background(), "Bearer "+tok); err != nil || p.Name != "ann" {
		t.Fatalf("known token: %v %v", p, err)
	}
	late := store.add(t, Principal{Name: "bo", Role: RoleAdmin})
	if _, err := a.Authenticate(context.Background(), "Bearer "+late); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("a token not yet added: %v", err)
	}
	if err := a.Add(Hash(late)); err != nil {
		t.Fatal(err)
	}
	if p, err := a.Authenticate(context.Background(), "Bearer "+late); err != nil || p.Name != "bo" {
		t.Fatalf("added token: %v %v", p, err)
	}
	a.Remove(Hash(tok)) // cached a moment ago: must not survive in the cache
	if _, err := a.Authenticate(context.Background(), "Bearer "+tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("removed token: %v", err)
	}
	if err := a.SetKnown([]string{"not-a-hash"}); err == nil {
		t.Fatal("SetKnown took a malformed hash")
	}
}

// TestExpiringTokenLeavesTheCache: a valid token is cached until it
// expires at the latest, so the Store's refusal of an expired token is
// asked for on the first request after expiry.
func TestExpiringTokenLeavesTheCache(t *testing.T) {
	store := newFakeStore()
	a, clk := newTestAuthenticator(store)
	exp := clk.now().Add(10 * time.Second)
	tok := store.add(t, Principal{Name: "tem", Role: RoleViewer, Expires: exp})
	if _, err := a.Authenticate(context.Background(), "Bearer "+tok); err != nil {
		t.Fatal(err)
	}
	clk.advance(5 * time.Second)
	if _, err := a.Authenticate(context.Background(), "Bearer "+tok); err != nil {
		t.Fatal(err)
	}
	if n := store.calls.Load(); n != 1 {
		t.Fatalf("%d lookups before expiry, want 1 (cached)", n)
	}
	clk.advance(5 * time.Second)
	store.revoke(tok) // the store refuses it once expired
	if _, err := a.Authenticate(context.Background(), "Bearer "+tok); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("after expiry: %v", err)
	}
}
