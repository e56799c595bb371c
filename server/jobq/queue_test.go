package jobq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/idle"
)

func TestRoundTrip(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 256<<10)
	tests := []struct {
		name  string
		kind  string
		class Class
		job   []byte
		want  []byte
	}{
		{"inproc read", "inproc", Read, []byte("a"), []byte("r:a")},
		{"inproc write", "inproc", Write, []byte("b"), []byte("w:b")},
		{"inproc empty", "inproc", Write, nil, []byte("w:")},
		{"inproc big", "inproc", Read, big, append([]byte("r:"), big...)},
		{"ipc read", "ipc", Read, []byte("c"), []byte("r:c")},
		{"ipc write", "ipc", Write, []byte("d"), []byte("w:d")},
		{"tcp read", "tcp", Read, []byte("e"), []byte("r:e")},
		{"tcp write", "tcp", Write, []byte("f"), []byte("w:f")},
		{"localhost write", "localhost", Write, []byte("g"), []byte("w:g")},
		{"ipv6 read", "ipv6", Read, []byte("h"), []byte("r:h")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testAddr(t, tt.kind)
			startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
			// The first job may race the connection (ZMQ_IMMEDIATE refuses until it is up).
			var got []byte
			eventually(t, "a reply", func() bool {
				var err error
				got, err = c.Do(context.Background(), tt.class, tt.job)
				if err != nil && !errors.Is(err, ErrUnavailable) {
					t.Fatalf("Do: %v", err)
				}
				return err == nil
			})
			if !bytes.Equal(got, tt.want) {
				t.Errorf("Do = %.40q (%d bytes), want %.40q (%d bytes)", got, len(got), tt.want, len(tt.want))
			}
		})
	}
}

func TestWritesBatchedOneAtATime(t *testing.T) {
	const n = 200
	addr := testAddr(t, "inproc")
	h := newGatedHandler()
	w, _ := startWorker(t, WorkerConfig{Addr: addr}, h)
	t.Cleanup(h.open)
	c := newTestClient(t, ClientConfig{Addr: addr, Conns: n, Timeout: waitLong})

	results := make([]<-chan doResult, n)
	for i := range n {
		results[i] = goDo(context.Background(), c, Write, fmt.Sprint(i))
	}
	first := <-h.started // the first batch is inside the handler, blocked
	eventually(t, "every other write queued", func() bool { return w.Depth() == n-first })
	if got := c.InFlight(); got != n {
		t.Errorf("InFlight = %d with %d jobs waiting, want %d", got, n, n)
	}
	h.open()

	for i, ch := range results {
		r := await(t, ch)
		if want := fmt.Sprintf("w:%d", i); r.err != nil || string(r.reply) != want {
			t.Errorf("job %d: Do = %q, %v, want %q", i, r.reply, r.err, want)
		}
	}
	sizes := h.batchSizes()
	total := 0
	for _, s := range sizes {
		total += s
	}
	if total != n {
		t.Errorf("batches %v hold %d jobs, want %d", sizes, total, n)
	}
	if slices.Max(sizes) < 2 {
		t.Errorf("batches %v: none has more than one job", sizes)
	}
	if h.overlap.Load() {
		t.Error("HandleWrites ran concurrently")
	}
	if got := c.InFlight(); got != 0 {
		t.Errorf("InFlight = %d after every reply, want 0", got)
	}
}

func TestSaturationRefusesAtOnce(t *testing.T) {
	addr := testAddr(t, "inproc")
	h := newGatedHandler()
	w, _ := startWorker(t, WorkerConfig{Addr: addr, MaxPending: 2}, h)
	t.Cleanup(h.open)
	c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})

	running := goDo(context.Background(), c, Write, "running")
	<-h.started
	queued := []<-chan doResult{
		goDo(context.Background(), c, Write, "q1"),
		goDo(context.Background(), c, Write, "q2"),
	}
	eventually(t, "two jobs queued", func() bool { return w.Depth() == 2 })

	tests := []struct {
		name  string
		class Class
	}{
		{"write", Write},
		{"read", Read},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitLong)
			defer cancel()
			_, err := c.Do(ctx, tt.class, []byte("extra"))
			if !isRefusal(err) {
				t.Errorf("Do on a saturated worker = %v, want an immediate ErrUnavailable", err)
			}
		})
	}

	h.open()
	for _, ch := range append(queued, running) {
		if r := await(t, ch); r.err != nil {
			t.Errorf("queued job: %v", r.err)
		}
	}
}

