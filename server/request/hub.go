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
	"time"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Reader reads transfer requests as this node knows them; *stock.Service
// implements it.
type Reader interface {
	TransferRequest(ctx context.Context, id string) (*stock.TransferRequest, error)
	TransferRequests(ctx context.Context, q stock.TransferRequestQuery) (*stock.TransferRequestPage, error)
}

var _ Reader = (*stock.Service)(nil)

// Hub fans transfer request updates out to watchers. Take and Publish
// never block and drop nothing.
type Hub struct {
	*feed.Latest[stock.TransferRequest]
	again *feed.Rereads[reread]
}

// reread is what Follow reads again: the request with id, or (left set)
// the requests the departure of warehouse left at nanosecond at cancelled.
type reread struct {
	id   string
	left string
	at   int64
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub {
	return &Hub{Latest: feed.NewLatest(func(r stock.TransferRequest) string { return r.ID },
		func(r stock.TransferRequest) (string, string) { return r.From, r.To }), again: feed.NewRereads[reread]()}
}

// Take publishes the request a committed request entry changed, as this
// node knows it after applying the entry (which merges both sides'
// facts), read again by Follow. It does nothing while no one watches.
//
// A local entry is read again too, rather than published as it is: Follow
// may be reading the same request after an entry of the other side, and
// what it read before this entry committed would be published after it,
// leaving watchers with an older state (OPEN after ACCEPTED) as the last
// they hear. Every update coming from Follow's reads, one after another,
// each after the entry that noted it, watchers hear each request's states
// in order and its latest state last.
//
// A warehouse's departure (its own or another's) cancels the requests to
// and from it that were left open (see store's cancelRequestsOf): Follow
// publishes those.
func (h *Hub) Take(e *stock.LogEntry) {
	if e.Type == stock.EntryWarehouseLeft && h.Active() {
		h.again.Note(reread{left: e.Origin, at: e.At.UnixNano()})
		return
	}
	r := e.TransferRequest
	if r == nil || !h.Active() {
		return
	}
	h.again.Note(reread{id: r.ID})
}

// Active reports whether anyone watches requests.
func (h *Hub) Active() bool { return h.Watchers() > 0 }

// Follow reads again the requests Take noted (and those a departure
// cancelled) and publishes them, until ctx is done; a read that fails is
// tried again with the backoff (feed.Follow), and a request this node
// does not know is skipped.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	return feed.Follow(ctx, h.again, func(ctx context.Context, keys []reread) ([]stock.TransferRequest, error) {
		out := make([]stock.TransferRequest, 0, len(keys))
		for _, k := range keys {
			if k.left != "" {
				gone, err := cancelledBy(ctx, r, k.left, time.Unix(0, k.at).UTC())
				if err != nil {
					return nil, err
				}
				out = append(out, gone...)
				continue
			}
			q, err := r.TransferRequest(ctx, k.id)
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

// cancelledBy returns the requests to or from wh that its departure at at
// cancelled: those CANCELLED as of that moment.
func cancelledBy(ctx context.Context, r Reader, wh string, at time.Time) ([]stock.TransferRequest, error) {
	var out []stock.TransferRequest
	q := stock.TransferRequestQuery{Status: stock.RequestCancelled, Warehouse: wh, First: stock.MaxPageSize}
	for {
		p, err := r.TransferRequests(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, t := range p.Requests {
			if d := t.DecidedAt(); d != nil && d.Equal(at) {
				out = append(out, t)
			}
		}
		if !p.HasNext || len(p.Requests) == 0 {
			return out, nil
		}
		last := p.Requests[len(p.Requests)-1]
		q.After = stock.RequestCursor(&last)
	}
}
