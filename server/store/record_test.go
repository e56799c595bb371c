package store

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// selfRecord returns a record of id as signed by its warehouse with key
// (the store checks the key against the pinned one, not the signature,
// which the member package verifies).
func selfRecord(id, url string, version int64, key byte) stock.MemberRecord {
	return stock.MemberRecord{ID: id, Name: id, URL: url, Version: version, By: stock.SignedBySelf,
		Key: &stock.KeyBinding{Key: bytes.Repeat([]byte{key}, 32), Cert: []byte("cert"), Sig: []byte("sig")}, Sig: []byte("sig")}
}

// TestRecordMembers records membership records one after the other on
// MAD-1 and checks what each changes: the warehouse row, the key pinned,
// the records kept, the audit log.
func TestRecordMembers(t *testing.T) {
	departed := time.Now().UTC().Truncate(time.Millisecond)
	gone := selfRecord("BCN-1", "https://bcn.example", 3, 1)
	gone.DepartedAt = &departed
	tests := []struct {
		name     string
		record   stock.MemberRecord
		accepted bool
		rejected string // the reason
		url      string // BCN-1's URL after
		departed bool
	}{
		{"new member", selfRecord("BCN-1", "https://bcn.example", 1, 1), true, "", "https://bcn.example", false},
		{"older record", selfRecord("BCN-1", "https://old.example", 1, 1), false, "", "https://bcn.example", false},
		{"address change", selfRecord("BCN-1", "https://bcn2.example", 2, 1), true, "", "https://bcn2.example", false},
		{"another key than the pinned one", selfRecord("BCN-1", "https://evil.example", 9, 2), false, stock.RejectKey, "https://bcn2.example", false},
		{"departure", gone, true, "", "https://bcn.example", true},
		{"newer record after the departure", selfRecord("BCN-1", "https://back.example", 99, 1), false, "", "https://bcn.example", true},
	}
	h := newHarness(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := tok(h, stock.OpMemberRecord, &stock.MemberRecords{Records: []stock.MemberRecord{tt.record}})
			if (len(out.Accepted) == 1) != tt.accepted || (len(out.Rejected) == 1 && out.Rejected[0].Reason != tt.rejected) ||
				(len(out.Rejected) == 0) != (tt.rejected == "") {
				t.Fatalf("accepted %v, rejected %+v; want accepted %v, rejected %q", out.Accepted, out.Rejected, tt.accepted, tt.rejected)
			}
			var bcn stock.Warehouse
			for _, w := range out.Warehouses {
				if w.ID == "BCN-1" {
					bcn = w
				}
			}
			if bcn.URL != tt.url || (bcn.DepartedAt != nil) != tt.departed {
				t.Errorf("BCN-1 = %+v, want URL %s, departed %v", bcn, tt.url, tt.departed)
			}
		})
	}
	var key []byte
	if err := h.s.wdb.QueryRowContext(context.Background(), `SELECT key FROM log_keys WHERE origin = 'BCN-1'`).Scan(&key); err != nil ||
		!bytes.Equal(key, bytes.Repeat([]byte{1}, 32)) {
		t.Errorf("BCN-1's pinned key = %x, %v", key, err)
	}
	kept := tok(h, stock.OpMemberRecords, &stock.Empty{}).Records
	if len(kept) != 1 || !kept[0].Departed() {
		t.Errorf("kept %+v, want BCN-1's departure", kept)
	}
	audit := tok(h, stock.OpAuditLog, &stock.AuditQuery{First: 1}).Entries
	if len(audit) != 1 || audit[0].Action != stock.ActionMemberLeft || audit[0].Actor != "BCN-1" {
		t.Errorf("audit %+v, want BCN-1 left", audit)
	}
}

