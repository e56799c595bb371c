package transfer

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/server/stock"
)

// watchBuffer is how many updates a watcher may fall behind; past it the
// hub drops its updates (counted in Dropped) rather than wait for it.
const watchBuffer = 256

// Hub fans transfer updates out to watchers. Publish never blocks.
type Hub struct {
	mu      sync.Mutex
	subs    map[*watcher]struct{}
	dropped atomic.Uint64
}

// watcher is one Watch call.
type watcher struct {
	warehouse string // "" for every transfer
	ch        chan stock.Transfer
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub { return &Hub{subs: map[*watcher]struct{}{}} }

// Watch returns the updates of transfers from or to warehouse ("" for
// all) published from now on, until ctx is done, when the hub closes the
// channel.
func (h *Hub) Watch(ctx context.Context, warehouse string) <-chan stock.Transfer {
	w := &watcher{warehouse: warehouse, ch: make(chan stock.Transfer, watchBuffer)}
	h.mu.Lock()
	h.subs[w] = struct{}{}
	h.mu.Unlock()
	go func() {
		<-ctx.Done()
		h.mu.Lock()
		delete(h.subs, w)
		close(w.ch)
		h.mu.Unlock()
	}()
	return w.ch
}

// Publish hands t to every watcher it concerns, dropping it for those
// whose buffer is full.
func (h *Hub) Publish(t stock.Transfer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.subs {
		if w.warehouse != "" && w.warehouse != t.From && w.warehouse != t.To {
			continue
		}
		select {
		case w.ch <- t:
		default:
			h.dropped.Add(1)
		}
	}
}

// Watchers returns the number of open watches.
func (h *Hub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Dropped returns how many updates were dropped for watchers that fell
// behind.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }
