package jobq

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// waitLong bounds every wait in the tests; the machine may be loaded, so it is generous.
const waitLong = 30 * time.Second

// echoHandler answers "w:"+job to writes and "r:"+job to reads.
type echoHandler struct{}

func (echoHandler) HandleWrites(jobs [][]byte) [][]byte {
	out := make([][]byte, len(jobs))
	for i, j := range jobs {
		out[i] = append([]byte("w:"), j...)
	}
	return out
}

func (echoHandler) HandleRead(_ context.Context, job []byte) []byte {
	return append([]byte("r:"), job...)
}

// gatedHandler echoes like echoHandler, but every call first announces itself on started (the batch
// size, or 1 for a read) and then waits until open is called. It records batch sizes and whether two
// HandleWrites calls ever overlapped.
type gatedHandler struct {
	started chan int
	release chan struct{}
	once    sync.Once
	active  atomic.Int32
	overlap atomic.Bool
	mu      sync.Mutex
	batches []int
}

func newGatedHandler() *gatedHandler {
	return &gatedHandler{started: make(chan int, 1024), release: make(chan struct{})}
}

// open lets every call, present and future, proceed.
func (h *gatedHandler) open() { h.once.Do(func() { close(h.release) }) }

func (h *gatedHandler) HandleWrites(jobs [][]byte) [][]byte {
	if h.active.Add(1) > 1 {
		h.overlap.Store(true)
	}
	defer h.active.Add(-1)
	h.started <- len(jobs)
	<-h.release
	h.mu.Lock()
	h.batches = append(h.batches, len(jobs))
	h.mu.Unlock()
	return echoHandler{}.HandleWrites(jobs)
}

func (h *gatedHandler) HandleRead(ctx context.Context, job []byte) []byte {
	h.started <- 1
	<-h.release
	return echoHandler{}.HandleRead(ctx, job)
}

func (h *gatedHandler) batchSizes() []int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]int(nil), h.batches...)
}

// testAddr returns a fresh queue address of the given kind: "inproc", "ipc" or "tcp".
func testAddr(t testing.TB, kind string) string {
	t.Helper()
	switch kind {
	case "inproc":
		name := strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
		return "inproc://" + name + "-" + rand.Text()[:8]
	case "ipc":
		return "ipc://" + filepath.Join(t.TempDir(), "q")
	case "tcp":
		return testnode.FreeQueueAddr(t)
	case "localhost":
		return fmt.Sprintf("tcp://localhost:%d", testnode.FreePort(t))
	case "ipv6":
		l, err := net.Listen("tcp", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		defer l.Close()
		return fmt.Sprintf("tcp://[::1]:%d", l.Addr().(*net.TCPAddr).Port)
	}
	t.Fatalf("unknown address kind %q", kind)
	return ""
}

// startWorker creates a worker for cfg and h and runs it. The returned stop cancels it and waits for Run
// to return; it is idempotent and also runs at cleanup.
func startWorker(t testing.TB, cfg WorkerConfig, h Handler) (*Worker, func()) {
	t.Helper()
	w, err := NewWorker(cfg, h)
	if err != nil {
		t.Fatalf("NewWorker(%s): %v", cfg.Addr, err)
	}
	return runWorker(t, w)
}

// restartWorker is startWorker on an address a closed worker used: zmq releases it asynchronously, so
// binding is retried until it succeeds.
func restartWorker(t testing.TB, cfg WorkerConfig, h Handler) (*Worker, func()) {
	t.Helper()
	var w *Worker
	eventually(t, "binding "+cfg.Addr+" again", func() bool {
		var err error
		w, err = NewWorker(cfg, h)
		return err == nil
	})
	return runWorker(t, w)
}

// runWorker runs w; see startWorker.
func runWorker(t testing.TB, w *Worker) (*Worker, func()) {
	t.Helper()
	cfg := w.cfg
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(waitLong):
				t.Errorf("worker at %s did not stop", cfg.Addr)
			}
		})
	}
	t.Cleanup(stop)
	return w, stop
}

// newTestClient creates a client for cfg and closes it at cleanup.
func newTestClient(t testing.TB, cfg ClientConfig) *Client {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient(%s): %v", cfg.Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// eventually polls cond until it holds or waitLong passes.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLong)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// doResult is the outcome of one Do call run in a goroutine.
type doResult struct {
	reply []byte
	err   error
}

// goDo runs c.Do in a goroutine and returns the channel receiving its outcome.
func goDo(ctx context.Context, c *Client, class Class, job string) <-chan doResult {
	ch := make(chan doResult, 1)
	go func() {
		r, err := c.Do(ctx, class, []byte(job))
		ch <- doResult{r, err}
	}()
	return ch
}

// await returns the outcome on ch, failing the test if none comes within waitLong.
func await(t testing.TB, ch <-chan doResult) doResult {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(waitLong):
		t.Fatal("Do did not return")
		return doResult{}
	}
}

// isRefusal reports whether err is an unavailable error that did not come from a deadline.
func isRefusal(err error) bool {
	return errors.Is(err, ErrUnavailable) && !errors.Is(err, context.DeadlineExceeded) &&
		!errors.Is(err, context.Canceled)
}
