package jobq

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// ctxHandler runs reads that wait for release or for their ctx, and
// records which jobs ran and how each ended.
type ctxHandler struct {
	started chan string
	release chan struct{}
	mu      sync.Mutex
	ended   map[string]error // job → its ctx's error when it ended (nil: released)
}

func (h *ctxHandler) HandleWrites(jobs [][]byte) [][]byte { return echoHandler{}.HandleWrites(jobs) }

func (h *ctxHandler) HandleRead(ctx context.Context, job []byte) []byte {
	h.started <- string(job)
	var err error
	select {
	case <-h.release:
	case <-ctx.Done():
		err = ctx.Err()
	}
	h.mu.Lock()
	h.ended[string(job)] = err
	h.mu.Unlock()
	return job
}

// TestCancelledReadsStop: when a caller leaves (its ctx is cancelled)
// after its read was sent, the worker cancels the read it is running and
// skips the one still queued, instead of running both until their
// deadlines for nobody (work went on after the client had left).
func TestCancelledReadsStop(t *testing.T) {
	for _, kind := range []string{"inproc", "tcp"} {
		t.Run(kind, func(t *testing.T) {
			addr := testAddr(t, kind)
			h := &ctxHandler{started: make(chan string, 10), release: make(chan struct{}), ended: map[string]error{}}
			w, _ := startWorker(t, WorkerConfig{Addr: addr, Readers: 1}, h)
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
			doEventually(t, c, "the worker") // a write: the handler's reads stay untouched

			runCtx, leaveRunning := context.WithTimeout(context.Background(), waitLong)
			running := goDo(runCtx, c, Read, "running")
			if got := <-h.started; got != "running" {
				t.Fatalf("started %q", got)
			}
			queuedCtx, leaveQueued := context.WithTimeout(context.Background(), waitLong)
			queued := goDo(queuedCtx, c, Read, "queued")
			// Sent, and waiting behind "running" for the one reader.
			eventually(t, "the queued read waiting at the worker", func() bool { return w.Depth() == 1 })
			leaveQueued()
			// The two callers' cancel frames are sent by their own goroutines,
			// in no set order: the queued read's must reach the worker first,
			// or the reader freed by the running one may take it before.
			eventually(t, "the queued read marked cancelled", func() bool {
				w.cancels.mu.Lock()
				defer w.cancels.mu.Unlock()
				return len(w.cancels.marked) == 1
			})
			leaveRunning()
			for _, ch := range []<-chan doResult{running, queued} {
				if r := await(t, ch); !errors.Is(r.err, context.Canceled) {
					t.Fatalf("Do after its caller left: %v", r.err)
				}
			}
			eventually(t, "the running read's ctx cancelled", func() bool {
				h.mu.Lock()
				defer h.mu.Unlock()
				_, ok := h.ended["running"]
				return ok
			})
			close(h.release) // were "queued" run, it would now end
			if r := await(t, goDo(context.Background(), c, Read, "after")); r.err != nil {
				t.Fatalf("a read after the cancellations: %v", r.err)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if err := h.ended["running"]; !errors.Is(err, context.Canceled) {
				t.Errorf("the running read ended with %v, want its ctx cancelled", err)
			}
			if _, ran := h.ended["queued"]; ran {
				t.Error("the queued read ran after its caller had left")
			}
		})
	}
}
