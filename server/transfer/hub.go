package transfer

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/server/stock"
)

// maxPending is how many distinct transfers a watcher may have waiting;
// past it the hub drops updates of further transfers for it (counted in
// Dropped). Updates of a transfer already waiting replace it, so a
// watcher that falls behind gets each transfer's latest state, never a
// lost one, as long as fewer than maxPending are waiting.
const maxPending = 1 << 16

// Hub fans transfer updates out to watchers. Publish never blocks. A
// node's Hub is fed by the node's stream of committed entries (see Take).
type Hub struct {
	mu      sync.Mutex
	subs    map[*watcher]struct{}
	dropped atomic.Uint64
	local   atomic.Pointer[string] // the node's warehouse (SetLocal)
	again   rereads
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
	return &Hub{subs: map[*watcher]struct{}{}, again: rereads{ids: map[string]struct{}{}, wake: make(chan struct{}, 1)}}
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
		if !w.put(t) {
			h.dropped.Add(1)
		}
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// put queues t, replacing a waiting update of the same transfer; it
// reports false when it had to drop t.
func (w *watcher) put(t stock.Transfer) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i, ok := w.pending[t.ID]; ok {
		w.queue[i] = t
		return true
	}
	if len(w.queue) >= maxPending {
		return false
	}
	w.pending[t.ID] = len(w.queue)
	w.queue = append(w.queue, t)
	return true
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

// Dropped returns how many updates were dropped for watchers that had
// maxPending transfers waiting, or while maxPending transfers waited to
// be read again (Take).
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }
