package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/faultproxy"
	"github.com/stockmesh/stockmesh/internal/testnode"
)

// The bounds of TestScaleUnderFaults (issue 24): the network's size, how
// long faults are made and how many at most, and how many sales each node
// makes at most, one every scaleSalePause.
const (
	scaleNodes     = 12
	scaleChaosFor  = 30 * time.Second
	scaleMaxFaults = 40
	scaleMaxSales  = 300
	scaleSalePause = 100 * time.Millisecond
	scaleSKU       = "S"
	scaleStock     = 1_000_000
)

// scaleMember is a node of TestScaleUnderFaults with its two proxies: in, in
// front of it (the address it advertises, so every member reaches it
// through in), and out, the CONNECT proxy its own calls go through.
type scaleMember struct {
	*testnode.Node
	id      string
	in, out *faultproxy.Proxy
}

// TestScaleUnderFaults is the 12-node test of issue 24: twelve nodes, each
// joining through a random earlier member, all sell on their own
// warehouse while, for a bounded time and number of faults, random nodes
// are SIGKILLed and restarted, random links between two nodes are cut
// (each node's CONNECT proxy refuses the other's address) and healed, and
// random nodes are cut off both ways for a moment. Once everything is
// healed, all twelve hold every warehouse's log at the same seq and digest
// (so the same ledgers), every acknowledged sale is in its warehouse's
// ledger exactly once, a sale whose reply was lost (its node killed
// mid-request) at most once, and every node's stock of each warehouse is
// the initial stock less the sales its ledger holds. The seed is logged;
// STOCKMESH_SCALE_SEED replays its joins and its sequence of faults (how
// many fit in the time depends on the machine's speed).
func TestScaleUnderFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 12 nodes and runs faults for 30 s")
	}
	seed := time.Now().UnixNano()
	if s, err := strconv.ParseInt(os.Getenv("STOCKMESH_SCALE_SEED"), 10, 64); err == nil {
		seed = s
	}
	t.Logf("seed %d (STOCKMESH_SCALE_SEED=%d replays the same joins and sequence of faults)", seed, seed)
	r := rand.New(rand.NewPCG(uint64(seed), 24))
	t0 := time.Now()
	nodes := startScaleMesh(t, r, scaleNodes)
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.id
	}
	for _, n := range nodes {
		n.WaitPeers(t, 90*time.Second, allOnline(ids))
		mustCreate(t, n.Node, scaleSKU, scaleStock)
	}
	t.Logf("%d nodes joined and online after %v", len(nodes), time.Since(t0).Round(time.Millisecond))

	sales := startScaleSales(nodes)
	faults := scaleFaults(t, r, nodes)
	healScaleMesh(nodes)
	acked, lost := sales.stop()
	t.Logf("%d faults over %v; %d sales acknowledged, %d not (their outcome unknown to the test): %v", faults, scaleChaosFor, acked, lost, sales.refused)

	t1 := time.Now()
	all := make([]*testnode.Node, len(nodes))
	for i, n := range nodes {
		all[i] = n.Node
	}
	state := converge(t, ids, all...)
	t.Logf("converged %v after healing: %v", time.Since(t1).Round(time.Millisecond), state)
	// converge showed every node holds every log identically, so one
	// node's ledgers stand for all; every node's stock is checked too.
	t2 := time.Now()
	want := checkScaleLedgers(t, nodes[r.IntN(len(nodes))], ids, sales)
	for _, n := range nodes {
		checkScaleStock(t, n, ids, want)
	}
	t.Logf("checked in %v", time.Since(t2).Round(time.Millisecond))
	t.Logf("whole test %v", time.Since(t0).Round(time.Millisecond))
}

// startScaleMesh starts n nodes, each behind its proxies: the first starts the
// network, every other joins through a random earlier member with a token
// issued there.
func startScaleMesh(t *testing.T, r *rand.Rand, n int) []*scaleMember {
	t.Helper()
	var nodes []*scaleMember
	for i := range n {
		id := fmt.Sprintf("SC-%02d", i+1)
		listen := testnode.FreeAddr(t)
		in, out := scaleProxies(t, listen)
		args := []string{"--id", id, "--advertise", "https://" + in.Addr()}
		if i > 0 {
			via := nodes[r.IntN(i)]
			args = testnode.JoinArgs(via.Node, via.JoinToken(t, 600), id, in.Addr())
		}
		args = append(args, "--peer-proxy", out.URL())
		node := testnode.StartIn(t, t.TempDir(), listen, args...)
		nodes = append(nodes, &scaleMember{Node: node, id: id, in: in, out: out})
	}
	return nodes
}

