package e2e

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestSeparateDatabaseHandler: a node whose database handler runs as its
// own process (ipc and loopback tcp) serves; when the handler is gone,
// requests fail with UNAVAILABLE instead of hanging, and when it returns the
// node recovers by itself.
func TestSeparateDatabaseHandler(t *testing.T) {
	cases := []struct{ name, queue string }{
		{"ipc", "ipc://" + filepath.Join(t.TempDir(), "q.sock")},
		{"tcp", testnode.FreeQueueAddr(t)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := t.TempDir()
			worker := testnode.StartWorker(t, data, c.queue)
			// The node's own data folder is another: it names the handler's
			// CURVE keys (used for tcp://, ignored for ipc://).
			n := testnode.StartIn(t, t.TempDir(), "127.0.0.1:0", "--queue", c.queue,
				"--queue-keys", filepath.Join(data, "queue.keys"))
			mustCreate(t, n, "S1", 5)
			worker.Kill()
			start := time.Now()
			r, err := n.GraphQL(context.Background(), recordMovement, mv("S1", "SALE", 1))
			// UNAVAILABLE once the node has seen the handler go; in the instant
			// before, the job is sent into the dead connection and its outcome,
			// with no handler to ask, is unknown.
			if err != nil || (r.Code() != "UNAVAILABLE" && r.Code() != "OUTCOME_UNKNOWN") {
				t.Fatalf("with the handler gone: err %v, response %+v; want UNAVAILABLE", err, r)
			}
			t.Logf("failed with UNAVAILABLE after %v", time.Since(start).Round(time.Millisecond))
			testnode.StartWorker(t, data, c.queue)
			waitServing(t, n)
			n.MustGraphQL(t, recordMovement, mv("S1", "SALE", 1))
			if q := quantity(t, n, "S1"); q != 4 {
				t.Fatalf("stock %d after the handler returned, want 4 (the failed sale never applied)", q)
			}
			checkLedger(t, n, "S1")
			// The node's side of the queue shows in its metrics in this mode
			// too. The node's own background jobs (settling transfers,
			// resealing) may be in flight for a moment, or until their
			// deadline when they were sent to the handler that was killed, so
			// the gauge must come back to zero, not be zero at once.
			deadline := time.Now().Add(20 * time.Second)
			for v := metric(t, n, "stockmesh_jobs_in_flight"); v != 0; v = metric(t, n, "stockmesh_jobs_in_flight") {
				if time.Now().After(deadline) {
					t.Fatalf("stockmesh_jobs_in_flight = %v 20 s after the last request", v)
				}
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
}

// TestRefusesUnsafeQueueAddress: the queue is for one machine (its peers
// share a data folder or its keys), so non-loopback tcp addresses are
// refused before anything binds or connects.
func TestRefusesUnsafeQueueAddress(t *testing.T) {
	bin := testnode.Binary(t)
	for _, args := range [][]string{
		{"--data", t.TempDir(), "--listen", "127.0.0.1:0", "--queue", "tcp://10.1.2.3:5555"},
		{"--data", t.TempDir(), "--listen", "127.0.0.1:0", "--queue", "tcp://0.0.0.0:5555"},
		{"dbworker", "--data", t.TempDir(), "--queue", "tcp://192.168.1.1:5555"},
	} {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "loopback") {
			t.Errorf("stockmeshd %v: err %v, output %s; want a refusal naming loopback", args, err, out)
		}
	}
}
