package member

import (
	"cmp"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/gossip"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// signer is a member's signing material: its log-signing key and the
// key's binding by a certificate the test network's CA issued for id.
type signer struct {
	id      string
	key     ed25519.PrivateKey
	binding *stock.KeyBinding
	tlsDir  string // its node certificate, key and the CA certificate
}

// sign returns r signed by s as r's own warehouse (whatever r.ID says).
func (s signer) sign(r stock.MemberRecord) stock.MemberRecord {
	trust.SignRecord(&r, s.key, s.binding)
	return r
}

// issue makes a member id of the network whose CA is in caDir.
func issue(t *testing.T, caDir, id string) signer {
	t.Helper()
	ca, err := pki.LoadCAIn(caDir)
	if err != nil {
		t.Fatal(err)
	}
	csr, keyPEM, err := pki.NewCSR(id, nil)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.SignCSR(csr, id, []string{"localhost"})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tls")
	if err := pki.WriteJoined(dir, keyPEM, cert, ca.CertPEM()); err != nil {
		t.Fatal(err)
	}
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	f := pki.FilesIn(dir)
	b, err := trust.Bind(id, key.Public().(ed25519.PublicKey), f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	return signer{id: id, key: key, binding: b, tlsDir: dir}
}

// counts is a Config.Rejected that keeps its counts.
type counts struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counts) add(reason string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[reason]++
}

func (c *counts) get() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.n)
}

// testNet is a Network over a fakeStore, with what the tests look at.
type testNet struct {
	*Network
	fs       *fakeStore
	rejected *counts
	caDir    string // DATA/tls of the CA holder
	gossiped bool   // beat delivers records as gossiped items, not in a full exchange
}

