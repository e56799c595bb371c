package peer

import (
	"context"
	"crypto/tls"
	"fmt"
	"github.com/stockmesh/stockmesh/server/auth"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/rest"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// directQueue hands jobs straight to a store, writes one at a time: the
// node's queue without ZMQ, which this package must not link.
type directQueue struct {
	s  *store.Store
	mu sync.Mutex
}

func (q *directQueue) Do(ctx context.Context, class stock.Class, job []byte) ([]byte, error) {
	if class == stock.ClassWrite {
		q.mu.Lock()
		defer q.mu.Unlock()
		return q.s.HandleWrites([][]byte{job})[0], nil
	}
	return q.s.HandleRead(ctx, job), nil
}

// watchPublisher advances a Watcher for every committed entry.
type watchPublisher struct{ w *Watcher }

func (p watchPublisher) Publish(msg []byte) {
	if origin, seq, ok := stock.EntryHead(msg); ok {
		p.w.Advance(origin, seq)
	}
}

// testNode is one warehouse: a real store in a temp dir, its service, and
// its sync endpoints on a mutual-TLS server.
type testNode struct {
	id    string
	svc   *stock.Service
	url   string
	repl  *Replicator
	watch *Watcher
	peers []Member // whom its replicator pulls from
	mu    sync.Mutex
}

// network is a certificate authority the test nodes share.
type network struct {
	t      *testing.T
	caDir  string // ca.crt and ca.key
	server *tls.Config
	client *http.Client
}

func newNetwork(t *testing.T) *network {
	t.Helper()
	ca, err := pki.NewCA("test network")
	if err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM, err := ca.IssueNode([]string{"127.0.0.1", "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	caFile := dir + "/ca.crt"
	n0 := &network{caDir: dir}
	if err := ca.Save(caFile, dir+"/ca.key"); err != nil {
		t.Fatal(err)
	}
	pool, err := pki.LoadCAPool(caFile)
	if err != nil {
		t.Fatal(err)
	}
	return &network{t: t, caDir: n0.caDir,
		server: &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool},
		client: &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool}}},
	}
}

