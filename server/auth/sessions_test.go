package auth

import (
	"context"
	"testing"
	"time"
)

// TestSessions: closing a token ends every session opened with it and no
// other; an expiring token's session ends at expiry; the node's own
// principal opens no session.
func TestSessions(t *testing.T) {
	s := NewSessions()
	bg := context.Background()
	a1 := s.Open(bg, Principal{Name: "a", Role: RoleViewer, TokenID: "1"})
	a2 := s.Open(bg, Principal{Name: "a", Role: RoleViewer, TokenID: "1"})
	b := s.Open(bg, Principal{Name: "b", Role: RoleViewer, TokenID: "2"})
	if n := s.Count(); n != 3 {
		t.Fatalf("%d sessions, want 3", n)
	}
	if n := s.Close("1"); n != 2 {
		t.Fatalf("closed %d sessions of token 1, want 2", n)
	}
	for _, ctx := range []context.Context{a1, a2} {
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("a session of the closed token stayed open")
		}
	}
	if b.Err() != nil {
		t.Fatal("closing token 1 ended token 2's session")
	}
	exp := s.Open(bg, Principal{Name: "e", Role: RoleViewer, TokenID: "3", Expires: time.Now().Add(50 * time.Millisecond)})
	select {
	case <-exp.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("an expired token's session stayed open")
	}
	if node := s.Open(bg, Principal{Name: "node", Role: RoleNode}); node != bg {
		t.Fatal("the node's principal opened a session")
	}
	waitFor(t, "ended sessions to be forgotten", func() bool { return s.Count() == 1 })
}