// newTestNet returns the Network of local, a node of the network whose CA
// is in caDir: the CA holder when tlsDir is caDir.
func newTestNet(t *testing.T, local stock.Warehouse, tlsDir, caDir string) testNet {
	t.Helper()
	fs := &fakeStore{members: []stock.Warehouse{local}}
	c := &counts{}
	n, err := New(context.Background(), Config{Store: fs, TLSDir: tlsDir, Rejected: c.add,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return testNet{Network: n, fs: fs, rejected: c, caDir: caDir}
}

// holder returns the CA holder MAD-1, announced at https://mad.example.
func holder(t *testing.T) testNet {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tls")
	if _, err := pki.EnsureNode(dir, "MAD-1", nil); err != nil {
		t.Fatal(err)
	}
	n := newTestNet(t, stock.Warehouse{ID: "MAD-1", Name: "MAD-1", Local: true, HoldsCA: true}, dir, dir)
	if err := n.Announce(auth.AsNode(context.Background()), "https://mad.example"); err != nil {
		t.Fatal(err)
	}
	return n
}

// caSigner returns the CA's key in caDir.
func caSigner(t *testing.T, caDir string) crypto.Signer {
	t.Helper()
	f := pki.FilesIn(caDir)
	s, err := trust.LoadCASigner(f.CACert, filepath.Join(caDir, pki.CAKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// beat delivers rs to n, from from: in a full exchange, or each as a
// gossiped item when n.gossiped (the two ways records travel).
func (n testNet) beat(t *testing.T, from string, rs ...stock.MemberRecord) {
	t.Helper()
	ctx := auth.AsNode(context.Background())
	if !n.gossiped {
		if _, err := n.onExchange(ctx, from, exchangeBody{Records: rs}); err != nil {
			t.Fatal(err)
		}
		return
	}
	msg := gossip.Message{From: from, Kind: gossip.Push}
	for _, r := range rs {
		data, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		msg.Items = append(msg.Items, gossip.Item{Key: recordKey + r.ID, Data: data})
	}
	if _, err := n.onGossip(ctx, from, msg); err != nil {
		t.Fatal(err)
	}
}

// TestMembershipRecords sends a CA holder that knows BCN-1 and VAL-1 one
// heartbeat each, relayed by VAL-1: only records signed by whom they are
// about (or by the CA) and newer than what it holds change anything; the
// others are refused and counted by reason, or ignored when merely old.
func TestMembershipRecords(t *testing.T) {
	departed := time.Now().UTC().Truncate(time.Millisecond)
	bcnAt := func(url string, v int64) stock.MemberRecord {
		return stock.MemberRecord{ID: "BCN-1", Name: "Barcelona", URL: url, Version: v}
	}
	gone := bcnAt("https://bcn.example", 5)
	gone.DepartedAt = &departed
	tests := []struct {
		name     string
		records  func(bcn, val, newcomer signer, ca crypto.Signer) []stock.MemberRecord
		rejected map[string]int
		url      string // BCN-1's URL after
		departed bool   // BCN-1 departed after
		members  []string
	}{
		{name: "address change signed by its node, relayed by another",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{bcn.sign(bcnAt("https://bcn2.example", 5))}
			}, url: "https://bcn2.example"},
		{name: "departure signed by its node",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{bcn.sign(gone)}
			},
			departed: true},
		{name: "removal signed by the CA",
			records: func(_, _, _ signer, ca crypto.Signer) []stock.MemberRecord {
				r := gone
				if err := trust.SignRecordByCA(&r, ca); err != nil {
					panic(err)
				}
				return []stock.MemberRecord{r}
			}, departed: true},
		{name: "departure forged by another member with its own binding",
			records: func(_, val, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{val.sign(gone)}
			},
			rejected: map[string]int{stock.RejectBinding: 1}},
		{name: "address change signed by another key under BCN-1's binding",
			records: func(bcn, val, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := bcnAt("https://val.example", 5)
				trust.SignRecord(&r, val.key, bcn.binding)
				return []stock.MemberRecord{r}
			}, rejected: map[string]int{stock.RejectSig: 1}},
		{name: "address change altered after signing",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := bcn.sign(bcnAt("https://bcn2.example", 5))
				r.URL = "https://val.example"
				return []stock.MemberRecord{r}
			}, rejected: map[string]int{stock.RejectSig: 1}},
		{name: "removal claimed by the CA, signed by a member",
			records: func(_, val, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := val.sign(gone)
				r.By, r.Key = stock.SignedByCA, nil
				return []stock.MemberRecord{r}
			}, rejected: map[string]int{stock.RejectSig: 1}},
		{name: "unsigned departure",
			records: func(_, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := gone
				r.By = stock.SignedByCA
				return []stock.MemberRecord{r}
			}, rejected: map[string]int{stock.RejectInvalid: 1}},
		{name: "CA claim without the CA's signature",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := bcnAt("https://bcn.example", 5)
				r.HoldsCA = true
				return []stock.MemberRecord{bcn.sign(r)}
			}, rejected: map[string]int{stock.RejectCAClaim: 1}},
		{name: "CA claim countersigned by a member's key",
			records: func(bcn, val, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := bcnAt("https://bcn.example", 5)
				r.HoldsCA = true
				r = bcn.sign(r)
				other := val.sign(r)
				r.CASig = other.Sig
				return []stock.MemberRecord{r}
			}, rejected: map[string]int{stock.RejectCAClaim: 1}},
		{name: "bad id",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				r := bcnAt("https://bcn.example", 5)
				r.ID = "../../etc"
				return []stock.MemberRecord{bcn.sign(r)}
			}, rejected: map[string]int{stock.RejectInvalid: 1}},
		{name: "javascript URL",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{bcn.sign(bcnAt("javascript:alert(1)", 5))}
			}, rejected: map[string]int{stock.RejectInvalid: 1}},
		{name: "plain http URL",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{bcn.sign(bcnAt("http://bcn.example", 5))}
			}, rejected: map[string]int{stock.RejectInvalid: 1}},
		{name: "older record replayed",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{bcn.sign(bcnAt("https://old.example", 1))}
			}},
		{name: "genuine record under another key than the pinned one",
			records: func(bcn, _, _ signer, _ crypto.Signer) []stock.MemberRecord {
				_, key, _ := ed25519.GenerateKey(nil)
				f := pki.FilesIn(bcn.tlsDir)
				b, err := trust.Bind("BCN-1", key.Public().(ed25519.PublicKey), f.Cert, f.Key)
				if err != nil {
					panic(err)
				}
				return []stock.MemberRecord{signer{id: "BCN-1", key: key, binding: b}.sign(bcnAt("https://stolen.example", 5))}
			}, rejected: map[string]int{stock.RejectKey: 1}},
		{name: "new member signed by its node",
			records: func(_, _, newcomer signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{newcomer.sign(stock.MemberRecord{ID: "NEW-1", URL: "https://new.example", Version: 1})}
			}, members: []string{"MAD-1", "BCN-1", "VAL-1", "NEW-1"}},
		{name: "this node's departure signed by a member",
			records: func(_, val, _ signer, _ crypto.Signer) []stock.MemberRecord {
				return []stock.MemberRecord{val.sign(stock.MemberRecord{ID: "MAD-1", Version: 1 << 62, DepartedAt: &departed})}
			}},
	}
	for _, gossiped := range []bool{false, true} {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/gossiped=%v", tt.name, gossiped), func(t *testing.T) {
				n := holder(t)
				n.gossiped = gossiped
				bcn, val, newcomer := issue(t, n.caDir, "BCN-1"), issue(t, n.caDir, "VAL-1"), issue(t, n.caDir, "NEW-1")
				n.beat(t, "VAL-1", bcn.sign(bcnAt("https://bcn.example", 2)),
					val.sign(stock.MemberRecord{ID: "VAL-1", URL: "https://val.example", Version: 1}))
				writes := n.fs.writes
				n.beat(t, "VAL-1", tt.records(bcn, val, newcomer, caSigner(t, n.caDir))...)
				if got := n.rejected.get(); !maps.Equal(got, tt.rejected) && len(got)+len(tt.rejected) > 0 {
					t.Errorf("rejected %v, want %v", got, tt.rejected)
				}
				m, _ := n.Member("BCN-1")
				if want := cmp.Or(tt.url, "https://bcn.example"); m.URL != want || (m.DepartedAt != nil) != tt.departed {
					t.Errorf("BCN-1 = %+v, want URL %s, departed %v", m, want, tt.departed)
				}
				want := tt.members
				if want == nil {
					want = []string{"MAD-1", "BCN-1", "VAL-1"}
				}
				if !slices.Equal(memberIDs(n.Network), want) {
					t.Errorf("members %v, want %v", memberIDs(n.Network), want)
				}
				if me, _ := n.Member("MAD-1"); me.URL != "https://mad.example" || !me.Current() || !me.HoldsCA {
					t.Errorf("this node became %+v", me)
				}
				if tt.rejected != nil && tt.rejected[stock.RejectKey] == 0 && n.fs.writes != writes {
					t.Errorf("a refused record reached the database")
				}
			})
		}
	}
}

