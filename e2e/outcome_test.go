package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestWriteOutcomeAfterHandlerCrash kills a separate database handler under
// load and starts it again: every write without an idempotency key must end
// with an answer that tells the truth. A success was applied exactly once;
// UNAVAILABLE ("not applied, safe to retry") was not applied at all, even
// for the writes the dead handler may have committed before it could reply:
// the node asks the new handler whether each write whose reply was lost was
// applied. OUTCOME_UNKNOWN is allowed only while the node cannot find out,
// which the restart within seconds rules out. A live subscriber, whose
// events the crash interrupts, ends with the database's quantity: the node
// reads what it missed from the change log.
func TestWriteOutcomeAfterHandlerCrash(t *testing.T) {
	queue := "ipc://" + filepath.Join(t.TempDir(), "q.sock")
	data := t.TempDir()
	worker := testnode.StartWorker(t, data, queue)
	n := testnode.StartIn(t, t.TempDir(), "127.0.0.1:0", "--queue", queue)
	mustCreate(t, n, "OC-1", 1_000_000)
	ws, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.c.Close()
	ws.subscribe("1", `subscription { stockChanged(sku: "OC-1") { quantity } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 1)
	seen := make(chan float64, 1<<16)
	go func() {
		for {
			m, err := ws.read()
			if err != nil {
				close(seen)
				return
			}
			p, _ := m["payload"].(map[string]any)
			d, _ := p["data"].(map[string]any)
			if sc, ok := d["stockChanged"].(map[string]any); ok {
				seen <- sc["quantity"].(float64)
			}
		}
	}()

	var mu sync.Mutex
	answers := map[string]string{} // reference → code ("" for success)
	resolved := map[string]int{}   // code → answers given after a lost reply (past the queue's 10 s deadline)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				ref := fmt.Sprintf("w%d-%d", w, i)
				start := time.Now()
				r, err := n.GraphQL(context.Background(), recordMovement, map[string]any{"in": map[string]any{
					"sku": "OC-1", "kind": "SALE", "quantity": 1, "reference": ref}})
				if err != nil {
					t.Errorf("request %s: %v", ref, err)
					return
				}
				mu.Lock()
				answers[ref] = r.Code()
				if time.Since(start) > 9*time.Second {
					resolved[r.Code()]++
				}
				mu.Unlock()
			}
		})
	}
	succeeded := func(n int) func() bool { // n answers were successes
		return func() bool {
			mu.Lock()
			defer mu.Unlock()
			k := 0
			for _, code := range answers {
				if code == "" {
					k++
				}
			}
			return k >= n
		}
	}
	waitUntil(t, "100 movements recorded before the crash", succeeded(100))
	worker.Kill()
	// Every writer now waits on a job sent to the dead handler.
	waitUntil(t, "16 writes in flight to the dead handler", func() bool { return metric(t, n, "stockmesh_jobs_in_flight") >= 16 })
	mu.Lock()
	before := len(answers)
	mu.Unlock()
	testnode.StartWorker(t, data, queue)
	waitUntil(t, "writes recorded after the restart", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(answers) >= before+100
	})
	stop()
	wg.Wait()

	applied := map[string]int{}
	for _, m := range ledgerRefs(t, n, "OC-1") {
		applied[m]++
	}
	counts := map[string]int{}
	for ref, code := range answers {
		counts[code]++
		switch {
		case code == "" && applied[ref] != 1:
			t.Errorf("%s answered success, applied %d times", ref, applied[ref])
		case code == "UNAVAILABLE" && applied[ref] != 0:
			t.Errorf("%s answered UNAVAILABLE (not applied), applied %d times", ref, applied[ref])
		case code != "" && code != "UNAVAILABLE":
			t.Errorf("%s answered %s", ref, code)
		}
	}
	for ref, k := range applied {
		if _, asked := answers[ref]; !asked || k != 1 {
			t.Errorf("movement %s applied %d times, asked: %v", ref, k, asked)
		}
	}
	t.Logf("answers by code: %v, of which after a lost reply: %v; %d movements applied", counts, resolved, len(applied))
	if counts[""] == 0 || counts["UNAVAILABLE"] == 0 || len(resolved) == 0 {
		t.Fatalf("answers %v, after a lost reply %v: the load did not span the crash", counts, resolved)
	}
	checkLedger(t, n, "OC-1")

	final, last := float64(quantity(t, n, "OC-1")), -1.0
	timeout := time.After(20 * time.Second)
	for last != final {
		select {
		case q, ok := <-seen:
			if !ok {
				t.Fatalf("subscription ended at quantity %v, the database has %v", last, final)
			}
			last = q
		case <-timeout:
			t.Fatalf("the subscriber's last quantity is %v, the database has %v", last, final)
		}
	}
	t.Logf("subscriber caught up; gaps filled from the log: %v", metric(t, n, "stockmesh_feed_gaps_recovered_total"))
}

// ledgerRefs returns the reference of every movement of sku that has one.
func ledgerRefs(t *testing.T, n *testnode.Node, sku string) []string {
	t.Helper()
	var refs []string
	for _, m := range ledger(t, n, sku) {
		if m.Reference != "" {
			refs = append(refs, m.Reference)
		}
	}
	return refs
}
