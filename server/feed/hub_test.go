package feed

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// deadline bounds every wait in these tests; it is generous because the
// machine running them may be loaded.
const deadline = 30 * time.Second

func newTestHub(t *testing.T) *Hub {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h := NewHub(logger)
	t.Cleanup(h.Close)
	return h
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("hub: %s", p)
	return len(p), nil
}

// receive reads n events from ch, failing the test past the deadline.
func receive(t *testing.T, ch <-chan Event, n int) []Event {
	t.Helper()
	timeout := time.After(deadline)
	got := make([]Event, 0, n)
	for len(got) < n {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("channel closed after %d of %d events", len(got), n)
			}
			got = append(got, e)
		case <-timeout:
			t.Fatalf("received %d of %d events before the deadline", len(got), n)
		}
	}
	return got
}

// waitClosed drains ch until the hub closes it.
func waitClosed(t *testing.T, ch <-chan Event) {
	t.Helper()
	timeout := time.After(deadline)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("channel not closed before the deadline")
		}
	}
}

func TestHubFilters(t *testing.T) {
	events := []Event{
		{Change: stock.Change{Warehouse: "w1", SKU: "a", Seq: 1}},
		{Change: stock.Change{Warehouse: "w1", SKU: "b", Seq: 2}},
		{Change: stock.Change{Warehouse: "w2", SKU: "a", Seq: 1}},
		{Change: stock.Change{Warehouse: "w2", SKU: "c", Seq: 2}},
	}
	tests := []struct {
		name   string
		filter Filter
		want   []string // warehouse/sku of the events delivered, in order
	}{
		{"any", Filter{}, []string{"w1/a", "w1/b", "w2/a", "w2/c"}},
		{"one warehouse", Filter{Warehouse: "w2"}, []string{"w2/a", "w2/c"}},
		{"one sku everywhere", Filter{SKU: "a"}, []string{"w1/a", "w2/a"}},
		{"one sku in one warehouse", Filter{Warehouse: "w1", SKU: "b"}, []string{"w1/b"}},
		{"nothing matches", Filter{Warehouse: "w3"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newTestHub(t)
			ctx, cancel := context.WithCancel(context.Background())
			ch := subscribe(ctx, h, tt.filter, 16)
			for _, e := range events {
				h.Publish(e)
			}
			// A marker every filter selects tells us that all earlier events were delivered.
			marker := Event{Change: stock.Change{Warehouse: tt.filter.Warehouse, SKU: tt.filter.SKU, Seq: 99}}
			if marker.Warehouse == "" {
				marker.Warehouse = "wm"
			}
			if marker.SKU == "" {
				marker.SKU = "m"
			}
			h.Publish(marker)
			got := receive(t, ch, len(tt.want)+1)
			for i, w := range tt.want {
				if g := got[i].Warehouse + "/" + got[i].SKU; g != w {
					t.Errorf("event %d = %s, want %s", i, g, w)
				}
			}
			if last := got[len(got)-1]; last.Seq != 99 {
				t.Errorf("got unexpected event %+v where the marker was due", last)
			}
			cancel()
			waitClosed(t, ch)
			h.mu.RLock()
			defer h.mu.RUnlock()
			if h.subs+len(h.bySKU)+len(h.anySKU) != 0 {
				t.Errorf("after the cancel the hub still holds %d subscribers, %d skus, %d unfiltered", h.subs, len(h.bySKU), len(h.anySKU))
			}
		})
	}
}

func TestHubKeepsOrderPerSKU(t *testing.T) {
	h := newTestHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const perSKU = 500
	skus := []string{"a", "b", "c"}
	// A small buffer read slowly makes the subscriber fall behind and merge.
	ch := subscribe(ctx, h, Filter{}, 4)
	go func() {
		for i := 1; i <= perSKU; i++ {
			for _, s := range skus {
				h.Publish(Event{Change: stock.Change{Warehouse: "w", SKU: s, Seq: int64(i), Quantity: int64(i), Delta: 1}})
			}
		}
	}()
	last := map[string]int64{}
	timeout := time.After(deadline)
	for last["a"] < perSKU || last["b"] < perSKU || last["c"] < perSKU {
		select {
		case e := <-ch:
			if e.Seq <= last[e.SKU] {
				t.Fatalf("sku %s: seq %d after %d", e.SKU, e.Seq, last[e.SKU])
			}
			if e.Quantity != e.Seq {
				t.Fatalf("sku %s: quantity %d at seq %d", e.SKU, e.Quantity, e.Seq)
			}
			if want := e.Seq - last[e.SKU]; e.Delta != want {
				t.Fatalf("sku %s: delta %d at seq %d after %d, want %d", e.SKU, e.Delta, e.Seq, last[e.SKU], want)
			}
			last[e.SKU] = e.Seq
		case <-timeout:
			t.Fatalf("did not reach seq %d for every sku before the deadline: %v", perSKU, last)
		}
	}
}

