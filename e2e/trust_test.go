package e2e

import (
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/faultproxy"
	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// replicaView is what a node shows of its replica of one warehouse.
type replicaView struct {
	Seq     int
	Digest  string
	Problem *struct {
		Kind     string
		ServedBy string
		Detail   string
	}
}

// String returns "seq/digest", and the problem if any.
func (v replicaView) String() string {
	s := fmt.Sprintf("%d/%s", v.Seq, v.Digest)
	if v.Problem != nil {
		s += fmt.Sprintf(" (%s served by %s: %s)", v.Problem.Kind, v.Problem.ServedBy, v.Problem.Detail)
	}
	return s
}

// warehouseView is what a test reads of one warehouse a node knows.
type warehouseView struct {
	ID      string
	Online  bool
	Behind  int
	Replica *replicaView
}

// warehouseOf returns what n knows of warehouse (zero when nothing).
func warehouseOf(t testing.TB, n *testnode.Node, warehouse string) warehouseView {
	t.Helper()
	var out struct{ Warehouses []warehouseView }
	decode(t, n.MustGraphQL(t, `{ warehouses { id online behind replica { seq digest problem { kind servedBy since detail } } } }`, nil), &out)
	for _, w := range out.Warehouses {
		if w.ID == warehouse {
			return w
		}
	}
	return warehouseView{}
}

// replicaOf returns n's replica of warehouse (zero when n holds none).
func replicaOf(t testing.TB, n *testnode.Node, warehouse string) replicaView {
	t.Helper()
	if r := warehouseOf(t, n, warehouse).Replica; r != nil {
		return *r
	}
	return replicaView{}
}

// firstSeq returns the seq of a replica's "SEQ/DIGEST".
func firstSeq(t testing.TB, v string) int {
	t.Helper()
	var seq int
	if _, err := fmt.Sscanf(v, "%d/", &seq); err != nil {
		t.Fatalf("replica %q: %v", v, err)
	}
	return seq
}

// behindOf returns how many entries of warehouse's log n was told of and
// does not hold (its warehouses' behind).
func behindOf(t testing.TB, n *testnode.Node, warehouse string) int {
	t.Helper()
	return warehouseOf(t, n, warehouse).Behind
}

// rejected returns n's stockmesh_sync_rejected_total for reason ("": all
// reasons).
func rejected(t testing.TB, n *testnode.Node, reason string) float64 {
	t.Helper()
	_, _, body := request(t, n, "GET", "/metrics", n.Token, nil, "")
	sum := 0.0
	for _, line := range strings.Split(body, "\n") {
		rest, ok := strings.CutPrefix(line, "stockmesh_sync_rejected_total{")
		if !ok || (reason != "" && !strings.HasPrefix(rest, `reason="`+reason+`"`)) {
			continue
		}
		if v, err := strconv.ParseFloat(rest[strings.LastIndexByte(rest, ' ')+1:], 64); err == nil {
			sum += v
		}
	}
	return sum
}

// audited reports whether n's audit log holds action about subject.
func audited(t testing.TB, n *testnode.Node, action, subject string) bool {
	t.Helper()
	var out struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Action, Subject string }
			}
		}
	}
	decode(t, n.MustGraphQL(t, `{ auditLog(first: 200) { edges { node { action subject } } } }`, nil), &out)
	for _, e := range out.AuditLog.Edges {
		if e.Node.Action == action && e.Node.Subject == subject {
			return true
		}
	}
	return false
}

