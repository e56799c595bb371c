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
	"strconv"
	"strings"
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
	again *feed.Rereads // ids of the requests entries changed, to read again; departures (departureKey)
}

// NewHub returns a Hub without watchers.
func NewHub() *Hub {
	return &Hub{Latest: feed.NewLatest(func(r stock.TransferRequest) string { return r.ID },
		func(r stock.TransferRequest) (string, string) { return r.From, r.To }), again: feed.NewRereads()}
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
		h.again.Note(departureKey(e.Origin, e.At))
		return
	}
	r := e.TransferRequest
	if r == nil || !h.Active() {
		return
	}
	h.again.Note(r.ID)
}

// Active reports whether anyone watches requests.
func (h *Hub) Active() bool { return h.Watchers() > 0 }

// Follow reads again the requests Take noted from other warehouses'
// entries and publishes them, until ctx is done; a read that fails is
// tried again with the backoff (feed.Follow), and a request this node
// does not know is skipped.
func (h *Hub) Follow(ctx context.Context, r Reader) error {
	return feed.Follow(ctx, h.again, func(ctx context.Context, ids []string) ([]stock.TransferRequest, error) {
		out := make([]stock.TransferRequest, 0, len(ids))
		for _, id := range ids {
			if wh, at, ok := parseDepartureKey(id); ok {
				gone, err := cancelledBy(ctx, r, wh, at)
				if err != nil {
					return nil, err
				}
				out = append(out, gone...)
				continue
			}
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

// departureKey is the Rereads key of warehouse wh's departure at at: no
// request id holds a NUL.
func departureKey(wh string, at time.Time) string {
	return "\x00" + strconv.FormatInt(at.UnixNano(), 10) + "\x00" + wh
}

// parseDepartureKey returns the warehouse and time of a departureKey.
func parseDepartureKey(key string) (string, time.Time, bool) {
	rest, ok := strings.CutPrefix(key, "\x00")
	if !ok {
		return "", time.Time{}, false
	}
	nanos, wh, ok := strings.Cut(rest, "\x00")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil {
		return "", time.Time{}, false
	}
	return wh, time.Unix(0, n).UTC(), true
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
