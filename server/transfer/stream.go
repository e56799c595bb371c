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
// is the node stream's consumer of transfers, see feed.Stream), as this
// node knows it after applying the entry (which merges both sides'
// facts), read again by id by Follow. A local entry is read again too
// rather than published as it is: Follow may be reading the same transfer
// after an entry of the other side, and what it read before this entry
// committed would be published after it, leaving watchers with an older
// state (IN_TRANSIT after RECEIVED) as the last they hear. Every update
// coming from Follow's reads, one after another, each after the entry
// that noted it, watchers hear each transfer's latest state last. It
// never blocks, and does nothing while no one watches.
func (h *Hub) Take(e *stock.LogEntry) {
	t := e.Transfer
	if t == nil || !h.Active() {
		return
	}
	h.again.Note(t.ID)
}

// Active reports whether anyone watches transfers.
func (h *Hub) Active() bool { return h.Watchers() > 0 }

// Follow reads again, a page of ids at a time, the transfers Take noted
// and publishes them, until ctx is done.
// A read that fails is tried again, after a growing wait, with every id
// not yet published: no update is lost while the database handler is
// busy or restarting.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	return feed.Follow(ctx, h.again, r.TransfersByID, h.Publish)
}
