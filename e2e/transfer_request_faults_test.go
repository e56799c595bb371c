package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stockmesh/stockmesh/internal/testnode"
)

// faultRequest is a transfer request as the fault test reads it: with
// its note (which carries the idempotency key the test used), decision
// time and the transfer an acceptance sent.
type faultRequest struct {
	ID, Status, SKU string
	Quantity        int
	From, To        struct{ ID string }
	Note, Reason    string
	DecidedAt       *time.Time
	Transfer        *struct {
		ID, Reference, SKU string
		Quantity           int
		From, To           struct{ ID string }
	}
}

const faultRequestFields = `id status sku quantity from { id } to { id } note reason decidedAt
	transfer { id reference sku quantity from { id } to { id } }`

// The operations of transfer requests, as the fault test calls them.
const (
	askRequest     = `mutation($in: RequestTransferInput!) { r: requestTransfer(input: $in) { ` + faultRequestFields + ` } }`
	acceptRequest  = `mutation($id: ID!, $q: Int) { r: acceptTransferRequest(id: $id, quantity: $q) { ` + faultRequestFields + ` } }`
	declineRequest = `mutation($id: ID!, $why: String) { r: declineTransferRequest(id: $id, reason: $why) { ` + faultRequestFields + ` } }`
	cancelRequest  = `mutation($id: ID!) { r: cancelTransferRequest(id: $id) { ` + faultRequestFields + ` } }`
)

// summary is what every node must agree on about r once converged.
func (r faultRequest) summary() string {
	at, tr := "-", "-"
	if r.DecidedAt != nil {
		at = r.DecidedAt.UTC().Format(time.RFC3339Nano)
	}
	if r.Transfer != nil {
		tr = fmt.Sprintf("%s x%d", r.Transfer.ID, r.Transfer.Quantity)
	}
	return fmt.Sprintf("%s %s %s x%d %s→%s %q decided %s transfer %s", r.ID, r.Status, r.SKU, r.Quantity,
		r.From.ID, r.To.ID, r.Reason, at, tr)
}

// faultCall runs a mutation whose field r is a transfer request on n and
// returns it or the error code ("NET" when no answer came).
func faultCall(n *testnode.Node, q string, vars map[string]any) (faultRequest, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := n.GraphQL(ctx, q, vars)
	if err != nil {
		return faultRequest{}, "NET"
	}
	if len(res.Errors) > 0 {
		return faultRequest{}, res.Code()
	}
	var out struct{ R faultRequest }
	if err := json.Unmarshal(res.Data, &out); err != nil {
		return faultRequest{}, "DECODE"
	}
	return out.R, ""
}