func TestHubStuckSubscriberDoesNotStallOthers(t *testing.T) {
	h := newTestHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 10000
	skus := []string{"a", "b", "c", "d", "e"}
	stuck := subscribe(ctx, h, Filter{}, 8)
	fast := subscribe(ctx, h, Filter{}, n)

	final := map[string]int64{}
	finalSeq := map[string]int64{}
	published := make(chan struct{})
	go func() {
		defer close(published)
		for i := 1; i <= n; i++ {
			sku := skus[i%len(skus)]
			delta := int64(i%7) - 2
			final[sku] += delta
			finalSeq[sku] = int64(i)
			h.Publish(Event{Change: stock.Change{Warehouse: "w", SKU: sku, Seq: int64(i), Quantity: final[sku], Delta: delta,
				MovementID: fmt.Sprint("m", i)}})
		}
	}()
	select {
	case <-published:
	case <-time.After(deadline):
		t.Fatal("Publish blocked behind a stuck subscriber")
	}

	for i, e := range receive(t, fast, n) {
		if e.Seq != int64(i+1) || e.Merged {
			t.Fatalf("fast subscriber event %d = %+v, want seq %d unmerged", i, e, i+1)
		}
	}

	seen := map[string]Event{}
	sum := map[string]int64{}
	merged := false
	timeout := time.After(deadline)
	for len(seen) < len(skus) || !caughtUp(seen, finalSeq) {
		select {
		case e := <-stuck:
			sum[e.SKU] += e.Delta
			merged = merged || e.Merged
			seen[e.SKU] = e
		case <-timeout:
			t.Fatalf("stuck subscriber did not catch up before the deadline: %+v", seen)
		}
	}
	for _, s := range skus {
		if seen[s].Quantity != final[s] {
			t.Errorf("sku %s: last quantity %d, want %d", s, seen[s].Quantity, final[s])
		}
		if sum[s] != final[s] {
			t.Errorf("sku %s: deltas add up to %d, want %d", s, sum[s], final[s])
		}
	}
	if !merged {
		t.Error("stuck subscriber got no merged event")
	}
}

func caughtUp(seen map[string]Event, finalSeq map[string]int64) bool {
	for s, seq := range finalSeq {
		if seen[s].Seq != seq {
			return false
		}
	}
	return true
}

func TestHubSubscribeCancelLeavesNoGoroutines(t *testing.T) {
	h := newTestHub(t)
	baseline := runtime.NumGoroutine()
	for i := 0; i < 1000; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		ch := subscribe(ctx, h, Filter{SKU: "a"}, 4)
		h.Publish(Event{Change: stock.Change{Warehouse: "w", SKU: "a", Seq: int64(i)}})
		cancel()
		waitClosed(t, ch)
	}
	if n := h.Subscribers(); n != 0 {
		t.Errorf("Subscribers() = %d after every subscription ended, want 0", n)
	}
	timeout := time.After(deadline)
	for runtime.NumGoroutine() > baseline {
		select {
		case <-timeout:
			t.Fatalf("%d goroutines, baseline %d", runtime.NumGoroutine(), baseline)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestHubSubscribers(t *testing.T) {
	h := newTestHub(t)
	ctx, cancel := context.WithCancel(context.Background())
	a := subscribe(ctx, h, Filter{}, 1)
	b := subscribe(context.Background(), h, Filter{}, 1)
	if n := h.Subscribers(); n != 2 {
		t.Fatalf("Subscribers() = %d, want 2", n)
	}
	cancel()
	waitClosed(t, a)
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("Subscribers() = %d after one cancel, want 1", n)
	}
	h.Close()
	waitClosed(t, b)
	if n := h.Subscribers(); n != 0 {
		t.Fatalf("Subscribers() = %d after Close, want 0", n)
	}
}

func TestHubClose(t *testing.T) {
	h := newTestHub(t)
	ch := subscribe(context.Background(), h, Filter{}, 4)
	h.Publish(Event{Change: stock.Change{SKU: "a"}}) // buffered, never read
	h.Close()
	waitClosed(t, ch)
	h.Publish(Event{Change: stock.Change{SKU: "a"}}) // must not panic or block
	late := subscribe(context.Background(), h, Filter{}, 4)
	waitClosed(t, late)
	h.Close() // a second Close does nothing
}

// subscribe watches h's events unconverted.
func subscribe(ctx context.Context, h *Hub, f Filter, buffer int) <-chan Event {
	return Watch(ctx, h, f, buffer, func(e Event) (Event, bool) { return e, true })
}
