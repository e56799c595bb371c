package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/faultproxy"
	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/trust"
)

// replicaState is what a node reports of every warehouse it holds: the
// last seq of its log and the digest of that log.
type replicaState map[string]string

// replicas returns n's view of every warehouse's log, "seq/digest" by id.
func replicas(t *testing.T, n *testnode.Node) (replicaState, error) {
	t.Helper()
	r, err := n.GraphQL(context.Background(), `{ warehouses { id replica { seq digest } } }`, nil)
	if err != nil {
		return nil, err
	}
	var out struct {
		Warehouses []struct {
			ID      string
			Replica *struct {
				Seq    int
				Digest string
			}
		}
	}
	if err := decodeErr(r, &out); err != nil {
		return nil, err
	}
	s := replicaState{}
	for _, w := range out.Warehouses {
		if w.Replica != nil && w.Replica.Seq > 0 {
			s[w.ID] = fmt.Sprintf("%d/%s", w.Replica.Seq, w.Replica.Digest)
		}
	}
	return s, nil
}

// converge waits until every node holds every warehouse's log exactly as
// the first node does, and that view covers the warehouses named.
func converge(t *testing.T, warehouses []string, nodes ...*testnode.Node) replicaState {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last []replicaState
	for time.Now().Before(deadline) {
		last = last[:0]
		ok := true
		for _, n := range nodes {
			s, err := replicas(t, n)
			if err != nil {
				ok = false
				break
			}
			last = append(last, s)
		}
		if ok && len(last[0]) >= len(warehouses) {
			same := true
			for _, s := range last[1:] {
				same = same && reflect.DeepEqual(s, last[0])
			}
			for _, w := range warehouses {
				same = same && last[0][w] != ""
			}
			if same {
				return last[0]
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("no convergence within 90s; the nodes hold:\n%v", last)
	return nil
}

// sell records a sale of sku on n with an idempotency key and reports
// whether n acknowledged it.
func sell(n *testnode.Node, sku, key string) bool {
	r, err := n.GraphQL(context.Background(), recordMovement, map[string]any{"in": map[string]any{
		"sku": sku, "kind": "SALE", "quantity": 1, "idempotencyKey": key, "reference": key}})
	return err == nil && len(r.Errors) == 0
}

// TestReplicationAcrossNetwork: three warehouses joined in a line (VLC-1
// through BCN-1) see each other's catalogues, stock and movements; a
// subscriber on one node sees another warehouse's stock move live; stock
// levels span the network; another warehouse's products cannot be changed
// from here.
func TestReplicationAcrossNetwork(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "BCN-1")
	c := testnode.StartJoined(t, b, b.JoinToken(t, 600), "VLC-1")
	mustCreate(t, a, "CABLE", 100)
	mustCreate(t, b, "CABLE", 40)
	mustCreate(t, c, "TECLADO", 30)

	ws, err := dialWS(t, c, "graphql-transport-ws", c.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.c.Close()
	ws.subscribe("1", `subscription { stockChanged(warehouse: "MAD-1", sku: "CABLE") { warehouse { id } quantity } }`)
	waitMetric(t, c, "stockmesh_subscriptions_open", 1)
	converge(t, []string{"MAD-1", "BCN-1", "VLC-1"}, a, b, c)
	a.MustGraphQL(t, recordMovement, mv("CABLE", "SALE", 7))
	for {
		ev := ws.next()["stockChanged"].(map[string]any)
		if ev["warehouse"].(map[string]any)["id"] == "MAD-1" && ev["quantity"] == 93.0 {
			break
		}
	}
	converge(t, []string{"MAD-1", "BCN-1", "VLC-1"}, a, b, c)

	var levels struct {
		StockLevels []struct {
			Warehouse struct{ ID string }
			Quantity  int
		}
	}
	decode(t, c.MustGraphQL(t, `{ stockLevels(sku: "CABLE") { warehouse { id } quantity } }`, nil), &levels)
	got := map[string]int{}
	for _, l := range levels.StockLevels {
		got[l.Warehouse.ID] = l.Quantity
	}
	if got["MAD-1"] != 93 || got["BCN-1"] != 40 || len(got) != 2 {
		t.Fatalf("stock levels of CABLE on VLC-1 = %v, want MAD-1 93 and BCN-1 40", got)
	}
	var ws2 struct {
		Warehouses []struct {
			ID     string
			Online bool
			Behind int
			URL    string
		}
	}
	decode(t, c.MustGraphQL(t, `{ warehouses { id online behind url } }`, nil), &ws2)
	if len(ws2.Warehouses) != 3 {
		t.Fatalf("VLC-1 lists %+v, want the three warehouses", ws2.Warehouses)
	}
	for _, w := range ws2.Warehouses {
		if !w.Online || w.Behind != 0 || w.URL == "" {
			t.Errorf("VLC-1 sees %+v, want online, a URL and nothing behind once converged", w)
		}
	}
	r := c.MustGraphQL(t, `mutation { setStock(sku: "CABLE", quantity: 1, warehouse: "MAD-1") { id } }`, nil)
	if r.Code() != "FORBIDDEN" || !strings.Contains(r.Errors[0].Message, "MAD-1") {
		t.Fatalf("changing MAD-1's stock on VLC-1: %+v, want FORBIDDEN naming MAD-1", r.Errors)
	}
}

// TestConvergenceUnderFaults is the randomized convergence test: three
// nodes record movements while, for a bounded time, random ones are
// killed and restarted with their original flags and random nodes are cut
// off from the others both ways (a proxy in front of each node for what
// reaches it, and the CONNECT proxy it sends its own calls through) and
// healed, the cut node selling on meanwhile; a fourth joins late. Once
// all is healed every node holds every warehouse's history identically,
// and every acknowledged movement is in its warehouse's log exactly once.
func TestConvergenceUnderFaults(t *testing.T) {
	seed := time.Now().UnixNano()
	if s, err := strconv.ParseInt(os.Getenv("STOCKMESH_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (STOCKMESH_SEED=%d replays the same schedule of faults)", seed, seed)
	r := rand.New(rand.NewPCG(uint64(seed), 7))

	a := testnode.Start(t, "--id", "N-1")
	nodes, links := []*testnode.Node{a}, [][2]*faultproxy.Proxy{{}}
	for _, id := range []string{"N-2", "N-3"} {
		listen := testnode.FreeAddr(t)
		in, err := faultproxy.Start(listen)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { in.Close() })
		out, err := faultproxy.StartConnect()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { out.Close() })
		args := append(testnode.JoinArgs(a, a.JoinToken(t, 600), id, in.Addr()), "--peer-proxy", out.URL())
		n := testnode.StartIn(t, t.TempDir(), listen, args...)
		nodes, links = append(nodes, n), append(links, [2]*faultproxy.Proxy{in, out})
	}
	for i, n := range nodes {
		mustCreate(t, n, fmt.Sprintf("S-%d", i+1), 1_000_000)
	}

	var mu sync.Mutex
	acked := map[string]map[string]bool{} // warehouse → keys acknowledged
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i, n := range nodes {
		id := fmt.Sprintf("N-%d", i+1)
		acked[id] = map[string]bool{}
		n := *n // Restart rewrites the node the main goroutine holds; URL, token and CA stay
		wg.Go(func() {
			for k := 0; ctx.Err() == nil; k++ {
				key := fmt.Sprintf("%s-%d", id, k)
				if sell(&n, fmt.Sprintf("S-%d", i+1), key) {
					mu.Lock()
					acked[id][key] = true
					mu.Unlock()
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	end := time.Now().Add(8 * time.Second)
	for time.Now().Before(end) {
		i := 1 + r.IntN(2)
		switch r.IntN(3) {
		case 0:
			t.Logf("cut N-%d off", i+1)
			links[i][0].Cut()
			links[i][1].Cut()
			time.Sleep(time.Duration(500+r.IntN(1500)) * time.Millisecond)
			links[i][0].Heal()
			links[i][1].Heal()
		case 1:
			t.Logf("kill and restart N-%d", i+1)
			nodes[i].Kill()
			nodes[i].Restart(t)
		default:
			time.Sleep(time.Duration(200+r.IntN(800)) * time.Millisecond)
		}
	}
	stop()
	wg.Wait()
	late := testnode.StartJoined(t, nodes[1], nodes[1].JoinToken(t, 600), "N-4")
	all := append(nodes, late)
	state := converge(t, []string{"N-1", "N-2", "N-3"}, all...)
	t.Logf("converged: %v", state)
	for i, n := range nodes {
		id := fmt.Sprintf("N-%d", i+1)
		seen := map[string]int{}
		for _, m := range ledgerOf(t, late, id, fmt.Sprintf("S-%d", i+1)) {
			if m.Reference != "" {
				seen[m.Reference]++
			}
		}
		for key := range acked[id] {
			if seen[key] != 1 {
				t.Errorf("%s: acknowledged movement %s is in the replica %d times", id, key, seen[key])
			}
		}
		for key, k := range seen {
			if k != 1 {
				t.Errorf("%s: movement %s is in the replica %d times", id, key, k)
			}
		}
		checkLedger(t, n, fmt.Sprintf("S-%d", i+1))
	}
}

// TestWipedNodeRejoins: a node whose data folder is lost joins again
// under its warehouse's id with a token the CA holder issued naming it
// with rejoin (a token naming no warehouse is refused); it restores its
// warehouse's history from the network and carries on with it (the same
// log, the next seq, its idempotency keys), so that every node still holds
// one history of it. Its log-signing key comes from a backup: a node with
// another key would sign a history no member accepts.
func TestWipedNodeRejoins(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "BCN-1")
	mustCreate(t, b, "CABLE", 50)
	if !sell(b, "CABLE", "k-1") || !sell(b, "CABLE", "k-2") {
		t.Fatal("sales on BCN-1 refused")
	}
	before := converge(t, []string{"BCN-1"}, a, b)
	b.Kill()

	if out := testnode.RunFailing(t, 60*time.Second, append([]string{"--data", t.TempDir(), "--listen", testnode.FreeAddr(t)},
		testnode.JoinArgs(a, a.JoinToken(t, 600), "BCN-1", testnode.FreeAddr(t))...)...); !strings.Contains(out, "member of the network already") {
		t.Fatalf("a token naming no warehouse admitted BCN-1 again, or said something else:\n%s", out)
	}
	// A new, empty data folder, but for the log-signing key restored from
	// the backup: no other key may sign BCN-1's log.
	dir, addr := t.TempDir(), testnode.FreeAddr(t)
	key, err := os.ReadFile(filepath.Join(b.DataDir, trust.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, trust.KeyFile), key, 0o600); err != nil {
		t.Fatal(err)
	}
	again := testnode.StartIn(t, dir, addr, testnode.JoinArgs(a, a.JoinTokenFor(t, 600, "BCN-1", true), "BCN-1", addr)...)
	if q := quantity(t, again, "CABLE"); q != 48 {
		t.Fatalf("CABLE on the rejoined BCN-1 = %d, want 48 restored from the network", q)
	}
	if !sell(again, "CABLE", "k-2") || !sell(again, "CABLE", "k-3") {
		t.Fatal("sales on the rejoined BCN-1 refused")
	}
	after := converge(t, []string{"BCN-1"}, a, again)
	if after["BCN-1"] == before["BCN-1"] {
		t.Fatalf("BCN-1's log did not move on after rejoining: %v", after)
	}
	if q := quantity(t, again, "CABLE"); q != 47 {
		t.Fatalf("CABLE = %d after the replayed k-2 and the new k-3, want 47 (k-2 applied once)", q)
	}
	var levels struct {
		StockLevels []struct {
			Warehouse struct{ ID string }
			Quantity  int
		}
	}
	decode(t, a.MustGraphQL(t, `{ stockLevels(sku: "CABLE") { warehouse { id } quantity } }`, nil), &levels)
	if len(levels.StockLevels) != 1 || levels.StockLevels[0].Quantity != 47 {
		t.Fatalf("MAD-1 sees BCN-1's CABLE as %+v, want 47", levels.StockLevels)
	}
}

// TestCutOffNodeKeepsSelling: a node cut off from the network both ways
// (what reaches it, and what it sends) keeps selling; neither side sees
// the other's new movements and each shows the other offline; once the
// links heal, every node converges to the same histories.
func TestCutOffNodeKeepsSelling(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1")
	listen := testnode.FreeAddr(t)
	in, err := faultproxy.Start(listen)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := faultproxy.StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	b := testnode.StartIn(t, t.TempDir(), listen,
		append(testnode.JoinArgs(a, a.JoinToken(t, 600), "BCN-1", in.Addr()), "--peer-proxy", out.URL())...)
	mustCreate(t, a, "A-SKU", 100)
	mustCreate(t, b, "B-SKU", 100)
	before := converge(t, []string{"MAD-1", "BCN-1"}, a, b)

	in.Cut()
	out.Cut()
	for k := range 5 {
		if !sell(a, "A-SKU", fmt.Sprintf("a-%d", k)) || !sell(b, "B-SKU", fmt.Sprintf("b-%d", k)) {
			t.Fatal("a sale was refused while the link was cut: local work must not wait for a peer")
		}
	}
	online := func(n *testnode.Node, id string) bool { return warehouseOf(t, n, id).Online }
	deadline := time.Now().Add(30 * time.Second)
	for online(a, "BCN-1") || online(b, "MAD-1") {
		if time.Now().After(deadline) {
			t.Fatal("the nodes still show each other online 30 s after the cut")
		}
		time.Sleep(200 * time.Millisecond)
	}
	sa, err := replicas(t, a)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := replicas(t, b)
	if err != nil {
		t.Fatal(err)
	}
	if sa["BCN-1"] != before["BCN-1"] || sb["MAD-1"] != before["MAD-1"] {
		t.Fatalf("movements crossed a cut link: MAD-1 holds BCN-1 at %s (was %s), BCN-1 holds MAD-1 at %s (was %s)",
			sa["BCN-1"], before["BCN-1"], sb["MAD-1"], before["MAD-1"])
	}

	in.Heal()
	out.Heal()
	after := converge(t, []string{"MAD-1", "BCN-1"}, a, b)
	if after["MAD-1"] == before["MAD-1"] || after["BCN-1"] == before["BCN-1"] {
		t.Fatalf("the sales made while cut off did not replicate: before %v, after %v", before, after)
	}
	if q := quantity(t, b, "B-SKU"); q != 95 {
		t.Fatalf("B-SKU = %d on BCN-1, want 95", q)
	}
}
