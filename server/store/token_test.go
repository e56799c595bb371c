package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// TestTokenLifecycle: tokens are created, listed, looked up and revoked; an
// expired or revoked token is not found; revoking twice keeps the first
// time; a token survives a reopen.
func TestTokenLifecycle(t *testing.T) {
	h := newHarness(t)
	past := time.Now().Add(-time.Minute).UTC()
	created := h.ok(testJob{Op: stock.OpTokenCreate, Actor: "admin",
		Token: &stock.Token{Hash: "h1", Name: "scanner-3", Role: auth.RoleOperator}}).Token
	if created.ID == "" || created.Name != "scanner-3" || created.Role != auth.RoleOperator || created.RevokedAt != nil {
		t.Fatalf("created %+v", created)
	}
	h.ok(testJob{Op: stock.OpTokenCreate, Actor: "admin", Token: &stock.Token{Hash: "h2", Name: "old", Role: auth.RoleViewer, ExpiresAt: &past}})
	if r := h.write(testJob{Op: stock.OpTokenCreate, Token: &stock.Token{Hash: "h1", Name: "again", Role: auth.RoleViewer}})[0]; code(r) != stock.CodeAlreadyExists {
		t.Fatalf("a second token with one hash: %+v", r.Err)
	}
	for _, bad := range []stock.Token{{Hash: "h3", Name: "", Role: auth.RoleViewer}, {Hash: "h3", Name: "x", Role: auth.RoleNode}} {
		if r := h.write(testJob{Op: stock.OpTokenCreate, Token: &bad})[0]; code(r) != stock.CodeInvalidInput {
			t.Fatalf("token %+v: %+v, want INVALID_INPUT", bad, r.Err)
		}
	}
	if got := h.read(testJob{Op: stock.OpTokenLookup, Token: &stock.Token{Hash: "h1"}}).Token; got == nil || got.Name != "scanner-3" {
		t.Fatalf("lookup = %+v", got)
	}
	if r := h.read(testJob{Op: stock.OpTokenLookup, Token: &stock.Token{Hash: "h2"}}); code(r) != stock.CodeNotFound {
		t.Fatalf("an expired token was found: %+v", r)
	}
	first := h.ok(testJob{Op: stock.OpTokenRevoke, Actor: "admin", TokenID: created.ID}).Token
	again := h.ok(testJob{Op: stock.OpTokenRevoke, Actor: "admin", TokenID: created.ID}).Token
	if first.RevokedAt == nil || !first.RevokedAt.Equal(*again.RevokedAt) || first.Hash != "h1" {
		t.Fatalf("revoked %+v then %+v", first, again)
	}
	if r := h.read(testJob{Op: stock.OpTokenLookup, Token: &stock.Token{Hash: "h1"}}); code(r) != stock.CodeNotFound {
		t.Fatalf("a revoked token was found: %+v", r)
	}
	if r := h.write(testJob{Op: stock.OpTokenRevoke, TokenID: "999"})[0]; code(r) != stock.CodeNotFound {
		t.Fatalf("revoking an unknown id: %+v", r.Err)
	}
	h.reopen()
	l := h.read(testJob{Op: stock.OpTokenList}).Tokens
	// The harness stores no admin token: the two created are all.
	if len(l.Tokens) != 2 || l.Tokens[0].Name != "scanner-3" || l.Tokens[0].RevokedAt == nil || l.Tokens[1].ExpiresAt == nil {
		t.Fatalf("tokens after reopen: %+v", l.Tokens)
	}
}

// TestAuditLog: product changes, movements and token management appear
// newest first with their actors, filtered by actor and time, and pages
// follow each other without gaps or repeats.
func TestAuditLog(t *testing.T) {
	h := newHarness(t)
	start := time.Now()
	h.ok(testJob{Op: stock.OpProductCreate, Actor: "ana", Create: &stock.CreateProductInput{SKU: "A-1", Name: "a", InitialQuantity: 5}})
	name := "b"
	h.ok(testJob{Op: stock.OpProductUpdate, Actor: "bea", SKU: "A-1", Update: &stock.UpdateProductInput{Name: &name}})
	h.ok(move("A-1", stock.KindSale, 2)) // actor ""
	h.ok(testJob{Op: stock.OpTokenCreate, Actor: "ana", Token: &stock.Token{Hash: "h", Name: "scanner", Role: auth.RoleViewer}})
	h.ok(testJob{Op: stock.OpProductDelete, Actor: "ana", SKU: "A-1"})

	all := h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{First: 100}}).Audit
	var got []string
	for _, e := range all.Entries {
		got = append(got, e.Actor+" "+e.Action+" "+e.Subject)
	}
	want := []string{"ana product.deleted A-1", "ana movement A-1", "ana token.created token 1 (scanner)", " movement A-1",
		"bea product.updated A-1", "ana movement A-1", "ana product.created A-1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit log:\n got %q\nwant %q", got, want)
	}
	if n := len(h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{Actor: "bea"}}).Audit.Entries); n != 1 {
		t.Errorf("entries by bea: %d, want 1", n)
	}
	future := time.Now().Add(time.Hour)
	if n := len(h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{From: &future}}).Audit.Entries); n != 0 {
		t.Errorf("entries from the future: %d", n)
	}
	if n := len(h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{From: &start, To: &future}}).Audit.Entries); n != len(want) {
		t.Errorf("entries since the start: %d, want %d", n, len(want))
	}
	var paged []string
	q := stock.AuditQuery{First: 2}
	for {
		p := h.read(testJob{Op: stock.OpAuditLog, Audit: &q}).Audit
		for _, e := range p.Entries {
			paged = append(paged, e.Actor+" "+e.Action+" "+e.Subject)
		}
		if !p.HasNext {
			break
		}
		q.After = p.Entries[len(p.Entries)-1].Cursor
	}
	if fmt.Sprint(paged) != fmt.Sprint(want) {
		t.Fatalf("paged audit log:\n got %q\nwant %q", paged, want)
	}
	if r := h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{After: "nope"}}); code(r) != stock.CodeInvalidInput {
		t.Fatalf("a bad cursor: %+v", r.Err)
	}
}