// scaleProxies starts the proxy in front of a node that listens on listen and
// the CONNECT proxy its calls go through; both close at cleanup.
func scaleProxies(t *testing.T, listen string) (in, out *faultproxy.Proxy) {
	t.Helper()
	in, err := faultproxy.Start(listen)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	out, err = faultproxy.StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	return in, out
}

// cutScaleLink cuts the link between a and b both ways: each one's CONNECT
// proxy refuses the address the other advertises, and closes what was
// open to it.
func cutScaleLink(a, b *scaleMember) {
	a.out.Block(b.in.Addr())
	b.out.Block(a.in.Addr())
}

// healScaleLink heals what cutScaleLink cut.
func healScaleLink(a, b *scaleMember) {
	a.out.Unblock(b.in.Addr())
	b.out.Unblock(a.in.Addr())
}

// healScaleMesh heals every link and every proxy.
func healScaleMesh(nodes []*scaleMember) {
	for _, a := range nodes {
		a.in.Heal()
		a.out.Heal()
		for _, b := range nodes {
			a.out.Unblock(b.in.Addr())
		}
	}
}

// scaleFaults makes random faults, one after another, for scaleChaosFor or
// scaleMaxFaults of them, and returns how many it made. Cut links stay cut
// until a later fault heals them, or the end.
func scaleFaults(t *testing.T, r *rand.Rand, nodes []*scaleMember) int {
	t.Helper()
	var cut [][2]int
	end, made := time.Now().Add(scaleChaosFor), 0
	for ; made < scaleMaxFaults && time.Now().Before(end); made++ {
		i, j := r.IntN(len(nodes)), r.IntN(len(nodes)-1)
		if j >= i {
			j++
		}
		switch k := r.IntN(5); {
		case k == 0:
			t.Logf("kill and restart %s", nodes[i].id)
			nodes[i].Kill()
			time.Sleep(time.Duration(r.IntN(1000)) * time.Millisecond)
			restartScaleMember(t, nodes[i])
		case k == 1 || (k == 2 && len(cut) == 0):
			t.Logf("cut %s <-> %s", nodes[i].id, nodes[j].id)
			cutScaleLink(nodes[i], nodes[j])
			cut = append(cut, [2]int{i, j})
		case k == 2:
			c := r.IntN(len(cut))
			t.Logf("heal %s <-> %s", nodes[cut[c][0]].id, nodes[cut[c][1]].id)
			healScaleLink(nodes[cut[c][0]], nodes[cut[c][1]])
			cut = append(cut[:c], cut[c+1:]...)
		case k == 3:
			t.Logf("cut %s off", nodes[i].id)
			nodes[i].in.Cut()
			nodes[i].out.Cut()
			time.Sleep(time.Duration(500+r.IntN(1500)) * time.Millisecond)
			nodes[i].in.Heal()
			nodes[i].out.Heal()
		default:
			time.Sleep(time.Duration(200+r.IntN(800)) * time.Millisecond)
		}
	}
	return made
}

// scaleRestarts is how many times restartScaleMember starts a node that
// exits while starting before the test fails.
const scaleRestarts = 3

// restartScaleMember restarts n as a service manager would: a node that
// stops while starting (stockmeshd exits on any failure at start) is
// started again, up to scaleRestarts times, each such exit logged.
func restartScaleMember(t *testing.T, n *scaleMember) {
	t.Helper()
	t0 := time.Now()
	for attempt := 1; ; attempt++ {
		err := n.TryRestart(t)
		if err == nil {
			t.Logf("%s serving again %v after its restart", n.id, time.Since(t0).Round(time.Millisecond))
			return
		}
		if attempt == scaleRestarts {
			t.Fatalf("%s did not start again in %d attempts: %v", n.id, attempt, err)
		}
		t.Logf("%s did not start (attempt %d), starting it again: %v", n.id, attempt, err)
	}
}

// scaleSales is the test's own model of the sales: every sale's reference,
// by warehouse, acknowledged or not (a sale without an answer, its node
// killed mid-request, may have been recorded or not).
type scaleSales struct {
	mu      sync.Mutex
	acked   map[string]map[string]bool // warehouse → reference → acknowledged
	refused map[string]int             // why sales were not acknowledged → how many
	cancel  context.CancelFunc
	sellers sync.WaitGroup
}