// transferIDs returns the ids of every transfer n knows of.
func transferIDs(t testing.TB, n *testnode.Node) []string {
	t.Helper()
	var out struct {
		Transfers struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	decode(t, n.MustGraphQL(t, `{ transfers(first: 100) { edges { node { id } } } }`, nil), &out)
	var ids []string
	for _, e := range out.Transfers.Edges {
		ids = append(ids, e.Node.ID)
	}
	return ids
}

// logDigests returns the digest of origin's log at every seq, as n (its
// origin) holds it, read over the sync protocol as member as would.
func logDigests(t testing.TB, n, as *testnode.Node, origin string) map[int64]string {
	t.Helper()
	hc := as.PeerClient(t)
	digests := map[int64]string{}
	d := stock.ResumeDigest([32]byte{})
	for after := int64(0); ; {
		req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s%s?origin=%s&after=%d&limit=5000&wait=0",
			n.URL, peer.ChangesPath, origin, after), nil)
		req.Header.Set(peer.ProtocolHeader, strconv.Itoa(peer.Protocol))
		res, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		var page stock.ChangeBatch
		if err != nil || res.StatusCode != http.StatusOK || json.Unmarshal(body, &page) != nil {
			t.Fatalf("reading %s's log after %d: %s %v %.200s", origin, after, res.Status, err, body)
		}
		if len(page.Entries) == 0 {
			return digests
		}
		for i := range page.Entries {
			if err := d.Add(&page.Entries[i]); err != nil {
				t.Fatal(err)
			}
			after = page.Entries[i].Seq
			digests[after] = d.String()
		}
	}
}

// seller sells one unit of sku on n every interval until stopped,
// referencing each sale s-N.
type seller struct {
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
	sold int
}

// startSeller starts selling on n, sellerBurst sales at once each sellerBurst*every (a sale every every on average).
func startSeller(n *testnode.Node, sku string, every time.Duration) *seller {
	every *= sellerBurst
	s := &seller{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for k := 0; ; k++ {
			select {
			case <-s.stop:
				return
			case <-time.After(every):
			}
			var wg sync.WaitGroup
			for j := range sellerBurst { // at once, so that runs of the log hold several entries
				wg.Go(func() {
					if sell(n, sku, fmt.Sprintf("s-%d-%d", k, j)) {
						s.mu.Lock()
						s.sold++
						s.mu.Unlock()
					}
				})
			}
			wg.Wait()
		}
	}()
	return s
}

// sellerBurst is how many sales a seller makes at once.
const sellerBurst = 4

// Stop stops selling and returns how many sales were acknowledged.
func (s *seller) Stop() int {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sold
}

// relayed is a node C that reaches MAD-1 only through B's front door: its
// calls go through out, which refuses MAD-1's address.
type relayed struct {
	*testnode.Node
	id      string
	out     *faultproxy.Proxy
	samples map[string]bool // "seq/digest" of MAD-1 as it showed them
}

// sample records C's replica of MAD-1 as it shows it now, and returns it.
func (c *relayed) sample(t testing.TB) replicaView {
	v := replicaOf(t, c.Node, "MAD-1")
	if v.Seq > 0 {
		c.samples[fmt.Sprintf("%d/%s", v.Seq, v.Digest)] = true
	}
	return v
}

// startRelayed starts node id that joins through the front door and
// reaches every member but a (TestCompromisedRelay then blocks the
// others like it).
func startRelayed(t *testing.T, a *testnode.Node, fd *frontDoor, id string) *relayed {
	t.Helper()
	out, err := faultproxy.StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	out.Block(a.Addr)
	listen := testnode.FreeAddr(t)
	n := testnode.StartIn(t, t.TempDir(), listen, "--id", id, "--join", "https://"+fd.Addr(),
		"--join-token", a.JoinToken(t, 600), "--advertise", "https://"+listen, "--peer-proxy", out.URL())
	return &relayed{Node: n, id: id, out: out, samples: map[string]bool{}}
}

