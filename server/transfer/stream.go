package transfer

import (
	"context"
	"sync"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Reader reads transfers as this node knows them; *stock.Service
// implements it.
type Reader interface {
	TransfersByID(ctx context.Context, ids []string) ([]stock.Transfer, error)
}

// rereads holds the ids of transfers that other warehouses' entries
// changed, to read again as this node now knows them: at most maxPending,
// each once.
type rereads struct {
	mu   sync.Mutex
	ids  map[string]struct{}
	wake chan struct{}
}

// Take publishes the transfer a committed transfer entry changed (the Hub
// is the node stream's consumer of transfers, see feed.Stream): a local
// entry's, which is this node's own state of it, at once and in log
// order; for another warehouse's entry, the transfer as this node knows it
// after applying it (which merges both sides' facts), read again by id by
// Follow. It never blocks.
func (h *Hub) Take(e *stock.LogEntry) {
	t := e.Transfer
	if t == nil {
		return
	}
	if e.Origin == h.Local() {
		h.Publish(*t)
		return
	}
	h.again.mu.Lock()
	if len(h.again.ids) < maxPending {
		h.again.ids[t.ID] = struct{}{}
	} else {
		h.dropped.Add(1)
	}
	h.again.mu.Unlock()
	select {
	case h.again.wake <- struct{}{}:
	default:
	}
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
// from other warehouses' entries and publishes them, until ctx is done. A
// read that fails loses only those live updates: the transfers are
// applied.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.again.wake:
		}
		for ids := h.again.take(); len(ids) > 0; ids = ids[min(len(ids), stock.MaxPageSize):] {
			ts, err := r.TransfersByID(ctx, ids[:min(len(ids), stock.MaxPageSize)])
			if err != nil {
				break
			}
			for _, t := range ts {
				h.Publish(t)
			}
		}
	}
}

// take returns the ids waiting and forgets them.
func (r *rereads) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.ids))
	for id := range r.ids {
		out = append(out, id)
	}
	clear(r.ids)
	return out
}