func TestDeadline(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func() (context.Context, context.CancelFunc)
		timeout time.Duration
	}{
		{"context deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 200*time.Millisecond)
		}, waitLong},
		{"client timeout", func() (context.Context, context.CancelFunc) {
			return context.Background(), func() {}
		}, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testAddr(t, "inproc")
			h := newGatedHandler() // never opened until cleanup: the handler does not return
			startWorker(t, WorkerConfig{Addr: addr}, h)
			t.Cleanup(h.open)
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: tt.timeout})
			ctx, cancel := tt.ctx()
			defer cancel()
			r := await(t, goDo(ctx, c, Write, "stuck"))
			if !errors.Is(r.err, ErrNoReply) || !errors.Is(r.err, context.DeadlineExceeded) {
				t.Errorf("Do = %q, %v, want ErrNoReply after the deadline (the job was sent)", r.reply, r.err)
			}
		})
	}
}

func TestLateReplyDiscarded(t *testing.T) {
	addr := testAddr(t, "inproc")
	h := newGatedHandler()
	w, _ := startWorker(t, WorkerConfig{Addr: addr}, h)
	t.Cleanup(h.open)
	c := newTestClient(t, ClientConfig{Addr: addr, Conns: 1, Timeout: waitLong})

	ctx, cancel := context.WithCancel(context.Background())
	abandoned := goDo(ctx, c, Write, "late")
	<-h.started
	cancel()
	if r := await(t, abandoned); !errors.Is(r.err, ErrNoReply) {
		t.Fatalf("abandoned Do = %q, %v, want ErrNoReply", r.reply, r.err)
	}
	next := goDo(context.Background(), c, Write, "next")
	eventually(t, "the next job queued behind the late one", func() bool { return w.Depth() == 1 })
	h.open() // "late" is answered first, then "next"
	if r := await(t, next); r.err != nil || string(r.reply) != "w:next" {
		t.Errorf("next Do = %q, %v, want %q", r.reply, r.err, "w:next")
	}
}

func TestWorkerGoneAndBack(t *testing.T) {
	for _, kind := range []string{"tcp", "ipc"} {
		t.Run(kind, func(t *testing.T) {
			addr := testAddr(t, kind)
			_, stop := startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: 2 * time.Second})
			doEventually(t, c, "the first worker")

			stop()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			// Refused at once once the client has seen the worker go, or sent into the closing
			// connection and left without a reply before that.
			if _, err := c.Do(ctx, Write, []byte("gone")); !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrNoReply) {
				t.Fatalf("Do with no worker = %v, want ErrUnavailable or ErrNoReply", err)
			}

			restartWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
			doEventually(t, c, "the second worker")
		})
	}
}

// doEventually retries a write until it succeeds, failing on errors other than ErrUnavailable and
// ErrNoReply.
func doEventually(t *testing.T, c *Client, what string) {
	t.Helper()
	eventually(t, what, func() bool {
		got, err := c.Do(context.Background(), Write, []byte("x"))
		if err != nil && !errors.Is(err, ErrUnavailable) && !errors.Is(err, ErrNoReply) {
			t.Fatalf("Do: %v", err)
		}
		if err == nil && string(got) != "w:x" {
			t.Fatalf("Do = %q, want %q", got, "w:x")
		}
		return err == nil
	})
}

