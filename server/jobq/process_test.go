package jobq

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"
)

// workerAddrEnv names the address a helper process serves when the test binary runs as a worker.
const workerAddrEnv = "JOBQ_TEST_WORKER_ADDR"

// TestHelperWorkerProcess is not a test: run with workerAddrEnv set, it serves echoHandler at that address
// until killed. TestWorkerProcessKilled runs the test binary this way.
func TestHelperWorkerProcess(t *testing.T) {
	addr := os.Getenv(workerAddrEnv)
	if addr == "" {
		t.Skip("runs only as a helper process")
	}
	w, err := NewWorker(WorkerConfig{Addr: addr}, echoHandler{})
	if err != nil {
		t.Fatalf("NewWorker: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*waitLong) // outlives the parent's waits
	defer cancel()
	w.Run(ctx)
}

// startWorkerProcess runs a helper worker process serving addr and kills it at cleanup.
func startWorkerProcess(t *testing.T, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWorkerProcess$")
	cmd.Env = append(os.Environ(), workerAddrEnv+"="+addr)
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting worker process: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

func TestWorkerProcessKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, kind := range []string{"ipc", "tcp"} {
		t.Run(kind, func(t *testing.T) {
			addr := testAddr(t, kind)
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: 2 * time.Second})
			first := startWorkerProcess(t, addr)
			doEventually(t, c, "the first worker process")

			if err := first.Process.Kill(); err != nil {
				t.Fatalf("killing worker process: %v", err)
			}
			first.Wait()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			// Refused at once once the client has seen the peer go, or sent before it did and left
			// without a reply: it never hangs past its deadline either way.
			if _, err := c.Do(ctx, Write, []byte("gone")); !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrNoReply) {
				t.Fatalf("Do with the worker process killed = %v, want ErrUnavailable or ErrNoReply", err)
			}

			startWorkerProcess(t, addr)
			doEventually(t, c, "the second worker process")
		})
	}
}
