package feed

import (
	"context"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
)

// Hub fans published events out to subscribers. Its methods are safe for
// concurrent use; Publish is meant to be called from one goroutine so that
// events keep their commit order.
type Hub struct {
	logger *slog.Logger

	mu   sync.RWMutex
	subs int // subscribers watching
	// bySKU indexes the subscribers whose filter names a sku, and anySKU
	// holds the others, so that an event visits only the subscribers that
	// may want it (a thousand subscriptions each on its own sku cost one
	// visit per event, not a thousand).
	bySKU  map[string]map[*subscriber]struct{}
	anySKU map[*subscriber]struct{}
	extra  atomic.Int64 // subscribers served by shared subscriptions beyond one each (Shared.SetMembers)
	turns  turns
	ctx    context.Context // cancelled by Close, under mu: closed iff ctx.Err() != nil
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewHub returns an open Hub that logs to logger.
func NewHub(logger *slog.Logger) *Hub {
	ctx, cancel := context.WithCancel(context.Background())
	return &Hub{
		logger: logger,
		bySKU:  make(map[string]map[*subscriber]struct{}),
		anySKU: make(map[*subscriber]struct{}),
		turns:  make(turns, runtime.NumCPU()),
		ctx:    ctx,
		cancel: cancel,
	}
}

// Watch registers a subscriber for the events f selects and returns the
// channel their conversions arrive on: convert's results, skipping events
// it returns false for. convert runs on the subscription's own delivery
// goroutine, so a subscriber costs one goroutine however it converts. The
// hub buffers up to buffer events (at least one) for it; past that it
// merges them per SKU as Event describes. The hub closes the channel when
// ctx is done or the hub closes, and never blocks on it. After Close it
// returns a closed channel.
func Watch[T any](ctx context.Context, h *Hub, f Filter, buffer int, convert func(Event) (T, bool)) <-chan T {
	out := make(chan T)
	s := newSubscriber(f, buffer, h.turns, func(e Event, done <-chan struct{}, t *turn) bool {
		v, ok := convert(e)
		return !ok || offer(out, v, done, t)
	})
	h.mu.Lock()
	if h.ctx.Err() != nil {
		h.mu.Unlock()
		close(out)
		return out
	}
	h.subs++
	h.index(s)
	h.wg.Add(1)
	h.mu.Unlock()

	ctx, cancel := context.WithCancel(ctx)
	stopOnClose := context.AfterFunc(h.ctx, cancel)
	go func() {
		defer h.wg.Done()
		defer close(out)
		defer stopOnClose()
		defer cancel()
		s.run(ctx.Done(), func() { h.remove(s) })
	}()
	return out
}

// remove unregisters s.
func (h *Hub) remove(s *subscriber) {
	h.mu.Lock()
	h.subs--
	if f := s.filter.SKU; f == "" {
		delete(h.anySKU, s)
	} else if delete(h.bySKU[f], s); len(h.bySKU[f]) == 0 {
		delete(h.bySKU, f)
	}
	h.mu.Unlock()
}

// Publish hands e to every subscriber whose filter selects it. It never
// blocks on a subscriber. It does nothing after Close.
func (h *Hub) Publish(e Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.anySKU {
		h.offer(s, e)
	}
	for s := range h.bySKU[e.SKU] {
		h.offer(s, e)
	}
}

// offer pushes e to s if s's filter selects it.
func (h *Hub) offer(s *subscriber, e Event) {
	if s.filter.Match(e) && s.push(e) {
		h.logger.Debug("feed: subscriber fell behind, merging its events",
			"warehouse", e.Warehouse, "sku", e.SKU, "seq", e.Seq)
	}
}

// index adds s to anySKU or bySKU; h.mu must be held.
func (h *Hub) index(s *subscriber) {
	f := s.filter.SKU
	if f == "" {
		h.anySKU[s] = struct{}{}
		return
	}
	if h.bySKU[f] == nil {
		h.bySKU[f] = make(map[*subscriber]struct{})
	}
	h.bySKU[f][s] = struct{}{}
}

// Subscribers returns the number of open subscriptions, counting every
// subscriber a Shared serves.
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.subs + int(h.extra.Load())
}

// Executions returns the number of hub subscriptions: one per shared
// execution (see Shared), however many subscribers it serves, and one per
// subscription watching alone.
func (h *Hub) Executions() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.subs
}

// Close ends every subscription, closing their channels, and waits for
// their goroutines to return. Later calls do nothing.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.ctx.Err() != nil {
		h.mu.Unlock()
		return
	}
	h.cancel()
	h.mu.Unlock()
	h.wg.Wait()
}