func TestShutdownFinishesInFlight(t *testing.T) {
	addr := testAddr(t, "inproc")
	h := newGatedHandler()
	w, stop := startWorker(t, WorkerConfig{Addr: addr}, h)
	t.Cleanup(h.open)
	c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})

	inFlight := goDo(context.Background(), c, Write, "in-flight")
	<-h.started
	queued := goDo(context.Background(), c, Write, "queued")
	eventually(t, "a queued job", func() bool { return w.Depth() == 1 })

	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	eventually(t, "intake stopped", func() bool { return wait.Closed(w.stopping) })
	h.open()
	if r := await(t, inFlight); r.err != nil || string(r.reply) != "w:in-flight" {
		t.Errorf("in-flight Do = %q, %v, want its reply", r.reply, r.err)
	}
	if r := await(t, queued); !errors.Is(r.err, ErrUnavailable) {
		t.Errorf("queued Do = %q, %v, want ErrUnavailable", r.reply, r.err)
	}
	<-stopped
}

func TestClientClosed(t *testing.T) {
	addr := testAddr(t, "inproc")
	startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
	c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
	c.Close()
	if _, err := c.Do(context.Background(), Read, []byte("x")); !isRefusal(err) {
		t.Errorf("Do after Close = %v, want an immediate ErrUnavailable", err)
	}
}

func TestConstructorsRefuseBadAddr(t *testing.T) {
	const addr = "tcp://0.0.0.0:5555"
	if _, err := NewWorker(WorkerConfig{Addr: addr}, echoHandler{}); !errors.Is(err, ErrBadAddr) {
		t.Errorf("NewWorker = %v, want ErrBadAddr", err)
	}
	if _, err := NewClient(ClientConfig{Addr: addr}); !errors.Is(err, ErrBadAddr) {
		t.Errorf("NewClient = %v, want ErrBadAddr", err)
	}
	if _, err := NewPublisher(addr, nil, 0, nil); !errors.Is(err, ErrBadAddr) {
		t.Errorf("NewPublisher = %v, want ErrBadAddr", err)
	}
	if _, err := NewSubscriber(addr, nil, nil); !errors.Is(err, ErrBadAddr) {
		t.Errorf("NewSubscriber = %v, want ErrBadAddr", err)
	}
}

func TestNewWorkerAddrInUse(t *testing.T) {
	addr := testAddr(t, "tcp")
	startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
	if w, err := NewWorker(WorkerConfig{Addr: addr}, echoHandler{}); err == nil {
		w.Run(canceled())
		t.Fatal("second NewWorker on the same tcp address succeeded")
	}
}

// canceled returns a context that is already done.
func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// recordingObserver counts what a Worker reports.
type recordingObserver struct {
	mu      sync.Mutex
	batched int
	jobs    map[Class]int
	expired map[Class]int
}

func (o *recordingObserver) BatchDone(size int, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.batched += size
}

func (o *recordingObserver) JobDone(class Class, waited, took time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs[class]++
}

func (o *recordingObserver) JobExpired(class Class) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.expired[class]++
}

func TestObserver(t *testing.T) {
	addr := testAddr(t, "inproc")
	o := &recordingObserver{jobs: map[Class]int{}, expired: map[Class]int{}}
	_, stop := startWorker(t, WorkerConfig{Addr: addr, Observer: o}, echoHandler{})
	c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
	for _, class := range []Class{Write, Write, Read} {
		if _, err := c.Do(context.Background(), class, []byte("x")); err != nil {
			t.Fatalf("Do: %v", err)
		}
	}
	stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.batched != 2 || o.jobs[Write] != 2 || o.jobs[Read] != 1 {
		t.Errorf("observed %d batched, %v jobs; want 2 batched, 2 writes, 1 read", o.batched, o.jobs)
	}
}