// memberIDs lists the ids of every warehouse n knows, its own first.
func memberIDs(n *Network) []string {
	var out []string
	for _, m := range n.All() {
		out = append(out, m.ID)
	}
	return out
}

// TestInventedMembers: 3,000 records of ids no certificate of the CA
// names, signed with a member's own key and binding, change nothing,
// reach no database, cost no memory to speak of, and are all counted.
func TestInventedMembers(t *testing.T) {
	n := holder(t)
	val := issue(t, n.caDir, "VAL-1")
	n.beat(t, "VAL-1", val.sign(stock.MemberRecord{ID: "VAL-1", URL: "https://val.example", Version: 1}))
	rs := make([]stock.MemberRecord, 3000)
	for i := range rs {
		rs[i] = val.sign(stock.MemberRecord{ID: fmt.Sprintf("INV-%d", i), URL: "https://inv.example", Version: 1})
	}
	before, writes := heap(), n.fs.writes
	n.beat(t, "VAL-1", rs...)
	rs = nil
	if grew := int64(heap()) - int64(before); grew > 1<<20 {
		t.Errorf("the heap grew by %d bytes", grew)
	}
	if got := memberIDs(n.Network); !slices.Equal(got, []string{"MAD-1", "VAL-1"}) || len(n.recordList()) != 2 {
		t.Errorf("members %v (%d records), want MAD-1 and VAL-1", got, len(n.recordList()))
	}
	if n.fs.writes != writes {
		t.Error("invented members reached the database")
	}
	got := n.rejected.get()
	if got[stock.RejectBinding] != MaxNewPerMessage || got[stock.RejectLimit] != 3000-MaxNewPerMessage {
		t.Errorf("rejected %v, want %d binding and the rest limit", got, MaxNewPerMessage)
	}
}