// TestCompromisedRelay: C reaches MAD-1's entries only through B, whose
// front door (holding only B's own certificate and keys) rewrites what it
// relays, one way at a time, while MAD-1 keeps selling: bytes of relayed
// entries (a quantity, a reference, a balance) under the real proof; a
// forged transfer to C under a head B signed with its own key; old entries
// replayed; an entry dropped. C applies none of it: its replica of MAD-1
// never shows a digest MAD-1 did not have, no forged transfer appears, the
// refusal is counted for its reason, shown as UNVERIFIABLE served by
// BCN-1, and audited. Once C reaches MAD-1 again it ends with MAD-1's
// exact seq and digest, and the problem is gone.
func TestCompromisedRelay(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1")
	fd := listenFrontDoor(t)
	b := testnode.StartIn(t, t.TempDir(), testnode.FreeAddr(t),
		testnode.JoinArgs(a, a.JoinToken(t, 600), "BCN-1", fd.Addr())...)
	fd.serve(t, b)
	key, err := trust.LoadOrCreateKey(filepath.Join(b.DataDir, trust.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	files := b.TLSFiles()
	binding, err := trust.Bind("MAD-1", key.Public().(ed25519.PublicKey), files.Cert, files.Key)
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, a, "A-SKU", 1_000_000)

	modes := []struct {
		name   string
		tamper func(to string) tamperFunc
		reason string // the reason the refusal is counted under
	}{
		{"rewritten quantity", func(string) tamperFunc { return rewriteQuantity }, "chain"},
		{"rewritten reference", func(string) tamperFunc { return rewriteReference }, "chain"},
		{"rewritten balance", func(string) tamperFunc { return rewriteBalance }, "chain"},
		{"forged transfer signed by the relay", func(to string) tamperFunc { return forgeTransfer(key, binding, to) }, "signature"},
		{"old entries under the next page's proof", func(string) tamperFunc { return replayUnderProof }, "chain"},
		{"stale page replayed for a later cursor", func(string) tamperFunc { return replayStale }, "chain"},
		{"entry dropped inside a page", func(string) tamperFunc { return dropEntry(1, 3) }, "validation"},
		{"first entry dropped (a gap at the cursor)", func(string) tamperFunc { return dropEntry(0, 2) }, "chain"},
	}
	nodes := make([]*relayed, len(modes))
	for i := range modes {
		nodes[i] = startRelayed(t, a, fd, fmt.Sprintf("VLC-%d", i+1))
	}
	for _, c := range nodes { // B is the only member each reaches: the others would relay MAD-1 honestly
		for _, other := range nodes {
			if other != c {
				c.out.Block(other.Addr)
			}
		}
	}
	sales := startSeller(a, "A-SKU", 100*time.Millisecond)
	defer sales.Stop()
	for _, c := range nodes { // each holds some of MAD-1, relayed honestly
		deadline := time.Now().Add(30 * time.Second)
		for c.sample(t).Seq == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%s holds nothing of MAD-1 30 s after joining", c.id)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	for i, m := range modes {
		c := nodes[i]
		t.Run(m.name, func(t *testing.T) {
			fd.set(c.id, m.tamper(c.id))
			defer c.out.Unblock(a.Addr)
			defer fd.set(c.id, nil)
			var v replicaView
			deadline := time.Now().Add(30 * time.Second)
			for {
				v = c.sample(t)
				if rejected(t, c.Node, m.reason) > 0 && v.Problem != nil {
					break
				}
				if time.Now().After(deadline) {
					served, tampered := fd.counts(c.id)
					t.Fatalf("%s: no refusal counted for %q within 30 s (counted for any reason: %v); MAD-1 there is %v; "+
						"the front door relayed %d answers, rewrote %d, failed %v",
						c.id, m.reason, rejected(t, c.Node, ""), v, served, tampered, fd.failures())
				}
				time.Sleep(200 * time.Millisecond)
			}
			if v.Problem.Kind != "UNVERIFIABLE" || v.Problem.ServedBy != "BCN-1" {
				t.Errorf("%s shows the problem with MAD-1 as %v, want UNVERIFIABLE served by BCN-1", c.id, v)
			}
			if !audited(t, c.Node, "replica.rejected", "MAD-1") {
				t.Errorf("%s's audit log holds no replica.rejected of MAD-1", c.id)
			}
			if ids := transferIDs(t, c.Node); len(ids) > 0 {
				t.Errorf("%s lists transfers %v that MAD-1 never made", c.id, ids)
			}
			for range 5 { // it stays refused while the relay keeps at it
				c.sample(t)
				time.Sleep(200 * time.Millisecond)
			}
			if errs := fd.failures(); len(errs) > 0 {
				t.Fatalf("the front door could not tamper as meant: %v", errs)
			}
		})
	}

	sold := sales.Stop()
	want := replicaOf(t, a, "MAD-1")
	t.Logf("MAD-1 sold %d units meanwhile; its log is at %v", sold, want)
	digests := logDigests(t, a, b, "MAD-1")
	for _, c := range nodes {
		deadline := time.Now().Add(60 * time.Second)
		for v := c.sample(t); v.Seq != want.Seq || v.Digest != want.Digest || v.Problem != nil; v = c.sample(t) {
			if time.Now().After(deadline) {
				t.Fatalf("%s holds MAD-1 at %v 60 s after reaching it again, MAD-1 at %v", c.id, v, want)
			}
			time.Sleep(200 * time.Millisecond)
		}
		for s := range c.samples {
			seq, digest, _ := strings.Cut(s, "/")
			n, _ := strconv.ParseInt(seq, 10, 64)
			if digests[n] != digest {
				t.Errorf("%s showed MAD-1 at %s; MAD-1's digest at %d is %s", c.id, s, n, digests[n])
			}
		}
		if got, want := quantityIn(t, c.Node, "MAD-1", "A-SKU"), quantity(t, a, "A-SKU"); got != want {
			t.Errorf("%s holds %d of MAD-1's A-SKU, MAD-1 %d", c.id, got, want)
		}
		checkLedgerOf(t, c.Node, "MAD-1", "A-SKU")
		if ids := transferIDs(t, c.Node); len(ids) > 0 {
			t.Errorf("%s lists transfers %v that MAD-1 never made", c.id, ids)
		}
	}
}

// quantityIn returns the stock of sku in warehouse as n holds it.
func quantityIn(t testing.TB, n *testnode.Node, warehouse, sku string) int {
	t.Helper()
	var out struct{ Product struct{ Quantity int } }
	decode(t, n.MustGraphQL(t, `query($s: ID!, $w: ID) { product(sku: $s, warehouse: $w) { quantity } }`,
		map[string]any{"s": sku, "w": warehouse}), &out)
	return out.Product.Quantity
}

// copyTree copies the files under src to dst, keeping their modes.
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), info.Mode().Perm())
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatalf("copying %s to %s: %v", src, dst, err)
	}
}