// TestExpiredJobsSkipped checks that a job whose caller's deadline passed while it waited is answered
// without running, counted, and reported to its caller as not run (ErrUnavailable), while a job the
// caller gave up on after it was sent is reported as possibly run (ErrNoReply).
func TestExpiredJobsSkipped(t *testing.T) {
	for _, class := range []Class{Write, Read, LongRead} {
		t.Run(class.String(), func(t *testing.T) {
			addr := testAddr(t, "inproc")
			h := newGatedHandler()
			o := &recordingObserver{jobs: map[Class]int{}, expired: map[Class]int{}}
			cfg := WorkerConfig{Addr: addr, Observer: o, Readers: 1, LongReaders: 1}
			_, stop := startWorker(t, cfg, h)
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
			first := make(chan error, 1)
			go func() {
				_, err := c.Do(context.Background(), class, []byte("first"))
				first <- err
			}()
			<-h.started // the only executor of class is now busy
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			_, err := c.Do(ctx, class, []byte("late"))
			if !errors.Is(err, ErrNoReply) {
				t.Fatalf("Do past its deadline = %v, want ErrNoReply (it was sent)", err)
			}
			h.open()
			if err := <-first; err != nil {
				t.Fatalf("first job: %v", err)
			}
			// The late job is answered (skipped) before anything sent after it.
			if _, err := c.Do(context.Background(), class, []byte("after")); err != nil {
				t.Fatalf("job after: %v", err)
			}
			stop()
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.expired[class] != 1 || o.jobs[class] != 2 {
				t.Errorf("observed %v done, %v expired; want 2 done and 1 expired %s", o.jobs, o.expired, class)
			}
		})
	}
}

// TestLongReadsApart checks that long reads and background reads have executors of their own: with every
// long reader, or every background reader, busy, the other classes of read still run.
func TestLongReadsApart(t *testing.T) {
	reads := []Class{Read, LongRead, Background}
	for _, busy := range []Class{LongRead, Background} {
		t.Run(busy.String(), func(t *testing.T) {
			addr := testAddr(t, "inproc")
			block := make(chan struct{})
			h := &classHandler{block: block}
			startWorker(t, WorkerConfig{Addr: addr, Readers: 1, LongReaders: 1, BackgroundReaders: 1}, h)
			c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
			done := make(chan error, 1)
			go func() {
				_, err := c.Do(context.Background(), busy, []byte("long"))
				done <- err
			}()
			for h.longRunning.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			for _, class := range reads {
				if class == busy {
					continue
				}
				out, err := c.Do(context.Background(), class, []byte("short"))
				if err != nil || string(out) != "r:short" {
					t.Fatalf("a %v while every %v reader is busy = %q, %v", class, busy, out, err)
				}
			}
			close(block)
			if err := <-done; err != nil {
				t.Fatalf("%v: %v", busy, err)
			}
		})
	}
}

// classHandler echoes, and blocks every "long" read until block is closed, after which it reports
// that ctx carried a deadline.
type classHandler struct {
	echoHandler
	block       chan struct{}
	longRunning atomic.Int32
}

func (h *classHandler) HandleRead(ctx context.Context, job []byte) []byte {
	if string(job) == "long" {
		h.longRunning.Add(1)
		<-h.block
		if _, ok := ctx.Deadline(); !ok {
			return []byte("no deadline")
		}
	}
	return h.echoHandler.HandleRead(ctx, job)
}

// TestBackgroundReadsIdle checks that Background jobs, and only they, run on threads at idle priority.
func TestBackgroundReadsIdle(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("idle priority is Linux's SCHED_IDLE")
	}
	addr := testAddr(t, "inproc")
	startWorker(t, WorkerConfig{Addr: addr}, policyHandler{})
	c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
	for _, tc := range []struct {
		class Class
		want  string
	}{{Read, "normal"}, {Background, "idle"}, {LongRead, "normal"}, {Background, "idle"}, {Read, "normal"}} {
		out, err := c.Do(context.Background(), tc.class, []byte("?"))
		if err != nil {
			t.Fatalf("%v: %v", tc.class, err)
		}
		if string(out) != tc.want {
			t.Errorf("a %v ran at %s priority, want %s", tc.class, out, tc.want)
		}
	}
}

// policyHandler answers a read with whether its thread runs at idle priority.
type policyHandler struct{ echoHandler }

func (policyHandler) HandleRead(context.Context, []byte) []byte {
	ok, err := idle.Lowered()
	switch {
	case err != nil:
		return []byte(err.Error())
	case ok:
		return []byte("idle")
	}
	return []byte("normal")
}