// startScaleSales starts one seller per node: a sale of one unit of scaleSKU
// on its own warehouse every scaleSalePause, each with a reference and
// idempotency key of its own, until stop or scaleMaxSales.
func startScaleSales(nodes []*scaleMember) *scaleSales {
	ctx, cancel := context.WithCancel(context.Background())
	s := &scaleSales{acked: map[string]map[string]bool{}, refused: map[string]int{}, cancel: cancel}
	for _, n := range nodes {
		s.acked[n.id] = map[string]bool{}
		node, id := *n.Node, n.id // Restart rewrites the node the test holds; URL, token and CA stay
		s.sellers.Go(func() {
			for k := 0; k < scaleMaxSales && ctx.Err() == nil; k++ {
				ref := fmt.Sprintf("%s-%d", id, k)
				err := scaleSell(&node, ref)
				s.mu.Lock()
				s.acked[id][ref] = err == nil
				if err != nil {
					s.refused[id+": "+err.Error()]++
				}
				s.mu.Unlock()
				time.Sleep(scaleSalePause)
			}
		})
	}
	return s
}

// scaleSell records a sale of one unit of scaleSKU on n with reference
// and idempotency key ref; it returns why it was not acknowledged, in
// short (a transport error's kind, or the GraphQL error's code).
func scaleSell(n *testnode.Node, ref string) error {
	r, err := n.GraphQL(context.Background(), recordMovement, map[string]any{"in": map[string]any{
		"sku": scaleSKU, "kind": "SALE", "quantity": 1, "idempotencyKey": ref, "reference": ref}})
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return errors.New("connection refused")
	case err != nil:
		return errors.New("transport error")
	case len(r.Errors) > 0:
		return fmt.Errorf("%s %.60s", r.Code(), r.Errors[0].Message)
	}
	return nil
}

// stop stops the sellers and returns how many sales were acknowledged and
// how many were not.
func (s *scaleSales) stop() (acked, lost int) {
	s.cancel()
	s.sellers.Wait()
	for _, refs := range s.acked {
		for _, ok := range refs {
			if ok {
				acked++
			} else {
				lost++
			}
		}
	}
	return acked, lost
}

// checkScaleLedgers checks, on n, every warehouse's ledger of scaleSKU
// against the model: each acknowledged sale exactly once, each other sale
// at most once, no sale the test did not make. It returns, by warehouse,
// the stock its ledger leaves: the initial stock less the sales it holds.
func checkScaleLedgers(t *testing.T, n *scaleMember, ids []string, s *scaleSales) map[string]int {
	t.Helper()
	held := map[string]int{}
	for _, id := range ids {
		seen := map[string]int{}
		for _, m := range ledgerOf(t, n.Node, id, scaleSKU) {
			if m.Reference != "" {
				seen[m.Reference]++
			}
		}
		for ref, acked := range s.acked[id] {
			if acked && seen[ref] != 1 {
				t.Errorf("%s holds acknowledged sale %s of %s %d times", n.id, ref, id, seen[ref])
			}
		}
		for ref, k := range seen {
			if _, made := s.acked[id][ref]; !made || k != 1 {
				t.Errorf("%s holds sale %s of %s %d times (made by the test: %v)", n.id, ref, id, k, made)
			}
		}
		held[id] = scaleStock - len(seen)
	}
	return held
}

// checkScaleStock checks that n's stock of scaleSKU in every warehouse is
// want's.
func checkScaleStock(t *testing.T, n *scaleMember, ids []string, want map[string]int) {
	t.Helper()
	var out struct {
		StockLevels []struct {
			Warehouse struct{ ID string }
			Quantity  int
		}
	}
	decode(t, n.MustGraphQL(t, `query($s: ID!) { stockLevels(sku: $s) { warehouse { id } quantity } }`,
		map[string]any{"s": scaleSKU}), &out)
	got := map[string]int{}
	for _, l := range out.StockLevels {
		got[l.Warehouse.ID] = l.Quantity
	}
	for _, id := range ids {
		if got[id] != want[id] {
			t.Errorf("%s has %d of %s in %s, want %d (initial stock less the sales the ledger holds)", n.id, got[id], scaleSKU, id, want[id])
		}
	}
}