// sellAll records a sale of sku on n for each key, failing the test on a
// refusal.
func sellAll(t testing.TB, n *testnode.Node, sku string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if !sell(n, sku, k) {
			t.Fatalf("the sale %s of %s was refused", k, sku)
		}
	}
}

// TestFork: BCN-1's data folder is backed up while it is stopped; it runs
// on and writes more, which every node holds; then the backup is restored
// and it writes again, so that it signs different entries at seqs the
// others hold. Every other node detects the fork: BCN-1 is shown with a
// FORK problem, audited as replica.fork, counted under reason "fork", and
// its replica stops at the first history. Detected whether the restored
// node writes past what the others hold (its new run's anchor) or stays
// behind them (its signed heads, compared by the sweeps).
func TestFork(t *testing.T) {
	for _, tc := range []struct {
		name  string
		again int // sales the restored node makes: the first history made 6 after the backup
	}{
		{"restored node writes past the others", 9},
		{"restored node stays behind the others", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := testnode.Start(t, "--id", "MAD-1")
			b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "BCN-1")
			c := testnode.StartJoined(t, a, a.JoinToken(t, 600), "VLC-1")
			mustCreate(t, b, "B-SKU", 1000)
			sellAll(t, b, "B-SKU", "k-1", "k-2", "k-3")
			converge(t, []string{"BCN-1"}, a, b, c)
			b.Stop()
			backup := t.TempDir()
			copyTree(t, b.DataDir, backup)
			b.Restart(t)
			for k := range 6 {
				sellAll(t, b, "B-SKU", fmt.Sprintf("first-%d", k))
			}
			first := converge(t, []string{"BCN-1"}, a, b, c)["BCN-1"]
			t.Logf("the first history of BCN-1: %s", first)
			b.Stop()
			if err := os.RemoveAll(b.DataDir); err != nil {
				t.Fatal(err)
			}
			copyTree(t, backup, b.DataDir)
			b.Restart(t)
			for k := range tc.again {
				sellAll(t, b, "B-SKU", fmt.Sprintf("second-%d", k))
			}
			t.Logf("the restored BCN-1 signed %v", replicaOf(t, b, "BCN-1"))
			for _, n := range []*testnode.Node{a, c} {
				id := localID(t, n)
				deadline := time.Now().Add(45 * time.Second)
				v := replicaOf(t, n, "BCN-1")
				for ; v.Problem == nil || v.Problem.Kind != "FORK"; v = replicaOf(t, n, "BCN-1") {
					if time.Now().After(deadline) {
						t.Fatalf("%s holds BCN-1 at %v 45 s after the restored node wrote again, want a FORK", id, v)
					}
					time.Sleep(200 * time.Millisecond)
				}
				if got := fmt.Sprintf("%d/%s", v.Seq, v.Digest); got != first {
					t.Errorf("%s holds BCN-1 at %s, want the first history's %s", id, got, first)
				}
				if !audited(t, n, "replica.fork", "BCN-1") {
					t.Errorf("%s's audit log holds no replica.fork of BCN-1", id)
				}
				if k := rejected(t, n, "fork"); k == 0 {
					t.Errorf("%s counts no refusal for reason fork", id)
				}
			}
			sellAll(t, b, "B-SKU", "second-last")
			// Once told of the entries past what they hold, the replicas stay
			// where the fork stopped them (a log behind theirs gives them
			// nothing to pull).
			if restored := replicaOf(t, b, "BCN-1"); restored.Seq > firstSeq(t, first) {
				for _, n := range []*testnode.Node{a, c} {
					waitUntil(t, "replica told of BCN-1's newer entries", func() bool { return behindOf(t, n, "BCN-1") > 0 })
				}
			}
			for _, n := range []*testnode.Node{a, c} {
				if v := replicaOf(t, n, "BCN-1"); fmt.Sprintf("%d/%s", v.Seq, v.Digest) != first || v.Problem == nil {
					t.Errorf("%s moved BCN-1 to %v after the fork, want it held at %s", localID(t, n), v, first)
				}
			}
		})
	}
}

