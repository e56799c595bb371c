package member

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
)

// fakeStore is a Store in memory: redeem refuses when refuse is set, and
// otherwise records the member.
type fakeStore struct {
	mu       sync.Mutex
	members  []stock.Warehouse
	tokens   []stock.JoinTokenNew
	redeemed []stock.JoinRedeem
	refuse   error
	records  map[string]stock.MemberRecord
	keys     map[string][]byte // the key first seen for each id
	writes   int               // calls of RecordMembers
}

var _ Store = (*fakeStore)(nil)

func (s *fakeStore) LocalWarehouse(context.Context) (*stock.Warehouse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.members[0]
	return &w, nil
}

func (s *fakeStore) Members(context.Context) ([]stock.Warehouse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.members), nil
}

// RecordMembers keeps each record that supersedes the held one, refusing
// one signed with another key than the first seen for its id, as the
// store does.
func (s *fakeStore) RecordMembers(_ context.Context, rs []stock.MemberRecord) (*stock.MemberRecorded, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.records == nil {
		s.records, s.keys = map[string]stock.MemberRecord{}, map[string][]byte{}
	}
	s.writes++
	out := &stock.MemberRecorded{}
	for _, r := range rs {
		if old, ok := s.records[r.ID]; ok && !r.Supersedes(&old) {
			continue
		}
		if r.By == stock.SignedBySelf {
			if k, ok := s.keys[r.ID]; ok && !bytes.Equal(k, r.Key.Key) {
				out.Rejected = append(out.Rejected, stock.RecordRejection{ID: r.ID, Reason: stock.RejectKey})
				continue
			}
			s.keys[r.ID] = r.Key.Key
		}
		s.records[r.ID] = r
		w := r.Warehouse()
		if i := slices.IndexFunc(s.members, func(m stock.Warehouse) bool { return m.ID == r.ID }); i >= 0 {
			w.Local = s.members[i].Local
			s.members[i] = w
		} else {
			s.members = append(s.members, w)
		}
		out.Accepted = append(out.Accepted, r)
	}
	out.Warehouses = slices.Clone(s.members)
	return out, nil
}

func (s *fakeStore) MemberRecords(context.Context) ([]stock.MemberRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Values(s.records)), nil
}

func (s *fakeStore) RemoveMember(ctx context.Context, r stock.MemberRecord) (*stock.Warehouse, error) {
	if _, err := s.RecordMembers(ctx, []stock.MemberRecord{r}); err != nil {
		return nil, err
	}
	w := r.Warehouse()
	return &w, nil
}

func (s *fakeStore) CreateJoinToken(_ context.Context, t stock.JoinTokenNew) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = append(s.tokens, t)
	return nil
}

func (s *fakeStore) RedeemJoinToken(_ context.Context, r stock.JoinRedeem) (*stock.Warehouse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refuse != nil {
		return nil, s.refuse
	}
	s.redeemed = append(s.redeemed, r)
	s.members = append(s.members, r.Member)
	if r.Record != nil {
		if s.records == nil {
			s.records, s.keys = map[string]stock.MemberRecord{}, map[string][]byte{}
		}
		s.records[r.Member.ID] = *r.Record
	}
	return &r.Member, nil
}

