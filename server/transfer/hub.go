package transfer

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Hub fans transfer updates out to watchers. Publish never blocks and
// drops nothing: a watcher that falls behind keeps, for each transfer
// that changed meanwhile, its latest state, once (as feed.Backlog keeps
// each sku once), so what it holds is bounded by the transfers that
// changed while it lagged, never by the updates. A node's Hub is fed by
// the node's stream of committed entries (see Take), which fills the
// stream's own gaps from the log.
type Hub struct {
	mu    sync.Mutex
	subs  map[*watcher]struct{}
	local atomic.Pointer[string] // the node's warehouse (SetLocal)
	again rereads
}

// watcher is one Watch call: the updates waiting for it, in order, at
// most one per transfer.
type watcher struct {
	warehouse string // "" for every transfer
	wake      chan struct{}

	mu      sync.Mutex
	queue   []stock.Transfer
	pending map[string]int // transfer id → its index in queue
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub {
	return &Hub{subs: map[*watcher]struct{}{}, again: rereads{wake: make(chan struct{}, 1)}}
}

// Watch returns the updates of transfers from or to warehouse ("" for
// all) published from now on, until ctx is done, when the channel is
// closed. A watcher that reads slowly gets, for each transfer, its latest
// state.
func (h *Hub) Watch(ctx context.Context, warehouse string) <-chan stock.Transfer {
	w := &watcher{warehouse: warehouse, wake: make(chan struct{}, 1), pending: map[string]int{}}
	h.mu.Lock()
	h.subs[w] = struct{}{}
	h.mu.Unlock()
	out := make(chan stock.Transfer)
	go func() {
		defer close(out)
		defer func() {
			h.mu.Lock()
			delete(h.subs, w)
			h.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			}
			for _, t := range w.take() {
				select {
				case <-ctx.Done():
					return
				case out <- t:
				}
			}
		}
	}()
	return out
}

// Publish hands t to every watcher it concerns.
func (h *Hub) Publish(t stock.Transfer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.subs {
		if w.warehouse != "" && w.warehouse != t.From && w.warehouse != t.To {
			continue
		}
		w.put(t)
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// put queues t, replacing a waiting update of the same transfer.
func (w *watcher) put(t stock.Transfer) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i, ok := w.pending[t.ID]; ok {
		w.queue[i] = t
		return
	}
	w.pending[t.ID] = len(w.queue)
	w.queue = append(w.queue, t)
}

// take returns the waiting updates and forgets them.
func (w *watcher) take() []stock.Transfer {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	clear(w.pending)
	return q
}

// Watchers returns the number of open watches.
func (h *Hub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