// TestServedLogIdentity: when C's calls to MAD-1's address reach B's
// front door instead (B's own certificate, relaying B's honest answers),
// C refuses every answer, since the server's certificate does not name
// MAD-1: its replica of MAD-1 does not move although the front door
// answered its calls. Once MAD-1's address leads to MAD-1 again, C catches up
// with MAD-1's exact seq and digest.
func TestServedLogIdentity(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1")
	fd := listenFrontDoor(t)
	b := testnode.StartIn(t, t.TempDir(), testnode.FreeAddr(t),
		testnode.JoinArgs(a, a.JoinToken(t, 600), "BCN-1", fd.Addr())...)
	fd.serve(t, b)
	out, err := faultproxy.StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	c := testnode.StartJoined(t, a, a.JoinToken(t, 600), "VLC-1", "--peer-proxy", out.URL())
	mustCreate(t, a, "A-SKU", 1000)
	converge(t, []string{"MAD-1"}, a, b, c)

	out.Block(fd.Addr()) // C reaches B only at MAD-1's address
	out.Redirect(a.Addr, fd.Addr())
	before := replicaOf(t, c, "MAD-1")
	calls := fd.callsOf("VLC-1")
	for k := range 5 {
		sellAll(t, a, "A-SKU", fmt.Sprintf("s-%d", k))
	}
	deadline := time.Now().Add(30 * time.Second)
	for fd.callsOf("VLC-1") == calls { // gossip, heads polls, changes: whatever C sends MAD-1's address
		if time.Now().After(deadline) {
			t.Fatal("C's calls to MAD-1's address did not reach B's front door within 30 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	calls = fd.callsOf("VLC-1") // C had B's answers to them in hand before it called again
	waitUntil(t, "more calls of C to MAD-1's address", func() bool { return fd.callsOf("VLC-1") >= calls+3 })
	if v := replicaOf(t, c, "MAD-1"); v.Seq != before.Seq || v.Digest != before.Digest {
		t.Fatalf("C moved MAD-1 from %v to %v on answers served at MAD-1's address by BCN-1", before, v)
	}

	out.Redirect(a.Addr, "")
	out.Unblock(fd.Addr())
	converge(t, []string{"MAD-1"}, a, c)
}