// holderNetwork returns the Network of a CA holder MAD-1 over a fakeStore.
func holderNetwork(t *testing.T) (*Network, *fakeStore) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tls")
	if _, err := pki.EnsureNode(dir, "MAD-1", nil); err != nil {
		t.Fatal(err)
	}
	fs := &fakeStore{members: []stock.Warehouse{{ID: "MAD-1", Local: true, HoldsCA: true}}}
	n, err := New(context.Background(), Config{Store: fs, TLSDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return n, fs
}

// TestAdmit checks what the CA holder signs for a join: the id only, the
// advertised URL's host and the declared names only, and nothing at all
// (no redemption either) for a request it refuses.
func TestAdmit(t *testing.T) {
	csr, _, err := pki.NewCSR("BCN-1", []string{"mad.example"}) // names the CA must ignore
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := pki.NewCSR("VAL-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := auth.AsNode(context.Background())
	tests := []struct {
		name     string
		req      JoinRequest
		token    bool  // a well-formed token of this network
		refuse   error // the store's answer to the redemption
		want     stock.Code
		redeemed bool
	}{
		{name: "admitted", req: JoinRequest{ID: "BCN-1", URL: "https://bcn.example:8443", SANs: []string{"localhost"}, CSR: string(csr)},
			token: true, redeemed: true},
		{name: "no token", req: JoinRequest{ID: "BCN-1", URL: "https://bcn.example", CSR: string(csr)}, want: stock.CodeInvalidInput},
		{name: "token refused", req: JoinRequest{ID: "BCN-1", URL: "https://bcn.example", CSR: string(csr)}, token: true,
			refuse: stock.Errorf(stock.CodeForbidden, "the join token was already used"), want: stock.CodeForbidden},
		{name: "request for another id", req: JoinRequest{ID: "BCN-1", URL: "https://bcn.example", CSR: string(other)},
			token: true, want: stock.CodeInvalidInput},
		{name: "bad id", req: JoinRequest{ID: "../../etc", URL: "https://bcn.example", CSR: string(csr)}, token: true,
			want: stock.CodeInvalidInput},
		{name: "plain http", req: JoinRequest{ID: "BCN-1", URL: "http://bcn.example", CSR: string(csr)}, token: true,
			want: stock.CodeInvalidInput},
		{name: "javascript URL", req: JoinRequest{ID: "BCN-1", URL: "javascript:alert(1)", CSR: string(csr)}, token: true,
			want: stock.CodeInvalidInput},
		{name: "no URL", req: JoinRequest{ID: "BCN-1", CSR: string(csr)}, token: true, want: stock.CodeInvalidInput},
		{name: "wildcard name", req: JoinRequest{ID: "BCN-1", URL: "https://bcn.example", SANs: []string{"*.example"}, CSR: string(csr)},
			token: true, want: stock.CodeInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, fs := holderNetwork(t)
			fs.refuse = tt.refuse
			if tt.token {
				tok, err := newToken("MAD-1", n.Fingerprint())
				if err != nil {
					t.Fatal(err)
				}
				tt.req.Token = tok.String()
			}
			answer, err := n.onSign(ctx, "VAL-1", tt.req)
			if (len(fs.redeemed) > 0) != tt.redeemed {
				t.Errorf("redeemed = %+v, want %v", fs.redeemed, tt.redeemed)
			}
			if tt.want != "" {
				if stock.CodeOf(err) != tt.want || answer != nil {
					t.Fatalf("onSign = %+v, %v; want %s and no certificate", answer, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			certs, err := pki.ParseCerts([]byte(answer.Cert))
			if err != nil {
				t.Fatal(err)
			}
			c := certs[0]
			if c.Subject.CommonName != "BCN-1" {
				t.Errorf("CommonName = %q, want BCN-1", c.Subject.CommonName)
			}
			if !slices.Equal(c.DNSNames, []string{"bcn.example", "localhost"}) || len(c.IPAddresses) != 0 {
				t.Errorf("names = %v %v, want the URL's host and the declared names only", c.DNSNames, c.IPAddresses)
			}
			r := fs.redeemed[0]
			if r.Via != "VAL-1" || !slices.Equal(r.Names, []string{"bcn.example", "localhost"}) || r.Member.URL != "https://bcn.example:8443" {
				t.Errorf("redeemed %+v, want via VAL-1 with the certificate's names", r)
			}
		})
	}
}

// TestAdmitAnotherNetwork checks that a token of another network's CA is
// refused before anything is redeemed.
func TestAdmitAnotherNetwork(t *testing.T) {
	n, fs := holderNetwork(t)
	tok, _ := newToken("MAD-1", strings.Repeat("ab", 32))
	csr, _, _ := pki.NewCSR("BCN-1", nil)
	_, err := n.Admit(auth.AsNode(context.Background()), JoinRequest{Token: tok.String(), ID: "BCN-1", URL: "https://bcn", CSR: string(csr)})
	if stock.CodeOf(err) != stock.CodeForbidden || len(fs.redeemed) != 0 {
		t.Fatalf("Admit = %v (redeemed %+v), want FORBIDDEN and nothing redeemed", err, fs.redeemed)
	}
}

// TestCreateJoinToken checks the token specs the CA holder accepts, from
// its admin and from a member asking for one.
func TestCreateJoinToken(t *testing.T) {
	admin := auth.WithPrincipal(context.Background(), auth.Principal{Name: "ana", Role: auth.RoleAdmin})
	tests := []struct {
		name  string
		spec  TokenSpec
		asker string // "" the CA holder's admin, else the member asking
		want  stock.Code
		rec   stock.JoinTokenNew // what is stored (hash and expiry aside)
	}{
		{name: "any new id", spec: TokenSpec{}},
		{name: "named id", spec: TokenSpec{Warehouse: " BCN-1 "}, rec: stock.JoinTokenNew{Warehouse: "BCN-1"}},
		{name: "rejoin", spec: TokenSpec{Warehouse: "BCN-1", Rejoin: true}, rec: stock.JoinTokenNew{Warehouse: "BCN-1", Rejoin: true}},
		{name: "rejoin without an id", spec: TokenSpec{Rejoin: true}, want: stock.CodeInvalidInput},
		{name: "bad id", spec: TokenSpec{Warehouse: "../../etc"}, want: stock.CodeInvalidInput},
		{name: "too long", spec: TokenSpec{TTL: MaxTokenTTL + time.Second}, want: stock.CodeInvalidInput},
		{name: "member asks", spec: TokenSpec{Warehouse: "VAL-1"}, asker: "BCN-1",
			rec: stock.JoinTokenNew{Warehouse: "VAL-1", AskedBy: "BCN-1"}},
		{name: "member asks for a rejoin", spec: TokenSpec{Warehouse: "VAL-1", Rejoin: true}, asker: "BCN-1", want: stock.CodeForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, fs := holderNetwork(t)
			var tok *JoinToken
			var err error
			if tt.asker == "" {
				tok, err = n.CreateJoinToken(admin, tt.spec)
			} else {
				in := tokenRequest{TTL: int64(tt.spec.TTL / time.Second), Warehouse: tt.spec.Warehouse, Rejoin: tt.spec.Rejoin}
				tok, err = n.onJoinToken(auth.AsNode(context.Background()), tt.asker, in)
			}
			if tt.want != "" {
				if stock.CodeOf(err) != tt.want || len(fs.tokens) != 0 {
					t.Fatalf("token = %+v, %v (stored %+v); want %s, none stored", tok, err, fs.tokens, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := ParseToken(tok.Token)
			if err != nil || parsed.Issuer != "MAD-1" || len(fs.tokens) != 1 || fs.tokens[0].Hash != parsed.Hash() {
				t.Fatalf("token %+v (%v) stored as %+v, want issued by MAD-1 and stored by hash", parsed, err, fs.tokens)
			}
			got := fs.tokens[0]
			got.Hash, got.ExpiresAt = "", time.Time{}
			if got != tt.rec {
				t.Errorf("stored %+v, want %+v", got, tt.rec)
			}
		})
	}
	t.Run("not an admin", func(t *testing.T) {
		n, _ := holderNetwork(t)
		viewer := auth.WithPrincipal(context.Background(), auth.Principal{Name: "v", Role: auth.RoleViewer})
		if _, err := n.CreateJoinToken(viewer, TokenSpec{}); stock.CodeOf(err) != stock.CodeForbidden {
			t.Errorf("a viewer's token: %v, want FORBIDDEN", err)
		}
	})
}
