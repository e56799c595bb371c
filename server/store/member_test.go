package store

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestRedeemJoinToken(t *testing.T) {
	departed := time.Now().Add(-time.Hour).UTC()
	tests := []struct {
		name    string
		expires time.Duration      // the token's lifetime from now
		before  []stock.JoinRedeem // redeemed first, successfully
		known   []stock.Warehouse  // merged first
		hash    string             // redeemed hash ("" for the stored one)
		id      string
		want    string // in the FORBIDDEN message; "" for success
	}{
		{name: "fresh token", expires: time.Hour, id: "BCN-1"},
		{name: "used token", expires: time.Hour, before: []stock.JoinRedeem{{Member: stock.Warehouse{ID: "BCN-1"}}},
			id: "VAL-1", want: "already used (by BCN-1"},
		{name: "expired token", expires: -time.Second, id: "BCN-1", want: "expired"},
		{name: "unknown token", expires: time.Hour, hash: "feed", id: "BCN-1", want: "not one MAD-1 issued"},
		{name: "issuer's own id", expires: time.Hour, id: "MAD-1", want: "id of the node that issued"},
		{name: "departed id", expires: time.Hour, known: []stock.Warehouse{{ID: "BCN-1", DepartedAt: &departed}},
			id: "BCN-1", want: "left the network"},
		{name: "current member rejoins", expires: time.Hour, known: []stock.Warehouse{{ID: "BCN-1", URL: "https://old"}},
			id: "BCN-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.ok(testJob{Op: stock.OpJoinTokenCreate, JoinToken: &stock.JoinTokenNew{Hash: "abc", ExpiresAt: time.Now().Add(tt.expires)}})
			h.ok(testJob{Op: stock.OpMemberMerge, Merge: &stock.MemberMerge{Warehouses: tt.known}})
			for _, b := range tt.before {
				b.Hash, b.Member.URL = "abc", "https://first"
				h.ok(testJob{Op: stock.OpJoinRedeem, Redeem: &b})
			}
			hash := tt.hash
			if hash == "" {
				hash = "abc"
			}
			r := h.write(testJob{Op: stock.OpJoinRedeem, Redeem: &stock.JoinRedeem{Hash: hash,
				Member: stock.Warehouse{ID: tt.id, Name: "New", URL: "https://new"}}})[0]
			if tt.want != "" {
				if code(r) != stock.CodeForbidden || !strings.Contains(r.Err.Message, tt.want) {
					t.Fatalf("redeem = %+v, want FORBIDDEN saying %q", r.Err, tt.want)
				}
				return
			}
			if r.Err != nil {
				t.Fatalf("redeem: %v", r.Err)
			}
			if e := h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{First: 1}}).Audit.Entries; len(e) != 1 ||
				e[0].Action != stock.ActionMemberJoined || e[0].Subject != "warehouse "+tt.id || e[0].Detail != "at https://new" {
				t.Errorf("the audit log's newest entry = %+v, want %s joined", e, tt.id)
			}
			l := h.read(testJob{Op: stock.OpMemberList}).Members
			if len(l.Warehouses) != 2 || !l.Warehouses[0].Local || l.Warehouses[1].ID != tt.id ||
				l.Warehouses[1].URL != "https://new" {
				t.Errorf("members after join = %+v", l.Warehouses)
			}
		})
	}
}

// TestRedeemTwiceInOneBatch checks that of two joins with one token in the
// same batch of writes, only the first succeeds.
func TestRedeemTwiceInOneBatch(t *testing.T) {
	h := newHarness(t)
	h.ok(testJob{Op: stock.OpJoinTokenCreate, JoinToken: &stock.JoinTokenNew{Hash: "abc", ExpiresAt: time.Now().Add(time.Hour)}})
	join := func(id string) testJob {
		return testJob{Op: stock.OpJoinRedeem, Redeem: &stock.JoinRedeem{Hash: "abc", Member: stock.Warehouse{ID: id, URL: "https://" + id}}}
	}
	r := h.write(join("BCN-1"), join("VAL-1"))
	if r[0].Err != nil || code(r[1]) != stock.CodeForbidden {
		t.Fatalf("replies = %+v, %+v; want success, then FORBIDDEN", r[0].Err, r[1].Err)
	}
}

func TestMergeMembers(t *testing.T) {
	gone := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := newHarness(t)
	steps := []stock.Warehouse{
		{ID: "BCN-1", Name: "Barcelona", URL: "https://bcn"},
		{ID: "BCN-1", URL: "https://bcn2"},               // a new URL
		{ID: "BCN-1", DepartedAt: &gone},                 // departs
		{ID: "BCN-1", Name: "Back", URL: "https://bcn3"}, // a departure is never undone
		{ID: "MAD-1", Name: "Renamed by a peer"},         // the local name is the node's own
		{ID: "MAD-1", URL: "https://mad", HoldsCA: true},
	}
	for _, w := range steps {
		h.ok(testJob{Op: stock.OpMemberMerge, Actor: "ana", Merge: &stock.MemberMerge{Warehouses: []stock.Warehouse{w}}})
	}
	l := h.read(testJob{Op: stock.OpMemberList}).Members.Warehouses
	if len(l) != 2 {
		t.Fatalf("members = %+v", l)
	}
	mad, bcn := l[0], l[1]
	if mad.ID != "MAD-1" || mad.Name != "Madrid" || mad.URL != "https://mad" || !mad.HoldsCA || !mad.Local {
		t.Errorf("local = %+v", mad)
	}
	if bcn.Name != "Back" || bcn.URL != "https://bcn3" || bcn.DepartedAt == nil || !bcn.DepartedAt.Equal(gone) {
		t.Errorf("BCN-1 = %+v (departed %v)", bcn, bcn.DepartedAt)
	}
	if w := h.read(testJob{Op: stock.OpWarehouseGet}).Warehouse; w.URL != "https://mad" || !w.HoldsCA {
		t.Errorf("the cached local warehouse = %+v, want the merged URL and CA holding", w)
	}
	var got []string // the departure, once, by whoever recorded it
	for _, e := range h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{First: 100}}).Audit.Entries {
		got = append(got, e.Actor+" "+e.Action+" "+e.Subject+" "+e.Detail)
	}
	if want := []string{"ana member.left warehouse BCN-1 at 2026-01-02T03:04:05Z"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("audit log = %q, want %q", got, want)
	}
}
