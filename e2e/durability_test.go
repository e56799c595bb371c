package e2e

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestRestartKeepsEverything: a graceful stop and a restart keep products,
// movements and the change sequence.
func TestRestartKeepsEverything(t *testing.T) {
	n := testnode.Start(t, "--id", "BCN-2", "--name", "Barcelona")
	mustCreate(t, n, "R1", 8)
	n.MustGraphQL(t, recordMovement, mv("R1", "SALE", 3))
	before := ledger(t, n, "R1")
	n.Stop()
	n.Restart(t)
	if got := ledger(t, n, "R1"); len(got) != len(before) || got[0] != before[0] {
		t.Fatalf("ledger after restart %+v, before %+v", got, before)
	}
	var m struct{ RecordMovement ledgerMovement }
	decode(t, n.MustGraphQL(t, recordMovement, mv("R1", "RETURN", 1)), &m)
	if m.RecordMovement.Balance != 6 || m.RecordMovement.ID == before[0].ID {
		t.Fatalf("movement after restart %+v (last before: %+v)", m.RecordMovement, before[0])
	}
	var w struct{ LocalWarehouse struct{ ID, Name string } }
	decode(t, n.MustGraphQL(t, `{ localWarehouse { id name } }`, nil), &w)
	if w.LocalWarehouse.ID != "BCN-2" || w.LocalWarehouse.Name != "Barcelona" {
		t.Fatalf("warehouse after restart: %+v", w.LocalWarehouse)
	}
	checkLedger(t, n, "R1")
}

// TestCrashKeepsAcknowledged: SIGKILL under write load loses no movement
// that was acknowledged to a client, and stock still equals the ledger; for
// the in-process handler (the node is killed) and for a separate database
// handler (only the dbworker is killed; the node recovers by itself).
func TestCrashKeepsAcknowledged(t *testing.T) {
	for _, separate := range []bool{false, true} {
		name := map[bool]string{false: "inproc", true: "dbworker"}[separate]
		t.Run(name, func(t *testing.T) {
			var n *testnode.Node
			var worker *testnode.Proc
			data, queue := t.TempDir(), ""
			if separate {
				queue = "ipc://" + filepath.Join(data, "queue.sock")
				worker = testnode.StartWorker(t, data, queue)
				n = testnode.StartIn(t, data, "127.0.0.1:0", "--queue", queue)
			} else {
				n = testnode.StartIn(t, data, "127.0.0.1:0")
			}
			skus := []string{"K1", "K2", "K3", "K4"}
			for _, s := range skus {
				mustCreate(t, n, s, 1_000_000)
			}
			acked := writeUntilKilled(t, n, skus, func() {
				if separate {
					worker.Kill()
				} else {
					n.Kill()
				}
			})
			if separate {
				worker = testnode.StartWorker(t, data, queue)
				waitServing(t, n)
			} else {
				n.Restart(t)
			}
			present := map[string]bool{}
			for _, s := range skus {
				for _, m := range ledger(t, n, s) {
					present[m.ID] = true
				}
				checkLedger(t, n, s)
			}
			for id := range acked {
				if !present[id] {
					t.Fatalf("acknowledged movement %s is missing after the crash (%d acknowledged)", id, len(acked))
				}
			}
			t.Logf("%d acknowledged movements all present after SIGKILL", len(acked))
		})
	}
}

// writeUntilKilled records sales from 16 clients, calls kill once 300 have
// been acknowledged, and returns the ids of every acknowledged movement.
func writeUntilKilled(t *testing.T, n *testnode.Node, skus []string, kill func()) map[string]bool {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	var mu sync.Mutex
	acked := map[string]bool{}
	enough := make(chan struct{})
	failed := make(chan error, 16) // a worker sends at most once, then ends
	var once sync.Once
	var wg sync.WaitGroup
	for w := range 16 {
		wg.Go(func() {
			for i := 0; ctx.Err() == nil; i++ {
				r, err := n.GraphQL(ctx, recordMovement, map[string]any{"in": map[string]any{
					"sku": skus[i%len(skus)], "kind": "SALE", "quantity": 1, "idempotencyKey": fmt.Sprintf("w%d-%d", w, i)}})
				if err != nil || len(r.Errors) > 0 {
					continue // the kill fails requests in flight: those were never acknowledged
				}
				var out struct{ RecordMovement ledgerMovement }
				if err := decodeErr(r, &out); err != nil {
					failed <- err // reported on the test's goroutine, which alone may stop the test
					return
				}
				mu.Lock()
				acked[out.RecordMovement.ID] = true
				if len(acked) >= 300 {
					once.Do(func() { close(enough) })
				}
				mu.Unlock()
			}
		})
	}
	var err error
	select {
	case <-enough:
		kill()
	case err = <-failed:
	case <-time.After(2 * time.Minute):
		err = errors.New("fewer than 300 movements acknowledged in 2 minutes")
	}
	stop()
	wg.Wait()
	close(failed)
	if err == nil {
		err = <-failed // nil unless a worker failed after enough were acknowledged
	}
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return acked
}

// waitServing polls until the node answers a query that reaches the
// database handler (localWarehouse is cached, so it would not tell).
func waitServing(t *testing.T, n *testnode.Node) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if r, err := n.GraphQL(context.Background(), `{ products(first: 1) { totalCount } }`, nil); err == nil && len(r.Errors) == 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("the node did not recover within 60s")
}
