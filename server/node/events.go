package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/stock"
)

// subscribeEvents subscribes to the database handler's committed changes.
func subscribeEvents(queue string, log *slog.Logger) (*jobq.Subscriber, error) {
	addr, err := jobq.EventsAddr(queue)
	if err != nil {
		return nil, err
	}
	sub, err := jobq.NewSubscriber(addr, log)
	if err != nil {
		return nil, fmt.Errorf("subscribing to committed changes: %w", err)
	}
	return sub, nil
}

// pumpEvents publishes the changes sub receives to hub until stop is
// closed, and then closes sub. It returns an error when the subscription
// ends before: the feed would fall silent.
func pumpEvents(sub *jobq.Subscriber, hub *feed.Hub, stop <-chan struct{}, log *slog.Logger) error {
	defer sub.Close()
	for {
		select {
		case <-stop:
			return nil
		case msg, ok := <-sub.C():
			if !ok {
				return errors.New("receiving committed changes: the subscription stopped")
			}
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
	}
}
