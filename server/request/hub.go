// Package request serves transfer requests live (issue 30): the Hub is the
// node stream's consumer of transfer request entries (see feed.Stream) and
// fans each request's latest state out to transferRequestUpdated
// subscriptions. The saga's rules live in server/stock
// (stock.TransferRequest) and its writes in server/store.
package request

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/server/stock"
)

// maxPending bounds the requests waiting for one watcher, and those
// waiting to be read again; past it updates are dropped (Dropped).
// Updates of a request already waiting replace it, so a watcher that
// falls behind gets each request's latest state.
const maxPending = 1 << 14

// Reader reads a transfer request as this node knows it; *stock.Service
// implements it.
type Reader interface {
	TransferRequest(ctx context.Context, id string) (*stock.TransferRequest, error)
}

var _ Reader = (*stock.Service)(nil)

// Hub fans transfer request updates out to watchers. Take and Publish
// never block.
type Hub struct {
	mu      sync.Mutex
	subs    map[*watcher]struct{}
	dropped atomic.Uint64
	local   atomic.Pointer[string]
	again   pending // ids of other warehouses' entries, to read again
	wake    chan struct{}
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub {
	return &Hub{subs: map[*watcher]struct{}{}, again: newPending(), wake: make(chan struct{}, 1)}
}

// pending is a bounded queue holding each request once, in its latest
// state.
type pending struct {
	mu    sync.Mutex
	queue []stock.TransferRequest
	index map[string]int
}

func newPending() pending { return pending{index: map[string]int{}} }

// put queues r, replacing a waiting state of it; false when full.
func (p *pending) put(r stock.TransferRequest) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i, ok := p.index[r.ID]; ok {
		p.queue[i] = r
		return true
	}
	if len(p.queue) >= maxPending {
		return false
	}
	p.index[r.ID] = len(p.queue)
	p.queue = append(p.queue, r)
	return true
}

// take returns what waits and forgets it.
func (p *pending) take() []stock.TransferRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	q := p.queue
	p.queue = nil
	clear(p.index)
	return q
}

// watcher is one Watch call.
type watcher struct {
	warehouse string // "" for every request
	wake      chan struct{}
	waiting   pending
}

// Watch returns the updates of requests from or to warehouse ("" for
// all) published from now on, until ctx is done, when the channel is
// closed.
func (h *Hub) Watch(ctx context.Context, warehouse string) <-chan stock.TransferRequest {
	w := &watcher{warehouse: warehouse, wake: make(chan struct{}, 1), waiting: newPending()}
	h.mu.Lock()
	h.subs[w] = struct{}{}
	h.mu.Unlock()
	out := make(chan stock.TransferRequest)
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
			for _, r := range w.waiting.take() {
				select {
				case <-ctx.Done():
					return
				case out <- r:
				}
			}
		}
	}()
	return out
}

// Publish hands r to every watcher it concerns.
func (h *Hub) Publish(r stock.TransferRequest) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.subs {
		if w.warehouse != "" && w.warehouse != r.From && w.warehouse != r.To {
			continue
		}
		if !w.waiting.put(r) {
			h.dropped.Add(1)
		}
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// Take publishes the request a committed request entry changed: a local
// entry's at once (it is this node's state of the request); another
// warehouse's as this node knows it after applying it (which merges both
// sides' facts), read again by Follow.
func (h *Hub) Take(e *stock.LogEntry) {
	r := e.TransferRequest
	if r == nil {
		return
	}
	if p := h.local.Load(); p != nil && e.Origin == *p {
		h.Publish(*r)
		return
	}
	if !h.again.put(*r) {
		h.dropped.Add(1)
	}
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Active reports whether anyone watches requests.
func (h *Hub) Active() bool { return h.Watchers() > 0 }

// SetLocal names the node's warehouse; call it before the stream runs.
func (h *Hub) SetLocal(id string) { h.local.Store(&id) }

// Follow reads again the requests Take noted from other warehouses'
// entries and publishes them, until ctx is done. A read that fails loses
// only that live update.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		}
		for _, q := range h.again.take() {
			if now, err := r.TransferRequest(ctx, q.ID); err == nil {
				h.Publish(*now)
			}
		}
	}
}

// Watchers returns the number of open watches.
func (h *Hub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Dropped returns how many updates were dropped for watchers, or reads,
// with maxPending requests waiting.
func (h *Hub) Dropped() uint64 { return h.dropped.Load() }