// allRequests returns every transfer request n holds, by id.
func allRequests(n *testnode.Node) (map[string]faultRequest, error) {
	out := map[string]faultRequest{}
	var after any
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		r, err := n.GraphQL(ctx, `query($after: String) { transferRequests(first: 25, after: $after) {
			edges { node { `+faultRequestFields+` } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after})
		cancel()
		if err != nil {
			return nil, err
		}
		var page struct {
			TransferRequests struct {
				Edges    []struct{ Node faultRequest }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		if err := decodeErr(r, &page); err != nil {
			return nil, err
		}
		for _, e := range page.TransferRequests.Edges {
			if _, dup := out[e.Node.ID]; dup {
				return nil, fmt.Errorf("request %s listed twice", e.Node.ID)
			}
			out[e.Node.ID] = e.Node
		}
		if !page.TransferRequests.PageInfo.HasNextPage {
			return out, nil
		}
		after = page.TransferRequests.PageInfo.EndCursor
	}
}

// outcomeUnknown reports whether an answer leaves the call's outcome
// unknown: no answer, or the node could not tell.
func outcomeUnknown(code string) bool {
	return code == "NET" || code == "UNAVAILABLE" || code == "OUTCOME_UNKNOWN" || code == "DECODE"
}

// modelRequest is the independent model's record of one idempotency key
// and the request it made: what the test asked, what the calls on it
// acknowledged, and which calls may have taken effect.
type modelRequest struct {
	key, requester, source, sku string
	quantity                    int
	id                          string // the request the key made, once a call answered it
	accepted                    int    // the units of the acknowledged acceptance (0: none)
	transfer                    string // the transfer the acknowledged acceptance sent
	// The calls that may have taken effect: sent, and not refused (an
	// acceptance by the units it asked for).
	acceptMay             map[int]int
	declineMay, cancelMay int
	declined, cancelled   bool
	reason                string // the reason a decline gives
	raced                 bool   // made to race a decision against a cancellation (see race)
}

// requestFaults is the state of TestTransferRequestsUnderFaults: the
// nodes, the faults in force and the model.
type requestFaults struct {
	t       *testing.T
	rnd     *randSource
	ns      []*meshNode
	skus    []string
	cut     map[string]bool // BCN-1 and VLC-1, cut off both ways
	split   bool            // BCN-1 and VLC-1 cut off from each other only
	mu      sync.Mutex      // guards the model against the racing calls
	keys    map[string]*modelRequest
	byID    map[string]*modelRequest
	order   []string // keys in the order made
	nextKey int
	counts  map[string]int           // what happened, for the log
	watches []*requestWatch          // every transferRequestUpdated subscription, in order
	live    map[string]*requestWatch // by node, the subscription of its current run
}

// TestTransferRequestsUnderFaults is the randomized test of transfer
// requests (exactly once under kills and cut links, like transfers). For
// a fixed number of steps drawn from the seed (their share of the run
// bounded to 50 s: a slow machine stops early, and says so), three nodes
// make requests of each other with idempotency keys (sent again after a
// SIGKILL of the requester in the middle of the call, with it cut off, or
// twice at once: the same request comes back, never a second), accept
// them (all or part; at times twice at once, or while declining), decline
// and cancel them, and race a decision on the source against a
// cancellation on the requester (cut off from each other: both answer,
// the decision wins; at once with the link up; or once the source saw the
// cancellation: refused), while random nodes are SIGKILLed in the middle
// of a call or between calls and restarted, and BCN-1 and VLC-1 are cut
// off both ways or from each other and healed. An independent model
// records what each call acknowledged and which calls may have taken
// effect. After every SIGKILL the restarted node must still hold every
// fact it acknowledged. Then everything heals and, once converged, on
// every node: each key made one request; each request's status is one the
// calls on it allow (an acknowledged decision always stands, an
// acknowledged cancellation unless the source decided before it saw it);
// every node lists the same requests with the same status, decision time
// and transfer; each ACCEPTED request has exactly one transfer,
// referencing it, of the accepted units, and no transfer references a
// request that is not ACCEPTED; and for every sku the units in stock and
// in transit are those created. The transferRequestUpdated subscriptions
// (one per node, opened again after each restart) never tell a state off
// the way to the final one, and those open before a request was made tell
// its final state last.
func TestTransferRequestsUnderFaults(t *testing.T) {
	seed := time.Now().UnixNano()
	if s, ok := seedFromEnv(); ok {
		seed = s
	}
	t.Logf("seed %d (STOCKMESH_SEED=%d replays the same schedule)", seed, seed)
	f := &requestFaults{t: t, rnd: newRand(seed), ns: startMesh(t, "BCN-1", "VLC-1"), skus: []string{"R-1", "R-2"},
		cut: map[string]bool{}, live: map[string]*requestWatch{}, keys: map[string]*modelRequest{}, byID: map[string]*modelRequest{}, counts: map[string]int{}}
	for _, n := range f.ns {
		for _, s := range f.skus {
			mustCreate(t, n.Node, s, 1000)
		}
		f.watch(n)
	}
	const steps = 250
	start, budget := time.Now(), 50*time.Second // the steps' share of the run; the checks follow
	done := 0
	for ; done < steps && time.Since(start) < budget; done++ {
		f.step()
		if t.Failed() {
			t.FailNow()
		}
	}
	t.Logf("%d of %d steps in %v: %v", done, steps, time.Since(start).Round(time.Millisecond), f.counts)
	f.healAll()
	healed := time.Now()
	views := f.converged()
	t.Logf("converged %v after healing", time.Since(healed).Round(time.Millisecond))
	f.check(views)
	f.checkWatches(views.requests[0])
}

// step takes one random step: a call, a fault, or healing one.
func (f *requestFaults) step() {
	switch k := f.rnd.IntN(20); {
	case k < 5:
		f.request()
	case k < 8:
		f.accept()
	case k < 10:
		f.decline()
	case k < 12:
		f.cancel()
	case k < 14:
		f.race()
	case k < 15:
		f.settleTransfer()
	case k < 17:
		m := f.ns[1+f.rnd.IntN(2)]
		if f.cut[m.ID] {
			f.t.Logf("heal %s", m.ID)
			m.heal()
		} else {
			f.t.Logf("cut %s off", m.ID)
			m.cut()
		}
		f.cut[m.ID] = !f.cut[m.ID]
	case k < 18:
		f.setSplit(!f.split)
	default:
		m := f.ns[f.rnd.IntN(3)]
		f.t.Logf("kill and restart %s", m.ID)
		f.counts["kill"]++
		m.Kill()
		f.restart(m)
	}
}

// restart starts m again after a SIGKILL, watches its updates again, and
// checks that it still holds what it acknowledged.
func (f *requestFaults) restart(m *meshNode) {
	m.Restart(f.t)
	f.watch(m)
	f.checkDurable(m)
}

// setSplit cuts BCN-1 and VLC-1 off from each other (each still reaches
// MAD-1, which may relay their logs) or heals that.
func (f *requestFaults) setSplit(on bool) {
	b, c := f.ns[1], f.ns[2]
	switch {
	case on == f.split:
	case on:
		f.t.Logf("cut BCN-1 and VLC-1 off from each other")
		b.out.Block(c.in.Addr())
		c.out.Block(b.in.Addr())
	default:
		f.t.Logf("heal the link between BCN-1 and VLC-1")
		b.out.Unblock(c.in.Addr())
		c.out.Unblock(b.in.Addr())
	}
	f.split = on
}

// healAll heals every cut link.
func (f *requestFaults) healAll() {
	for _, m := range f.ns[1:] {
		m.heal()
		f.cut[m.ID] = false
	}
	f.setSplit(false)
}

// node returns the mesh node of warehouse id.
func (f *requestFaults) node(id string) *meshNode {
	for _, m := range f.ns {
		if m.ID == id {
			return m
		}
	}
	f.t.Fatalf("no node %s", id)
	return nil
}

// pair draws a requester and a source.
func (f *requestFaults) pair() (requester, source *meshNode) {
	i := f.rnd.IntN(3)
	return f.ns[i], f.ns[(i+1+f.rnd.IntN(2))%3]
}

// newRequest enters a new key into the model.
func (f *requestFaults) newRequest(requester, source *meshNode) *modelRequest {
	f.nextKey++
	m := &modelRequest{key: fmt.Sprintf("rq-%d", f.nextKey), requester: requester.ID, source: source.ID,
		sku: f.skus[f.rnd.IntN(len(f.skus))], quantity: 1 + f.rnd.IntN(20), acceptMay: map[int]int{}}
	m.reason = "not for " + m.key
	f.keys[m.key], f.order = m, append(f.order, m.key)
	return m
}

// ask sends m's request with its key to n and records the answer.
func (f *requestFaults) ask(n *testnode.Node, m *modelRequest) string {
	got, code := faultCall(n, askRequest, map[string]any{"in": map[string]any{"sku": m.sku, "from": m.source,
		"quantity": m.quantity, "note": "key " + m.key, "idempotencyKey": m.key}})
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case outcomeUnknown(code):
	case code != "":
		f.t.Errorf("requestTransfer %s on %s: %s", m.key, m.requester, code)
	case m.id != "" && got.ID != m.id:
		f.t.Errorf("requestTransfer with key %s answered %s, and %s before: one key made two requests", m.key, got.ID, m.id)
	case got.Status == "":
		f.t.Errorf("requestTransfer with key %s answered %+v", m.key, got)
	default:
		if got.SKU != m.sku || got.Quantity != m.quantity || got.From.ID != m.source || got.To.ID != m.requester {
			f.t.Errorf("requestTransfer with key %s answered %s", m.key, got.summary())
		}
		m.id, f.byID[got.ID] = got.ID, m
	}
	return code
}

// askUntilAnswered sends m's request again until the requester answers.
func (f *requestFaults) askUntilAnswered(m *modelRequest) {
	for try := 0; try < 10; try++ {
		if code := f.ask(f.node(m.requester).Node, m); !outcomeUnknown(code) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	f.t.Errorf("requestTransfer with key %s never answered on %s", m.key, m.requester)
}

// request makes a new request; at times SIGKILLs the requester in the
// middle of the call, or cuts it off after it answered, and sends the
// same key again; at times sends the key again with another quantity,
// which must be refused.
func (f *requestFaults) request() {
	r, s := f.pair()
	m := f.newRequest(r, s)
	f.counts["request"]++
	switch f.rnd.IntN(4) {
	case 0:
		f.t.Logf("request %s on %s, SIGKILLed in the call; then again", m.key, r.ID)
		f.counts["request killed"]++
		f.killDuring(r, func(n *testnode.Node) string { return f.ask(n, m) })
		f.askUntilAnswered(m)
	case 1:
		f.askUntilAnswered(m)
		if r.in != nil && !f.cut[r.ID] {
			f.t.Logf("cut %s off after its request %s; the key again", r.ID, m.key)
			r.cut()
			f.cut[r.ID] = true
		}
		f.askUntilAnswered(m)
	case 2:
		f.t.Logf("request %s on %s twice at once", m.key, r.ID)
		together(func() { f.ask(r.Node, m) }, func() { f.ask(r.Node, m) })
		f.askUntilAnswered(m)
	default:
		f.askUntilAnswered(m)
	}
	if m.id != "" && f.rnd.IntN(8) == 0 {
		_, code := faultCall(r.Node, askRequest, map[string]any{"in": map[string]any{"sku": m.sku, "from": m.source,
			"quantity": m.quantity + 1, "note": "key " + m.key, "idempotencyKey": m.key}})
		if code != "INVALID_INPUT" {
			f.t.Errorf("key %s sent again with another quantity: %q, want INVALID_INPUT", m.key, code)
		}
	}
}

// killDuring runs call on a copy of m's node, SIGKILLs the node a random
// moment into it, waits for the call to end and restarts the node.
func (f *requestFaults) killDuring(m *meshNode, call func(*testnode.Node) string) {
	n := *m.Node // Restart rewrites the node the test holds
	done := make(chan string, 1)
	go func() { done <- call(&n) }()
	time.Sleep(time.Duration(f.rnd.IntN(40)) * time.Millisecond)
	m.Kill()
	code := <-done
	f.t.Logf("the interrupted call answered %q", code)
	f.counts["kill"]++
	f.restart(m)
}

// pick draws a request the model knows was made, preferring those not
// yet decided; nil when there is none.
func (f *requestFaults) pick(ok func(*modelRequest) bool) *modelRequest {
	var open, all []*modelRequest
	for _, k := range f.order {
		m := f.keys[k]
		if m.id == "" || !ok(m) {
			continue
		}
		all = append(all, m)
		if m.accepted == 0 && !m.declined && !m.cancelled && len(m.acceptMay) == 0 && m.declineMay == 0 && m.cancelMay == 0 {
			open = append(open, m)
		}
	}
	if len(open) > 0 && f.rnd.IntN(4) > 0 {
		return open[f.rnd.IntN(len(open))]
	}
	if len(all) == 0 {
		return nil
	}
	return all[f.rnd.IntN(len(all))]
}

// acceptOn accepts m on n (qty 0: all it asks for) and records the answer.
func (f *requestFaults) acceptOn(n *testnode.Node, m *modelRequest, qty int) string {
	vars := map[string]any{"id": m.id}
	want := m.quantity
	if qty > 0 {
		vars["q"], want = qty, qty
	}
	f.mu.Lock()
	m.acceptMay[want]++ // from the moment it is sent: a call at once may answer with it
	f.mu.Unlock()
	got, code := faultCall(n, acceptRequest, vars)
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case outcomeUnknown(code):
	case code == "INVALID_INPUT" || code == "NOT_FOUND" || code == "INSUFFICIENT_STOCK":
		if m.acceptMay[want]--; m.acceptMay[want] == 0 {
			delete(m.acceptMay, want)
		}
	case code != "":
		f.t.Errorf("acceptTransferRequest %s on %s: %s", m.id, m.source, code)
	case got.Status != "ACCEPTED" || got.Transfer == nil || got.Transfer.Reference != m.id:
		f.t.Errorf("acceptTransferRequest %s answered %s", m.id, got.summary())
	case m.declined:
		f.t.Errorf("acceptTransferRequest %s acknowledged after its decline was: %s", m.id, got.summary())
	case m.transfer != "" && got.Transfer.ID != m.transfer:
		f.t.Errorf("acceptTransferRequest %s answered transfer %s, and %s before", m.id, got.Transfer.ID, m.transfer)
	default:
		if m.acceptMay[got.Transfer.Quantity] == 0 {
			f.t.Errorf("acceptTransferRequest %s sent %d units; accepting asked for %v", m.id, got.Transfer.Quantity, m.acceptMay)
		}
		m.accepted, m.transfer = got.Transfer.Quantity, got.Transfer.ID
	}
	return code
}

// declineOn declines m on n and records the answer.
func (f *requestFaults) declineOn(n *testnode.Node, m *modelRequest) string {
	f.mu.Lock()
	m.declineMay++
	f.mu.Unlock()
	got, code := faultCall(n, declineRequest, map[string]any{"id": m.id, "why": m.reason})
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case outcomeUnknown(code):
	case code == "INVALID_INPUT" || code == "NOT_FOUND":
		m.declineMay--
	case code != "":
		f.t.Errorf("declineTransferRequest %s on %s: %s", m.id, m.source, code)
	case got.Status != "DECLINED" || got.Reason != m.reason || got.Transfer != nil:
		f.t.Errorf("declineTransferRequest %s answered %s", m.id, got.summary())
	case m.accepted > 0:
		f.t.Errorf("declineTransferRequest %s acknowledged after its acceptance was: %s", m.id, got.summary())
	default:
		m.declined = true
	}
	return code
}

// cancelOn cancels m on n and records the answer.
func (f *requestFaults) cancelOn(n *testnode.Node, m *modelRequest) string {
	f.mu.Lock()
	m.cancelMay++
	f.mu.Unlock()
	got, code := faultCall(n, cancelRequest, map[string]any{"id": m.id})
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case outcomeUnknown(code):
	case code == "INVALID_INPUT":
		m.cancelMay--
	case code != "":
		f.t.Errorf("cancelTransferRequest %s on %s: %s", m.id, m.requester, code)
	case got.Status != "CANCELLED" || got.DecidedAt == nil:
		f.t.Errorf("cancelTransferRequest %s answered %s", m.id, got.summary())
	default:
		m.cancelled = true
	}
	return code
}

// decide runs a decision on m's side of side (source or requester) with
// the calls do, at times SIGKILLing that node in the middle of the first
// and calling again after the restart.
func (f *requestFaults) decide(what, side string, m *modelRequest, do func(*testnode.Node) string) {
	node := f.node(side)
	f.counts[what]++
	if f.rnd.IntN(4) > 0 {
		do(node.Node)
		return
	}
	f.t.Logf("%s %s on %s, SIGKILLed in the call; then again", what, m.id, side)
	f.counts[what+" killed"]++
	f.killDuring(node, do)
	for try := 0; try < 10 && outcomeUnknown(do(node.Node)); try++ {
		time.Sleep(200 * time.Millisecond)
	}
}

// accept accepts a request on its source: all it asks for, or part.
func (f *requestFaults) accept() {
	m := f.pick(func(*modelRequest) bool { return true })
	if m == nil {
		return
	}
	qty := 0
	if f.rnd.IntN(2) == 0 {
		qty = 1 + f.rnd.IntN(m.quantity)
	}
	if f.rnd.IntN(5) == 0 {
		other := 1 + f.rnd.IntN(m.quantity)
		f.t.Logf("accept %s on %s twice at once, %d and %d units", m.id, m.source, qty, other)
		f.counts["accept twice"]++
		n := f.node(m.source).Node
		together(func() { f.acceptOn(n, m, qty) }, func() { f.acceptOn(n, m, other) })
		return
	}
	f.decide("accept", m.source, m, func(n *testnode.Node) string { return f.acceptOn(n, m, qty) })
}

// decline declines a request on its source, at times while accepting it
// there at once.
func (f *requestFaults) decline() {
	m := f.pick(func(*modelRequest) bool { return true })
	if m == nil {
		return
	}
	if f.rnd.IntN(5) == 0 {
		f.t.Logf("decline and accept %s on %s at once", m.id, m.source)
		f.counts["decline and accept"]++
		n := f.node(m.source).Node
		together(func() { f.declineOn(n, m) }, func() { f.acceptOn(n, m, 0) })
		return
	}
	f.decide("decline", m.source, m, func(n *testnode.Node) string { return f.declineOn(n, m) })
}

// together runs a and b at once and waits for both.
func together(a, b func()) {
	var wg sync.WaitGroup
	wg.Go(a)
	wg.Go(b)
	wg.Wait()
}

// cancel cancels a request on its requester.
func (f *requestFaults) cancel() {
	if m := f.pick(func(*modelRequest) bool { return true }); m != nil {
		f.decide("cancel", m.requester, m, func(n *testnode.Node) string { return f.cancelOn(n, m) })
	}
}

// race makes a request and, once its source holds it, decides it on
// the source while the requester cancels it: accepting or declining at
// once with the two cut off from each other (each answers; the decision
// wins everywhere), accepting at once with the link up (either may win),
// or accepting once the source saw the cancellation (refused: the
// cancellation wins).
func (f *requestFaults) race() {
	r, s := f.pair()
	m := f.newRequest(r, s)
	m.raced = true
	f.counts["race"]++
	f.healAll() // the source must learn of the request
	f.askUntilAnswered(m)
	if m.id == "" {
		return
	}
	f.waitStatus(s, m.id, "OPEN")
	qty := 0
	if f.rnd.IntN(2) == 0 {
		qty = 1 + f.rnd.IntN(m.quantity)
	}
	decide := func() string { return f.acceptOn(s.Node, m, qty) }
	switch variant := f.rnd.IntN(4); variant {
	case 3:
		f.t.Logf("race: cancel %s on %s, then accept it on %s once it saw that", m.id, r.ID, s.ID)
		if code := f.cancelOn(r.Node, m); code != "" {
			f.t.Errorf("cancelling %s: %s", m.id, code)
		}
		f.waitStatus(s, m.id, "CANCELLED")
		if code := decide(); code != "INVALID_INPUT" {
			f.t.Errorf("accepting %s on %s, which saw its cancellation: %q, want INVALID_INPUT", m.id, s.ID, code)
		}
	default:
		what := "accept"
		if variant == 1 {
			what, decide = "decline", func() string { return f.declineOn(s.Node, m) }
		}
		cut := r
		if cut.in == nil || f.rnd.IntN(2) == 0 && s.in != nil {
			cut = s
		}
		if variant == 2 {
			f.t.Logf("race: %s %s on %s and cancel it on %s at once", what, m.id, s.ID, r.ID)
		} else {
			f.t.Logf("race: %s %s on %s and cancel it on %s, %s cut off", what, m.id, s.ID, r.ID, cut.ID)
			cut.cut()
			f.cut[cut.ID] = true
		}
		var decided, cancelled string
		together(func() { decided = decide() }, func() { cancelled = f.cancelOn(r.Node, m) })
		if variant != 2 && (decided != "" || cancelled != "") {
			f.t.Errorf("race on %s: %s %q, cancel %q: each side cut off from the other must answer", m.id, what, decided, cancelled)
		}
	}
}

// waitStatus waits until n holds request id with status.
func (f *requestFaults) waitStatus(n *meshNode, id, status string) {
	waitUntil(f.t, n.ID+" holding request "+id+" "+status, func() bool {
		rs, err := allRequests(n.Node)
		return err == nil && rs[id].Status == status
	})
}

// requestWatch is a transferRequestUpdated subscription on one node,
// from its start to the node's next SIGKILL: the updates it heard.
type requestWatch struct {
	node  string
	since int // the keys made before it started
	mu    sync.Mutex
	heard map[string][]faultRequest // by request, in order
	c     *websocket.Conn
}

// watch subscribes to every transfer request update on m, replacing the
// watch of m's previous run.
func (f *requestFaults) watch(m *meshNode) {
	ws, err := dialWS(f.t, m.Node, "graphql-transport-ws", m.Token)
	if err != nil {
		f.t.Fatalf("watching %s: %v", m.ID, err)
	}
	f.t.Cleanup(func() { ws.c.Close() })
	ws.subscribe("1", `subscription { transferRequestUpdated { id status decidedAt transfer { id } } }`)
	waitMetric(f.t, m.Node, "stockmesh_subscriptions_open", 1)
	w := &requestWatch{node: m.ID, since: f.nextKey, heard: map[string][]faultRequest{}, c: ws.c}
	f.watches = append(f.watches, w)
	f.live[m.ID] = w
	go w.listen()
}

// listen records the updates until the connection ends (the node was
// killed, or the test ended), answering the node's pings.
func (w *requestWatch) listen() {
	_ = w.c.SetReadDeadline(time.Time{})
	for {
		var msg struct {
			Type    string
			Payload struct {
				Data struct{ TransferRequestUpdated faultRequest }
			}
		}
		if err := w.c.ReadJSON(&msg); err != nil {
			return
		}
		switch msg.Type {
		case "ping":
			if w.c.WriteJSON(map[string]any{"type": "pong"}) != nil {
				return
			}
		case "next":
			r := msg.Payload.Data.TransferRequestUpdated
			w.mu.Lock()
			w.heard[r.ID] = append(w.heard[r.ID], r)
			w.mu.Unlock()
		}
	}
}

// checkWatches checks what every watch heard against the final requests
// rs: only statuses on the way to the final one (OPEN, CANCELLED before a
// decision that won), never one after a decision, an acceptance always
// with the final transfer. A watch still open heard, as its last update
// of each request made after it started, the final state (every change of
// such a request was made while it listened).
func (f *requestFaults) checkWatches(rs map[string]faultRequest) {
	for _, w := range f.watches {
		w.mu.Lock()
		for id, heard := range w.heard {
			final, ok := rs[id]
			if !ok {
				f.t.Errorf("%s's transferRequestUpdated told of %s, which no node holds", w.node, id)
				continue
			}
			decided := false
			for _, u := range heard {
				ok := u.Status == final.Status || (!decided && (u.Status == "OPEN" || u.Status == "CANCELLED" && final.Status != "OPEN"))
				ok = ok && (u.Status != "ACCEPTED" || u.Transfer != nil && u.Transfer.ID == final.Transfer.ID)
				if !ok {
					f.t.Errorf("%s's transferRequestUpdated told %s of a request that ends %s; it told, in order: %v",
						w.node, u.summary(), final.summary(), statusesHeard(heard))
				}
				decided = decided || u.Status == "ACCEPTED" || u.Status == "DECLINED"
			}
		}
		w.mu.Unlock()
	}
	for _, m := range f.ns {
		w := f.live[m.ID]
		var missed []string
		begin := time.Now()
		waitUntil(f.t, m.ID+"'s transferRequestUpdated telling every final state", func() bool {
			w.mu.Lock()
			defer w.mu.Unlock()
			missed = missed[:0]
			for _, k := range f.order[w.since:] {
				id := f.keys[k].id
				if heard := w.heard[id]; id != "" && (len(heard) == 0 || !sameState(heard[len(heard)-1], rs[id])) {
					missed = append(missed, id)
				}
			}
			if len(missed) > 0 && time.Since(begin) > 30*time.Second {
				f.t.Errorf("%s's transferRequestUpdated, open since before they were made, did not tell the final state of %v", m.ID, missed)
				return true
			}
			return len(missed) == 0
		})
	}
}

// statusesHeard lists the statuses of updates.
func statusesHeard(us []faultRequest) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Status
	}
	return out
}

// sameState reports whether an update tells the state r is in.
func sameState(u, r faultRequest) bool {
	sameAt := (u.DecidedAt == nil) == (r.DecidedAt == nil) && (u.DecidedAt == nil || u.DecidedAt.Equal(*r.DecidedAt))
	sameTransfer := (u.Transfer == nil) == (r.Transfer == nil) && (u.Transfer == nil || u.Transfer.ID == r.Transfer.ID)
	return u.Status == r.Status && sameAt && sameTransfer
}

// settleTransfer receives, or cancels, on its requester the transfer an
// acknowledged acceptance sent.
func (f *requestFaults) settleTransfer() {
	m := f.pick(func(m *modelRequest) bool { return m.transfer != "" })
	if m == nil {
		return
	}
	n := f.node(m.requester).Node
	var code string
	if f.rnd.IntN(3) > 0 {
		f.counts["receive"]++
		_, code = receive(n, m.transfer)
	} else {
		f.counts["cancel transfer"]++
		_, code = cancel(n, m.transfer)
	}
	if code != "" && code != "NOT_FOUND" && code != "INVALID_INPUT" {
		f.t.Errorf("settling transfer %s on %s: %s", m.transfer, m.requester, code)
	}
}

// checkDurable checks, right after m's node restarted, that it still
// holds every fact it acknowledged: the requests it made, its decisions
// as their source, its cancellations.
func (f *requestFaults) checkDurable(node *meshNode) {
	rs, err := allRequests(node.Node)
	if err != nil {
		f.t.Fatalf("listing the requests on %s after its restart: %v", node.ID, err)
	}
	for _, k := range f.order {
		m := f.keys[k]
		got, ok := rs[m.id]
		switch {
		case m.id == "":
		case m.requester == node.ID && !ok:
			f.t.Errorf("%s lost its acknowledged request %s (key %s) to a SIGKILL", node.ID, m.id, m.key)
		case m.requester == node.ID && m.cancelled && got.Status == "OPEN":
			f.t.Errorf("%s lost its acknowledged cancellation of %s to a SIGKILL", node.ID, m.id)
		case m.source == node.ID && m.accepted > 0 && (got.Status != "ACCEPTED" || got.Transfer == nil || got.Transfer.ID != m.transfer):
			f.t.Errorf("%s lost its acknowledged acceptance of %s to a SIGKILL: %s", node.ID, m.id, got.summary())
		case m.source == node.ID && m.declined && got.Status != "DECLINED":
			f.t.Errorf("%s lost its acknowledged decline of %s to a SIGKILL: %s", node.ID, m.id, got.summary())
		}
	}
}

// requestViews are the requests and transfers each node holds, in the
// order of f.ns.
type requestViews struct {
	requests  []map[string]faultRequest
	transfers []map[string]gqlTransfer
}

// converged waits until every node holds every log, the same requests and
// transfers with the same states, and every cancelled transfer's units
// are back with its sender; it returns what they hold.
func (f *requestFaults) converged() requestViews {
	t := f.t
	ids := []string{"MAD-1", "BCN-1", "VLC-1"}
	nodes := []*testnode.Node{f.ns[0].Node, f.ns[1].Node, f.ns[2].Node}
	deadline := time.Now().Add(90 * time.Second)
	for {
		converge(t, ids, nodes...)
		v, agreed := requestViews{}, true
		for _, n := range nodes {
			rs, err := allRequests(n)
			ts, err2 := allTransfers(n)
			if err != nil || err2 != nil {
				agreed = false
				break
			}
			v.requests, v.transfers = append(v.requests, rs), append(v.transfers, ts)
		}
		for i := 1; agreed && i < len(nodes); i++ {
			agreed = summaries(v.requests[i]) == summaries(v.requests[0]) &&
				fmt.Sprint(statusesOf(v.transfers[i])) == fmt.Sprint(statusesOf(v.transfers[0]))
		}
		for i := 0; agreed && i < len(nodes); i++ {
			agreed = onTheirWay(t, nodes[i], f.skus) == inTransitOf(v.transfers[i])
		}
		if agreed {
			return v
		}
		if time.Now().After(deadline) {
			for i := 1; i < len(v.requests); i++ {
				t.Logf("MAD-1 holds, and %s does not:\n%s", f.ns[i].ID, unlike(v.requests[0], v.requests[i]))
				t.Logf("%s holds, and MAD-1 does not:\n%s", f.ns[i].ID, unlike(v.requests[i], v.requests[0]))
			}
			t.Fatalf("the nodes do not agree on the transfer requests within 90 s of healing")
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// unlike lists the summaries of a that b does not hold.
func unlike(a, b map[string]faultRequest) string {
	var out []string
	for id, r := range a {
		if o, ok := b[id]; !ok || o.summary() != r.summary() {
			out = append(out, r.summary())
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// summaries lists the requests' summaries in id order.
func summaries(rs map[string]faultRequest) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.summary())
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// check checks what the nodes hold against the model.
func (f *requestFaults) check(v requestViews) {
	t := f.t
	status := map[string]int{}
	for i, node := range f.ns {
		f.checkKeys(node.ID, v.requests[i])
		f.checkTransfers(node.ID, v.requests[i], v.transfers[i])
	}
	for _, r := range v.requests[0] {
		status[r.Status]++
		if m := f.byID[r.ID]; m != nil && m.raced {
			status["race won by "+r.Status]++
		}
	}
	t.Logf("%d requests, %d transfers: %v", len(v.requests[0]), len(v.transfers[0]), status)
	for _, s := range f.skus {
		for _, n := range f.ns {
			if u := units(t, n.Node, s); u != 3000 {
				t.Errorf("%s sees %d units of %s in stock and in transit, want 3000", n.ID, u, s)
			}
		}
	}
}

// checkKeys checks that node holds one request per key the model made,
// the one its calls answered, with a status the calls on it allow.
func (f *requestFaults) checkKeys(node string, rs map[string]faultRequest) {
	t := f.t
	byKey := map[string][]faultRequest{}
	for _, r := range rs {
		key, ok := strings.CutPrefix(r.Note, "key ")
		if !ok || f.keys[key] == nil {
			t.Errorf("%s holds request %s, which no call made", node, r.summary())
			continue
		}
		byKey[key] = append(byKey[key], r)
	}
	for _, k := range f.order {
		m, got := f.keys[k], byKey[k]
		switch {
		case len(got) > 1:
			t.Errorf("%s holds %d requests of key %s: %v", node, len(got), k, got)
		case len(got) == 0 && m.id != "":
			t.Errorf("%s lacks request %s of key %s, which was acknowledged", node, m.id, k)
		case len(got) == 0:
		case m.id != "" && got[0].ID != m.id:
			t.Errorf("%s holds %s for key %s, which made %s", node, got[0].ID, k, m.id)
		case got[0].SKU != m.sku || got[0].Quantity != m.quantity || got[0].From.ID != m.source || got[0].To.ID != m.requester:
			t.Errorf("%s holds %s for key %s, which asked %s x%d of %s for %s", node, got[0].summary(), k,
				m.sku, m.quantity, m.source, m.requester)
		default:
			if why := m.allows(got[0]); why != "" {
				t.Errorf("%s holds %s: %s", node, got[0].summary(), why)
			}
		}
	}
}

// allows returns why r's status is not one the calls on m allow; "" when
// it is.
func (m *modelRequest) allows(r faultRequest) string {
	switch {
	case m.accepted > 0 && r.Status != "ACCEPTED":
		return fmt.Sprintf("an acceptance of %d units was acknowledged", m.accepted)
	case m.declined && r.Status != "DECLINED":
		return "its decline was acknowledged"
	case m.cancelled && r.Status == "OPEN":
		return "its cancellation was acknowledged"
	case r.Status == "ACCEPTED" && len(m.acceptMay) == 0,
		r.Status == "DECLINED" && m.declineMay == 0,
		r.Status == "CANCELLED" && m.cancelMay == 0:
		return "no call that may have taken effect made it so"
	case r.Status == "OPEN" && r.DecidedAt != nil, r.Status != "OPEN" && r.DecidedAt == nil:
		return "its decision time does not match its status"
	case r.Status == "ACCEPTED" && (r.Transfer == nil || m.acceptMay[r.Transfer.Quantity] == 0):
		return fmt.Sprintf("the acceptances that may have taken effect asked for %v units", m.acceptMay)
	case r.Status == "ACCEPTED" && m.transfer != "" && r.Transfer.ID != m.transfer:
		return "the acknowledged acceptance sent transfer " + m.transfer
	case r.Status != "ACCEPTED" && r.Transfer != nil:
		return "only an acceptance sends a transfer"
	case r.Status == "DECLINED" && r.Reason != m.reason:
		return fmt.Sprintf("declined with %q", m.reason)
	}
	return ""
}

// checkTransfers checks that each ACCEPTED request node holds has exactly
// one transfer, referencing it, of the units accepted, from its source to
// its requester, and that no other transfer references a request.
func (f *requestFaults) checkTransfers(node string, rs map[string]faultRequest, ts map[string]gqlTransfer) {
	t := f.t
	byRef := map[string][]gqlTransfer{}
	for _, x := range ts {
		byRef[x.Reference] = append(byRef[x.Reference], x)
		if r, ok := rs[x.Reference]; !ok || r.Status != "ACCEPTED" {
			t.Errorf("%s holds transfer %s (%s) referencing %q, which is not an ACCEPTED request (%s)", node, x.ID, x.Status, x.Reference, r.Status)
		}
	}
	for id, r := range rs {
		if r.Status != "ACCEPTED" {
			continue
		}
		got := byRef[id]
		if len(got) != 1 || r.Transfer == nil || got[0].ID != r.Transfer.ID {
			t.Errorf("%s: ACCEPTED request %s has transfers %+v, want exactly its transfer %+v", node, id, got, r.Transfer)
			continue
		}
		if x := got[0]; x.Quantity != r.Transfer.Quantity || x.SKU != r.SKU || x.From.ID != r.From.ID || x.To.ID != r.To.ID {
			t.Errorf("%s: request %s (%s) sent %+v", node, id, r.summary(), x)
		}
	}
}
