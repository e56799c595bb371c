package transfer

import (
	"context"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Reader reads transfers as this node knows them; *stock.Service
// implements it.
type Reader interface {
	TransfersByID(ctx context.Context, ids []string) ([]stock.Transfer, error)
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
	h.again.Note(t.ID)
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
	return feed.Follow(ctx, h.again, r.TransfersByID, h.Publish)
}
