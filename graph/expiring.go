package graph

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// expiringEvents is the buffer of the stock events a lotExpiring
// subscription looks at (merged when it falls behind).
const expiringEvents = 64

// watchExpiring is lotExpiring: it notes the lots already in the window,
// then reads the window again after every stock change that put units
// into a lot (or a merged change, which may have) and at every local
// midnight, and sends each lot it sees there for the first time. The
// goroutine that sends closes the channel when ctx ends.
func watchExpiring(ctx context.Context, svc *stock.Service, hub *feed.Hub, warehouse string, days int) (<-chan *stock.ExpiringLot, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	lots, err := svc.ExpiringLots(ctx, days, warehouse)
	if err != nil {
		return nil, err
	}
	seen := map[stock.ExpiringLot]bool{}
	for _, l := range lots {
		seen[lotID(l)] = true
	}
	events := feed.Watch(ctx, hub, feed.Filter{Warehouse: warehouse}, expiringEvents, func(e feed.Event) (struct{}, bool) {
		return struct{}{}, e.Merged || e.Where != nil && len(e.Where.Lots) > 0 && e.Delta > 0
	})
	out := make(chan *stock.ExpiringLot)
	go func() {
		defer close(out)
		midnight := time.NewTimer(untilMidnight(time.Now()))
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
				midnight.Reset(untilMidnight(time.Now()))
			}
			lots, err := svc.ExpiringLots(ctx, days, warehouse)
			if err != nil {
				continue // read again at the next change or midnight
			}
			for i := range lots {
				if id := lotID(lots[i]); !seen[id] {
					seen[id] = true
					select {
					case out <- &lots[i]:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return out, nil
}

// lotID is what names a lot among the expiring ones: all but its quantity.
func lotID(l stock.ExpiringLot) stock.ExpiringLot {
	l.Quantity = 0
	return l
}

// untilMidnight returns the time from now to the next local midnight.
func untilMidnight(now time.Time) time.Duration {
	y, m, d := now.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, now.Location()).Sub(now)
}
