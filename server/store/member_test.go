package store

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestRedeemJoinToken(t *testing.T) {
	departed := time.Now().Add(-time.Hour).UTC()
	member := []stock.Warehouse{{ID: "BCN-1", URL: "https://old"}}
	tests := []struct {
		name    string
		expires time.Duration      // the token's lifetime from now
		admits  string             // the warehouse the token names
		rejoin  bool               // the token admits a member again
		before  []stock.JoinRedeem // redeemed first, successfully
		known   []stock.Warehouse  // merged first
		hash    string             // redeemed hash ("" for the stored one)
		id      string
		want    string // in the FORBIDDEN message; "" for success
	}{
		{name: "fresh token", expires: time.Hour, id: "BCN-1"},
		{name: "token naming the id", expires: time.Hour, admits: "BCN-1", id: "BCN-1"},
		{name: "token naming another id", expires: time.Hour, admits: "VAL-1", id: "BCN-1", want: "admits VAL-1, not BCN-1"},
		{name: "used token", expires: time.Hour, before: []stock.JoinRedeem{{Member: stock.Warehouse{ID: "BCN-1"}}},
			id: "VAL-1", want: "already used (by BCN-1"},
		{name: "expired token", expires: -time.Second, id: "BCN-1", want: "expired"},
		{name: "unknown token", expires: time.Hour, hash: "feed", id: "BCN-1", want: "not one MAD-1 issued"},
		{name: "issuer's own id", expires: time.Hour, id: "MAD-1", want: "id of the node that issued"},
		{name: "issuer's own id, named with rejoin", expires: time.Hour, admits: "MAD-1", rejoin: true, id: "MAD-1",
			want: "id of the node that issued"},
		{name: "departed id", expires: time.Hour, known: []stock.Warehouse{{ID: "BCN-1", DepartedAt: &departed}},
			id: "BCN-1", want: "left the network"},
		{name: "departed id, named with rejoin", expires: time.Hour, admits: "BCN-1", rejoin: true,
			known: []stock.Warehouse{{ID: "BCN-1", DepartedAt: &departed}}, id: "BCN-1", want: "left the network"},
		{name: "member with a token naming none", expires: time.Hour, known: member, id: "BCN-1",
			want: "member of the network already"},
		{name: "member with a token naming it, no rejoin", expires: time.Hour, admits: "BCN-1", known: member, id: "BCN-1",
			want: "member of the network already"},
		{name: "member rejoins", expires: time.Hour, admits: "BCN-1", rejoin: true, known: member, id: "BCN-1"},
		{name: "rejoin token naming another member", expires: time.Hour, admits: "VAL-1", rejoin: true, known: member,
			id: "BCN-1", want: "admits VAL-1, not BCN-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.ok(testJob{Op: stock.OpJoinTokenCreate, JoinToken: &stock.JoinTokenNew{Hash: "abc",
				ExpiresAt: time.Now().Add(tt.expires), Warehouse: tt.admits, Rejoin: tt.rejoin}})
			h.ok(testJob{Op: stock.OpMemberMerge, Merge: &stock.MemberMerge{Warehouses: tt.known}})
			for _, b := range tt.before {
				b.Hash, b.Member.URL = "abc", "https://first"
				h.ok(testJob{Op: stock.OpJoinRedeem, Redeem: &b})
			}
			hash := cmp.Or(tt.hash, "abc")
			membersBefore := h.read(testJob{Op: stock.OpMemberList}).Members.Warehouses
			r := h.write(testJob{Op: stock.OpJoinRedeem, Redeem: &stock.JoinRedeem{Hash: hash,
				Member: stock.Warehouse{ID: tt.id, Name: "New", URL: "https://new"}, Names: []string{"new", "::1"}, Via: "VAL-1"}})[0]
			if tt.want != "" {
				if code(r) != stock.CodeForbidden || !strings.Contains(r.Err.Message, tt.want) {
					t.Fatalf("redeem = %+v, want FORBIDDEN saying %q", r.Err, tt.want)
				}
				if after := h.read(testJob{Op: stock.OpMemberList}).Members.Warehouses; !reflect.DeepEqual(after, membersBefore) {
					t.Errorf("a refused join changed the members: %+v, was %+v", after, membersBefore)
				}
				return
			}
			if r.Err != nil {
				t.Fatalf("redeem: %v", r.Err)
			}
			var got []string
			for _, e := range h.read(testJob{Op: stock.OpAuditLog, Audit: &stock.AuditQuery{First: 2}}).Audit.Entries {
				got = append(got, e.Actor+" "+e.Action+" "+e.Subject+" "+e.Detail)
			}
			want := []string{"VAL-1 certificate.issued warehouse " + tt.id + " for new, ::1; join relayed by VAL-1",
				tt.id + " member.joined warehouse " + tt.id + " at https://new"}
			if !slices.Equal(got, want) {
				t.Errorf("the audit log's newest entries = %q, want %q", got, want)
			}
			l := h.read(testJob{Op: stock.OpMemberList}).Members
			if len(l.Warehouses) != 2 || !l.Warehouses[0].Local || l.Warehouses[1].ID != tt.id ||
				l.Warehouses[1].URL != "https://new" {
				t.Errorf("members after join = %+v", l.Warehouses)
			}
		})
	}
}

// TestRefusedJoinKeepsToken checks that a join the token does not admit
// leaves the token unused: the id it names joins with it afterwards.
func TestRefusedJoinKeepsToken(t *testing.T) {
	h := newHarness(t)
	h.ok(testJob{Op: stock.OpJoinTokenCreate, JoinToken: &stock.JoinTokenNew{Hash: "abc",
		ExpiresAt: time.Now().Add(time.Hour), Warehouse: "VAL-1"}})
	join := func(id string) testJob {
		return testJob{Op: stock.OpJoinRedeem, Redeem: &stock.JoinRedeem{Hash: "abc", Member: stock.Warehouse{ID: id, URL: "https://" + id}}}
	}
	if r := h.write(join("BCN-1"))[0]; code(r) != stock.CodeForbidden {
		t.Fatalf("BCN-1 with a token for VAL-1: %+v, want FORBIDDEN", r.Err)
	}
	if r := h.write(join("VAL-1"))[0]; r.Err != nil {
		t.Fatalf("VAL-1 after the refusal: %v", r.Err)
	}
}

func TestJoinTokenNewNormalize(t *testing.T) {
	exp := time.Now().Add(time.Hour)
	tests := []struct {
		name string
		in   stock.JoinTokenNew
		ok   bool
	}{
		{"any new id", stock.JoinTokenNew{Hash: "abc", ExpiresAt: exp}, true},
		{"named id with rejoin", stock.JoinTokenNew{Hash: "abc", ExpiresAt: exp, Warehouse: "BCN-1", Rejoin: true}, true},
		{"rejoin without an id", stock.JoinTokenNew{Hash: "abc", ExpiresAt: exp, Rejoin: true}, false},
		{"bad id", stock.JoinTokenNew{Hash: "abc", ExpiresAt: exp, Warehouse: "../../etc"}, false},
		{"bad asker", stock.JoinTokenNew{Hash: "abc", ExpiresAt: exp, AskedBy: "a b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			r := h.write(testJob{Op: stock.OpJoinTokenCreate, JoinToken: &tt.in})[0]
			if (r.Err == nil) != tt.ok {
				t.Errorf("create = %+v, want ok=%v", r.Err, tt.ok)
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
