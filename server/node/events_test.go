package node

import (
	"context"
	"fmt"
	"github.com/stockmesh/stockmesh/server/auth"
	"log/slog"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/transfer"
)

// TestSubscribersRecoverDroppedEvents forces the database handler's
// publisher to drop events (a buffer of one event) under a concurrent load
// and checks that every subscriber ends with the database's quantity of
// every sku, and the replication watcher with the log's head: the pump
// finds each gap in the seqs and reads what is missing from the change
// log, for every consumer of the stream.
func TestSubscribersRecoverDroppedEvents(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	log := slog.New(slog.DiscardHandler)
	addr := fmt.Sprintf("inproc://events-test-%d", seed)
	w, err := StartWorker(WorkerConfig{DataDir: t.TempDir(), Queue: addr, Logger: log, EventBuffer: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(auth.AsNode(context.Background()))
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	client, err := jobq.NewClient(jobq.ClientConfig{Addr: addr, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	svc := stock.NewService(queue{client})
	if _, err := svc.InitWarehouse(ctx, "EV-1", "Events"); err != nil {
		t.Fatal(err)
	}
	const skus = 8
	for i := range skus {
		in := stock.CreateProductInput{SKU: fmt.Sprintf("E-%d", i), Name: "e", InitialQuantity: 1000}
		if _, err := svc.CreateProduct(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	hub := feed.NewHub(log)
	defer hub.Close()
	subs := make([]*lastSeen, 3)
	for i := range subs {
		subs[i] = watch(ctx, hub)
	}
	p, err := newPump(addr, nil, hub, transfer.NewHub(), svc, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	stop, pumped := make(chan struct{}), make(chan error, 1)
	go func() { pumped <- p.run(stop) }()
	defer func() {
		close(stop)
		if err := <-pumped; err != nil {
			t.Errorf("pump: %v", err)
		}
	}()

	r := rand.New(rand.NewPCG(uint64(seed), 1))
	var jobs [][]stock.MovementInput
	for range 8 {
		var mine []stock.MovementInput
		for range 100 {
			kind := []stock.Kind{stock.KindSale, stock.KindPurchase}[r.IntN(2)]
			mine = append(mine, stock.MovementInput{SKU: fmt.Sprintf("E-%d", r.IntN(skus)), Kind: kind, Quantity: 1 + r.Int64N(3)})
		}
		jobs = append(jobs, mine)
	}
	var wg sync.WaitGroup
	for _, mine := range jobs {
		wg.Go(func() {
			for _, in := range mine {
				_, err := svc.RecordMovement(ctx, in)
				// A job the handler skipped past its deadline was not run
				// (a loaded machine under -race): a client tries it again.
				for try := 0; stock.CodeOf(err) == stock.CodeUnavailable && try < 5; try++ {
					_, err = svc.RecordMovement(ctx, in)
				}
				if err != nil {
					t.Errorf("recording %+v: %v", in, err)
					return
				}
			}
		})
	}
	wg.Wait()

	want := map[string]int64{}
	for i := range skus {
		pr, err := svc.Product(ctx, stock.ProductRef{SKU: fmt.Sprintf("E-%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		want[pr.SKU] = pr.Quantity
	}
	deadline := time.Now().Add(20 * time.Second)
	for i, s := range subs {
		for !s.equals(want) {
			if time.Now().After(deadline) {
				t.Fatalf("subscriber %d ends with %v, the database has %v", i, s.snapshot(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	heads, err := svc.Heads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := heads.Head("EV-1")
	for p.watch.Head("EV-1") != last.LastSeq {
		if time.Now().After(deadline) {
			t.Fatalf("the replication watcher is at %d, the log at %d", p.watch.Head("EV-1"), last.LastSeq)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d events dropped by the publisher, %d gaps filled with %d entries from the log",
		w.EventsDropped(), p.seq.Gaps(), p.seq.Recovered())
	if w.EventsDropped() == 0 || p.seq.Gaps() == 0 {
		t.Fatalf("no event was dropped (%d) or no gap filled (%d): the test forced nothing", w.EventsDropped(), p.seq.Gaps())
	}
}

// lastSeen is a subscriber that keeps the last quantity it saw per sku.
type lastSeen struct {
	mu  sync.Mutex
	qty map[string]int64
}

// watch subscribes to every change on hub with a small buffer, so that
// it also falls behind and gets merged events.
func watch(ctx context.Context, hub *feed.Hub) *lastSeen {
	s := &lastSeen{qty: map[string]int64{}}
	ch := feed.Watch(ctx, hub, feed.Filter{}, 4, func(e feed.Event) (feed.Event, bool) { return e, true })
	go func() {
		for e := range ch {
			s.mu.Lock()
			s.qty[e.SKU] = e.Quantity
			s.mu.Unlock()
		}
	}()
	return s
}

// equals reports whether s saw exactly want.
func (s *lastSeen) equals(want map[string]int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.qty) != len(want) {
		return false
	}
	for k, v := range want {
		if s.qty[k] != v {
			return false
		}
	}
	return true
}

// snapshot returns a copy of what s saw.
func (s *lastSeen) snapshot() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int64{}
	for k, v := range s.qty {
		out[k] = v
	}
	return out
}
