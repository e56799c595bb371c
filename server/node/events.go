package node

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/stock"
)

// pumpEvents subscribes to the database handler's committed changes and
// publishes them to hub. The returned func stops the pump.
func pumpEvents(queue string, hub *feed.Hub, log *slog.Logger) (stop func(), err error) {
	addr, err := jobq.EventsAddr(queue)
	if err != nil {
		return nil, err
	}
	sub, err := jobq.NewSubscriber(addr, log)
	if err != nil {
		return nil, fmt.Errorf("subscribing to committed changes: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for msg := range sub.C() {
			if hub.Subscribers() == 0 {
				continue // nobody listens: skip the decoding
			}
			var c stock.Change
			if err := json.Unmarshal(msg, &c); err != nil {
				log.Error("decoding committed change", "err", err)
				continue
			}
			hub.Publish(feed.Event{Change: c})
		}
	}()
	return func() { sub.Close(); <-done }, nil
}