// heap returns the bytes in use after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestRecordsRelayed: a member that is not the CA holder verifies the
// holder's own record (its CA claim countersigned), the CA's admission of
// a new member, and that member's later record, all relayed by another
// member; a CA claim by the joiner is refused.
func TestRecordsRelayed(t *testing.T) {
	a := holder(t)
	b := issue(t, a.caDir, "BCN-1")
	n := newTestNet(t, stock.Warehouse{ID: "BCN-1", Name: "BCN-1", Local: true}, b.tlsDir, a.caDir)
	ctx := auth.AsNode(context.Background())
	redeem, err := a.admission(stock.JoinRedeem{Hash: "h", Member: stock.Warehouse{ID: "NEW-1", URL: "https://new.example"}})
	if err != nil {
		t.Fatal(err)
	}
	n.beat(t, "VAL-1", append(a.recordList(), *redeem.Record)...)
	if got := memberIDs(n.Network); !slices.Equal(got, []string{"BCN-1", "MAD-1", "NEW-1"}) {
		t.Fatalf("members %v", got)
	}
	if m, _ := n.Member("MAD-1"); !m.HoldsCA || m.URL != "https://mad.example" {
		t.Errorf("the CA holder as relayed: %+v", m)
	}
	newcomer := issue(t, a.caDir, "NEW-1")
	moved := newcomer.sign(stock.MemberRecord{ID: "NEW-1", URL: "https://new2.example", Version: redeem.Record.Version + 1})
	claim := newcomer.sign(stock.MemberRecord{ID: "NEW-1", URL: "https://new3.example", HoldsCA: true, Version: redeem.Record.Version + 2})
	n.beat(t, "MAD-1", moved)
	n.beat(t, "MAD-1", claim)
	if m, _ := n.Member("NEW-1"); m.URL != "https://new2.example" || m.HoldsCA {
		t.Errorf("NEW-1 = %+v, want its own address and no CA", m)
	}
	if got := n.rejected.get(); !maps.Equal(got, map[string]int{stock.RejectCAClaim: 1}) {
		t.Errorf("rejected %v", got)
	}
	if err := n.Learn(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestRemove: only an admin of the CA holder removes a member, never this
// node's own warehouse; the removal is a departure the CA signed, which
// any member verifies.
func TestRemove(t *testing.T) {
	a := holder(t)
	bcn := issue(t, a.caDir, "BCN-1")
	a.beat(t, "BCN-1", bcn.sign(stock.MemberRecord{ID: "BCN-1", URL: "https://bcn.example", Version: 1}))
	b := newTestNet(t, stock.Warehouse{ID: "BCN-1", Name: "BCN-1", Local: true}, bcn.tlsDir, a.caDir)
	admin := auth.WithPrincipal(context.Background(), auth.Principal{Name: "ana", Role: auth.RoleAdmin})
	operator := auth.WithPrincipal(context.Background(), auth.Principal{Name: "olga", Role: auth.RoleOperator})
	tests := []struct {
		name string
		n    testNet
		ctx  context.Context
		id   string
		want stock.Code
	}{
		{"operator", a, operator, "BCN-1", stock.CodeForbidden},
		{"not the CA holder", b, admin, "MAD-1", stock.CodeForbidden},
		{"own warehouse", a, admin, "MAD-1", stock.CodeForbidden},
		{"unknown", a, admin, "NOPE-1", stock.CodeNotFound},
		{"bad id", a, admin, "../../etc", stock.CodeInvalidInput},
		{"removed", a, admin, "BCN-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.n.Remove(tt.ctx, tt.id)
			if stock.CodeOf(err) != tt.want && !(tt.want == "" && err == nil) {
				t.Fatalf("Remove(%s) = %v, want %s", tt.id, err, tt.want)
			}
		})
	}
	if m, _ := a.Member("BCN-1"); m.Current() {
		t.Fatal("BCN-1 still a member after its removal")
	}
	v := newTestNet(t, stock.Warehouse{ID: "VAL-1", Name: "VAL-1", Local: true}, issue(t, a.caDir, "VAL-1").tlsDir, a.caDir)
	v.beat(t, "MAD-1", a.recordList()...)
	v.beat(t, "BCN-1", bcn.sign(stock.MemberRecord{ID: "BCN-1", URL: "https://back.example", Version: 1 << 62}))
	if m, _ := v.Member("BCN-1"); m.Current() || v.Current("BCN-1") {
		t.Errorf("VAL-1 sees the removed BCN-1 as %+v", m)
	}
}
