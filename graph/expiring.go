package graph

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// expiringEvents is the buffer of the stock events a window's watch looks
// at (merged when it falls behind).
const expiringEvents = 64

// expiringWatches shares the work of lotExpiring between its
// subscriptions: one watch per warehouse and window, whatever the number
// of subscribers, reads the window again after every stock change that
// put units into a lot (or a merged change, which may have) and at every
// midnight of the local warehouse's time zone, and hands each read to
// every subscription of that window, which sends the lots it sees there
// for the first time. N subscribers cost one read per change, not N.
type expiringWatches struct {
	mu sync.Mutex
	m  map[expiringKey]*expiringWatch
}

// expiringKey names a window: a warehouse ("" every one held) and days.
type expiringKey struct {
	warehouse string
	days      int
}

// expiringWatch is one window's watch and its subscriptions, each a
// channel of capacity 1 holding the latest read it has not taken yet.
type expiringWatch struct {
	subs   map[chan []stock.ExpiringLot]struct{}
	cancel context.CancelFunc
}

// watchExpiring is lotExpiring: it notes the lots already in the window,
// then sends each lot its window's watch sees there for the first time.
// The goroutine that sends closes the channel when ctx ends.
func (r *Resolver) watchExpiring(ctx context.Context, warehouse string, days int) (<-chan *stock.ExpiringLot, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	reads := r.expiring.join(ctx, r, expiringKey{warehouse, days})
	lots, err := r.Stock.ExpiringLots(ctx, days, warehouse)
	if err != nil {
		r.expiring.leave(expiringKey{warehouse, days}, reads)
		return nil, err
	}
	seen := map[stock.ExpiringLot]bool{}
	for _, l := range lots {
		seen[lotID(l)] = true
	}
	out := make(chan *stock.ExpiringLot)
	go func() {
		defer close(out)
		defer r.expiring.leave(expiringKey{warehouse, days}, reads)
		for {
			var lots []stock.ExpiringLot
			select {
			case <-ctx.Done():
				return
			case lots = <-reads:
			}
			for i := range lots {
				if id := lotID(lots[i]); !seen[id] {
					seen[id] = true
					l := lots[i] // reads are shared: each subscription sends its own copy
					select {
					case out <- &l:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out, nil
}

// join adds a subscription to k's watch, starting one (with the
// principal of ctx, a viewer's at least: every subscriber of the window
// may read it) if there is none, and returns the channel the watch hands
// its reads to. A new watch is listening to the hub when join returns, so
// a lot that enters the window after the subscription's first read is
// seen by a later one.
func (w *expiringWatches) join(ctx context.Context, r *Resolver, k expiringKey) chan []stock.ExpiringLot {
	reads := make(chan []stock.ExpiringLot, 1)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m == nil {
		w.m = map[expiringKey]*expiringWatch{}
	}
	if x := w.m[k]; x != nil {
		x.subs[reads] = struct{}{}
		return reads
	}
	// The watch outlives the subscription that starts it: it keeps the
	// principal but not the cancellation.
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	x := &expiringWatch{subs: map[chan []stock.ExpiringLot]struct{}{reads: {}}, cancel: cancel}
	w.m[k] = x
	events := feed.Watch(wctx, r.Feed, feed.Filter{Warehouse: k.warehouse}, expiringEvents, func(e feed.Event) (struct{}, bool) {
		return struct{}{}, e.Merged || e.Where != nil && len(e.Where.Lots) > 0 && e.Delta > 0
	})
	go w.run(wctx, r, k, x, events)
	return reads
}

// leave removes a subscription; the last one to leave stops the watch.
func (w *expiringWatches) leave(k expiringKey, reads chan []stock.ExpiringLot) {
	w.mu.Lock()
	defer w.mu.Unlock()
	x := w.m[k]
	if x == nil {
		return
	}
	delete(x.subs, reads)
	if len(x.subs) == 0 {
		delete(w.m, k)
		x.cancel()
	}
}

// run reads k's window after each of events (stock changes that may have
// put units into a lot) and at each local midnight, and hands every read to x's
// subscriptions, replacing a read one has not taken yet (a read is the
// whole window: the latest one says all).
func (w *expiringWatches) run(ctx context.Context, r *Resolver, k expiringKey, x *expiringWatch, events <-chan struct{}) {
	midnight := time.NewTimer(stock.UntilTomorrow(r.Stock.Zone, time.Now()))
	defer midnight.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-events:
			if !ok {
				return
			}
		case <-midnight.C:
			midnight.Reset(stock.UntilTomorrow(r.Stock.Zone, time.Now()))
		}
		lots, err := r.Stock.ExpiringLots(ctx, k.days, k.warehouse)
		if err != nil {
			continue // read again at the next change or midnight
		}
		w.mu.Lock()
		subs := slices.Collect(maps.Keys(x.subs))
		w.mu.Unlock()
		for _, c := range subs {
			select { // drop the read it has not taken, then hand it this one
			case <-c:
			default:
			}
			select {
			case c <- lots:
			default:
			}
		}
	}
}

// lotID is what names a lot among the expiring ones: all but its quantity.
func lotID(l stock.ExpiringLot) stock.ExpiringLot {
	l.Quantity = 0
	return l
}
