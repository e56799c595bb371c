// Package request serves transfer requests live (issue 30): the Hub is the
// node stream's consumer of transfer request entries (see feed.Stream) and
// fans each request's latest state out to transferRequestUpdated
// subscriptions, as transfer.Hub does for transfers (feed.Latest). The
// saga's rules live in server/stock (stock.TransferRequest) and its writes
// in server/store.
package request

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Reader reads a transfer request as this node knows it; *stock.Service
// implements it.
type Reader interface {
	TransferRequest(ctx context.Context, id string) (*stock.TransferRequest, error)
}

var _ Reader = (*stock.Service)(nil)

// Hub fans transfer request updates out to watchers. Take and Publish
// never block and drop nothing.
type Hub struct {
	*feed.Latest[stock.TransferRequest]
	local atomic.Pointer[string]
	again *feed.Rereads // ids of other warehouses' entries, to read again
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub {
	return &Hub{Latest: feed.NewLatest(func(r stock.TransferRequest) string { return r.ID },
		func(r stock.TransferRequest) (string, string) { return r.From, r.To }), again: feed.NewRereads()}
}

// Take publishes the request a committed request entry changed: a local
// entry's at once (it is this node's state of the request); another
// warehouse's as this node knows it after applying it (which merges both
// sides' facts), read again by Follow. It does nothing while no one
// watches.
func (h *Hub) Take(e *stock.LogEntry) {
	r := e.TransferRequest
	if r == nil || !h.Active() {
		return
	}
	if p := h.local.Load(); p != nil && e.Origin == *p {
		h.Publish(*r)
		return
	}
	h.again.Note(r.ID)
}

// Active reports whether anyone watches requests.
func (h *Hub) Active() bool { return h.Watchers() > 0 }

// SetLocal names the node's warehouse; call it before the stream runs.
func (h *Hub) SetLocal(id string) { h.local.Store(&id) }

// Follow reads again the requests Take noted from other warehouses'
// entries and publishes them, until ctx is done; a read that fails is
// tried again with the backoff (feed.Follow), and a request this node
// does not know is skipped.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	return feed.Follow(ctx, h.again, func(ctx context.Context, ids []string) ([]stock.TransferRequest, error) {
		out := make([]stock.TransferRequest, 0, len(ids))
		for _, id := range ids {
			q, err := r.TransferRequest(ctx, id)
			switch {
			case errors.Is(err, stock.ErrNotFound):
				continue
			case err != nil:
				return nil, err
			}
			out = append(out, *q)
		}
		return out, nil
	}, h.Publish)
}
