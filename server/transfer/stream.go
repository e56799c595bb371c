package transfer

import (
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Reader reads transfers as this node knows them; *stock.Service
// implements it.
type Reader interface {
	TransfersByID(ctx context.Context, ids []string) ([]stock.Transfer, error)
}

// rereads holds the ids of transfers that other warehouses' entries
// changed, to read again as this node now knows them: each once, in the
// order first noted.
type rereads struct {
	mu   sync.Mutex
	ids  []string
	seen map[string]struct{}
	wake chan struct{}
}

// Take publishes the transfer a committed transfer entry changed (the Hub
// is the node stream's consumer of transfers, see feed.Stream): a local
// entry's, which is this node's own state of it, at once and in log
// order; for another warehouse's entry, the transfer as this node knows it
// after applying it (which merges both sides' facts), read again by id by
// Follow. It never blocks, and does nothing while no one watches.
func (h *Hub) Take(e *stock.LogEntry) {
	t := e.Transfer
	if t == nil || !h.Active() {
		return
	}
	if e.Origin == h.Local() {
		h.Publish(*t)
		return
	}
	h.again.note([]string{t.ID})
}

// Active reports whether anyone watches transfers.
func (h *Hub) Active() bool { return h.Watchers() > 0 }

// SetLocal names the node's warehouse, whose transfer entries Take
// publishes as they are; call it before the stream runs.
func (h *Hub) SetLocal(id string) { h.local.Store(&id) }

// Local returns the node's warehouse as SetLocal named it, "" before.
func (h *Hub) Local() string {
	if p := h.local.Load(); p != nil {
		return *p
	}
	return ""
}

// Follow reads again, a page of ids at a time, the transfers Take noted
// from other warehouses' entries and publishes them, until ctx is done.
// A read that fails is tried again, after a growing wait, with every id
// not yet published: no update is lost while the database handler is
// busy or restarting.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	retry := backoff.Backoff{First: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.again.wake:
		}
		ids := h.again.take()
		for len(ids) > 0 {
			page := ids[:min(len(ids), stock.MaxPageSize)]
			ts, err := r.TransfersByID(ctx, page)
			if err != nil {
				h.again.note(ids) // after the ones noted meanwhile, read with them
				if retry.Wait(ctx) != nil {
					return nil
				}
				break
			}
			retry.Reset()
			for _, t := range ts {
				h.Publish(t)
			}
			ids = ids[len(page):]
		}
	}
}

// note adds ids not already waiting and wakes Follow.
func (r *rereads) note(ids []string) {
	r.mu.Lock()
	if r.seen == nil {
		r.seen = map[string]struct{}{}
	}
	for _, id := range ids {
		if _, ok := r.seen[id]; !ok {
			r.seen[id] = struct{}{}
			r.ids = append(r.ids, id)
		}
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take returns the ids waiting, in the order noted, and forgets them.
func (r *rereads) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.ids
	r.ids = nil
	clear(r.seen)
	return out
}