// TestRecordRefusesMalformed: a record whose id, URL or signature is not
// what a record may hold is refused whole, and nothing changes.
func TestRecordRefusesMalformed(t *testing.T) {
	h := newHarness(t)
	bad := func(f func(*stock.MemberRecord)) stock.MemberRecord {
		r := selfRecord("BCN-1", "https://bcn.example", 1, 1)
		f(&r)
		return r
	}
	for name, r := range map[string]stock.MemberRecord{
		"path id":           bad(func(r *stock.MemberRecord) { r.ID = "../../etc" }),
		"javascript URL":    bad(func(r *stock.MemberRecord) { r.URL = "javascript:alert(1)" }),
		"untrimmed URL":     bad(func(r *stock.MemberRecord) { r.URL = "https://bcn.example/" }),
		"unsigned":          bad(func(r *stock.MemberRecord) { r.Sig = nil }),
		"no key binding":    bad(func(r *stock.MemberRecord) { r.Key = nil }),
		"unknown signer":    bad(func(r *stock.MemberRecord) { r.By = "bcn" }),
		"no version":        bad(func(r *stock.MemberRecord) { r.Version = 0 }),
		"oversized sig":     bad(func(r *stock.MemberRecord) { r.Sig = make([]byte, stock.MaxRecordSigLen+1) }),
		"zero departure":    bad(func(r *stock.MemberRecord) { r.DepartedAt = &time.Time{} }),
		"name with padding": bad(func(r *stock.MemberRecord) { r.Name = " BCN-1" }),
	} {
		t.Run(name, func(t *testing.T) {
			terr(h, stock.OpMemberRecord, &stock.MemberRecords{Records: []stock.MemberRecord{r}}, stock.CodeInvalidInput)
		})
	}
	if ws := tok(h, stock.OpMemberList, &stock.Empty{}).Warehouses; len(ws) != 1 {
		t.Errorf("members %+v after refused records", ws)
	}
}

// TestRemoveMember: a removal is the CA's departure of a current member
// other than the local one, audited under the admin's name.
func TestRemoveMember(t *testing.T) {
	h := newHarness(t)
	tok(h, stock.OpMemberRecord, &stock.MemberRecords{Records: []stock.MemberRecord{selfRecord("BCN-1", "https://bcn.example", 1, 1)}})
	now := time.Now().UTC().Truncate(time.Millisecond)
	removal := func(id string) *stock.MemberRecord {
		return &stock.MemberRecord{ID: id, Name: id, DepartedAt: &now, Version: 2, By: stock.SignedByCA, Sig: []byte("ca")}
	}
	terr(h, stock.OpMemberRemove, removal("MAD-1"), stock.CodeForbidden)
	terr(h, stock.OpMemberRemove, removal("NOPE-1"), stock.CodeNotFound)
	notCA := selfRecord("BCN-1", "", 2, 1)
	notCA.DepartedAt = &now
	terr(h, stock.OpMemberRemove, &notCA, stock.CodeInvalidInput)
	w := tok(h, stock.OpMemberRemove, removal("BCN-1"))
	if w.DepartedAt == nil || w.URL != "https://bcn.example" {
		t.Errorf("removed %+v", w)
	}
	audit := tok(h, stock.OpAuditLog, &stock.AuditQuery{First: 1}).Entries
	if len(audit) != 1 || audit[0].Action != stock.ActionMemberRemoved || audit[0].Actor != "tester" ||
		!strings.Contains(audit[0].Detail, "network CA") {
		t.Errorf("audit %+v, want tester removed BCN-1", audit)
	}
	terr(h, stock.OpMemberRemove, removal("BCN-1"), stock.CodeForbidden)
}

// TestRedeemKeepsRecord: the CA's record of a member it admits is kept
// with the member, for heartbeats to relay.
func TestRedeemKeepsRecord(t *testing.T) {
	h := newHarness(t)
	tok(h, stock.OpJoinTokenCreate, &stock.JoinTokenNew{Hash: "abc", ExpiresAt: time.Now().Add(time.Hour)})
	rec := &stock.MemberRecord{ID: "BCN-1", Name: "BCN-1", URL: "https://bcn.example", Version: 1, By: stock.SignedByCA, Sig: []byte("ca")}
	wrong := *rec
	wrong.URL = "https://elsewhere.example"
	redeem := func(r *stock.MemberRecord) *stock.JoinRedeem {
		return &stock.JoinRedeem{Hash: "abc", Member: stock.Warehouse{ID: "BCN-1", URL: "https://bcn.example"}, Record: r}
	}
	terr(h, stock.OpJoinRedeem, redeem(&wrong), stock.CodeInvalidInput)
	tok(h, stock.OpJoinRedeem, redeem(rec))
	if kept := tok(h, stock.OpMemberRecords, &stock.Empty{}).Records; len(kept) != 1 || kept[0].URL != rec.URL || kept[0].By != stock.SignedByCA {
		t.Errorf("kept %+v", kept)
	}
}