// node starts warehouse id, with its log from epoch given (a fresh one
// when "") and a replicator.
func (n *network) node(id string) *testNode {
	t := n.t
	w := NewWatcher()
	dir := t.TempDir()
	cert := n.nodeCert(dir, id)
	s, err := store.Open(dir, store.Options{Publisher: watchPublisher{w}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc := stock.NewService(&directQueue{s: s})
	if _, err := svc.InitWarehouse(auth.AsNode(context.Background()), id, id); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	stopping := make(chan struct{})
	// The node wraps the sync routes in member.Guard.RequirePeer, which lets a member act as the node.
	NewHandler(svc, w, rest.WriteError, stopping).Register(mux, func(_ string, h http.Handler) http.Handler {
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(rw, r.WithContext(auth.AsNode(r.Context())))
		})
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = n.server.Clone()
	srv.TLS.Certificates = []tls.Certificate{cert}
	srv.StartTLS()
	t.Cleanup(func() { close(stopping); srv.Close() })
	tn := &testNode{id: id, svc: svc, url: srv.URL, watch: w}
	r := NewReplicator(id, svc, n.client, tn.members, slog.New(slog.DiscardHandler))
	tn.repl = r
	ctx, cancel := context.WithCancel(auth.AsNode(context.Background()))
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return tn
}

func (tn *testNode) members() []Member {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	return append([]Member(nil), tn.peers...)
}

// pullFrom makes tn pull from others.
func (tn *testNode) pullFrom(others ...*testNode) {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	for _, o := range others {
		tn.peers = append(tn.peers, Member{ID: o.id, URL: o.url, Online: true})
	}
}

// load records n random movements on tn's warehouse over a few products.
func (tn *testNode) load(t *testing.T, r *rand.Rand, n int) {
	t.Helper()
	ctx := auth.AsNode(context.Background())
	for i := range 3 {
		sku := fmt.Sprintf("%s-P%d", tn.id, i)
		if _, err := tn.svc.Product(ctx, stock.ProductRef{SKU: sku}); err == nil {
			continue
		}
		if _, err := tn.svc.CreateProduct(ctx, stock.CreateProductInput{SKU: sku, Name: sku, InitialQuantity: 1000}); err != nil {
			t.Fatal(err)
		}
	}
	for range n {
		in := stock.MovementInput{SKU: fmt.Sprintf("%s-P%d", tn.id, r.IntN(3)), Kind: stock.KindSale, Quantity: 1 + r.Int64N(3)}
		if r.IntN(2) == 0 {
			in.Kind = stock.KindPurchase
		}
		if _, err := tn.svc.RecordMovement(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
}

// log returns origin's whole log as tn holds it.
func (tn *testNode) log(t *testing.T, origin string) []stock.LogEntry {
	t.Helper()
	var out []stock.LogEntry
	for {
		page, err := tn.svc.Changes(auth.AsNode(context.Background()), origin, int64(len(out)), 500)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Entries...)
		if len(page.Entries) == 0 {
			return out
		}
	}
}

// converge waits until every node holds every origin's log as its origin
// does, and fails after a while.
func converge(t *testing.T, nodes ...*testNode) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, origin := range nodes {
		want := origin.log(t, origin.id)
		for _, n := range nodes {
			for {
				got := n.log(t, origin.id)
				if reflect.DeepEqual(got, want) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s holds %d entries of %s's log, which has %d (or they differ)", n.id, len(got), origin.id, len(want))
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
}

// eventually waits until cond holds, failing the test after 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 20 s", what)
		}
	}
}

// TestReplicationConverges: three nodes in a line (C pulls only from B, B
// from A and C, A from B) replicate each other's logs while all three
// write, C getting A's log through B; every node ends with every log,
// identical to its origin's.
func TestReplicationConverges(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(uint64(seed), 2))
	net := newNetwork(t)
	a, b, c := net.node("A"), net.node("B"), net.node("C")
	a.pullFrom(b)
	b.pullFrom(a, c)
	c.pullFrom(b)
	start := time.Now()
	for range 4 {
		a.load(t, r, 20)
		b.load(t, r, 10)
		c.load(t, r, 15)
	}
	t.Logf("load took %v", time.Since(start))
	converge(t, a, b, c)
	t.Logf("converged after %v", time.Since(start))
	// Replicas apply the origin's values: the products and quantities too.
	p, err := c.svc.Heads(auth.AsNode(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Heads) != 3 || p.Heads[0].Origin != "C" {
		t.Fatalf("C's heads = %+v, want C first and A, B", p.Heads)
	}
}

// TestResetLogRefused: a node whose log was begun again under an id the
// network already holds (a wiped data folder) is not mixed in: its
// entries are refused by epoch, and the old history stays.
func TestResetLogRefused(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	net := newNetwork(t)
	a, b := net.node("A"), net.node("B")
	b.pullFrom(a)
	a.load(t, r, 10)
	converge(t, a, b)
	old := b.log(t, "A")

	wiped := net.node("A") // same id, new data folder: a new epoch
	wiped.load(t, r, 30)   // a longer history than the old one
	b.mu.Lock()
	b.peers = []Member{{ID: "A", URL: wiped.url, Online: true}} // online: the replicator follows only members that are
	b.mu.Unlock()
	eventually(t, "B refusing A's new epoch", func() bool { return b.repl.isBlocked("A") })
	if got := b.log(t, "A"); !reflect.DeepEqual(got, old) {
		t.Fatalf("B holds %d entries of A after the reset, had %d: the new log was mixed in", len(got), len(old))
	}
}

// TestSyncRefusals: another protocol version, a cursor beyond the head of
// the node's own log and bad parameters are refused with a clear error.
func TestSyncRefusals(t *testing.T) {
	net := newNetwork(t)
	a := net.node("A")
	a.load(t, rand.New(rand.NewPCG(1, 2)), 3)
	v := strconv.Itoa(Protocol)
	cases := []struct {
		name, path, version string
		want                int
	}{
		{"no version", ChangesPath + "?origin=A", "", http.StatusBadRequest},
		{"other version", ChangesPath + "?origin=A", "1", http.StatusBadRequest},
		{"beyond the head", ChangesPath + "?origin=A&after=999", v, http.StatusBadRequest},
		{"bad origin", ChangesPath + "?origin=a%20b", v, http.StatusBadRequest},
		{"bad wait", ChangesPath + "?origin=A&wait=99", v, http.StatusBadRequest},
		{"bad limit", ChangesPath + "?origin=A&limit=-1", v, http.StatusBadRequest},
		{"limit too large", ChangesPath + "?origin=A&limit=10001", v, http.StatusBadRequest},
		{"negative after", ChangesPath + "?origin=A&after=-1", v, http.StatusBadRequest},
		{"default limit", ChangesPath + "?origin=A&limit=0", v, http.StatusOK},
		{"fine", ChangesPath + "?origin=A&after=2", v, http.StatusOK},
		{"heads", HeadsPath, v, http.StatusOK},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", a.url+tt.path, nil)
			if tt.version != "" {
				req.Header.Set(ProtocolHeader, tt.version)
			}
			res, err := net.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.want || res.Header.Get(ProtocolHeader) != v {
				t.Fatalf("status %d (protocol %q), want %d", res.StatusCode, res.Header.Get(ProtocolHeader), tt.want)
			}
		})
	}
}

// TestLongPollWakes: a changes request waiting for news returns the entry
// committed while it waits.
func TestLongPollWakes(t *testing.T) {
	net := newNetwork(t)
	a := net.node("A")
	r := rand.New(rand.NewPCG(1, 2))
	a.load(t, r, 1)
	c := &client{http: net.client, base: a.url}
	heads, err := c.heads(auth.AsNode(context.Background()), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := heads.Heads[0].LastSeq
	got := make(chan *ChangesReply, 1)
	go func() {
		reply, err := c.changes(auth.AsNode(context.Background()), "A", last, 10, 20*time.Second)
		if err != nil {
			t.Error(err)
		}
		got <- reply
	}()
	eventually(t, "the long poll waiting", func() bool { return a.watch.waiting() > 0 })
	a.load(t, r, 1)
	select {
	case reply := <-got:
		if reply == nil || len(reply.Entries) != 1 || reply.LastSeq != last+1 {
			t.Fatalf("long poll answered %+v, want the one new entry", reply)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the long poll did not return the new entry")
	}
}

// nodeCert gives the data folder dir a certificate of warehouse id from
// the network's CA, which the node serves with and binds its log key to.
func (n *network) nodeCert(dir, id string) tls.Certificate {
	t := n.t
	tlsDir := filepath.Join(dir, "tls")
	if err := os.MkdirAll(tlsDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ca.crt", "ca.key"} {
		b, err := os.ReadFile(filepath.Join(n.caDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tlsDir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := pki.EnsureNode(tlsDir, id, []string{"127.0.0.1", "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
