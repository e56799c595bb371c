package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/stock"
)

// catchUpEvery is how long the pump waits without events before it reads
// the log for entries lost at its tail.
const catchUpEvery = time.Second

// pump subscribes to the database handler's committed changes and hands
// them to a feed.Sequencer, which publishes them to the hub in order and
// fills any gap from the change log.
type pump struct {
	sub   *jobq.Subscriber
	hub   *feed.Hub
	seq   *feed.Sequencer
	watch *peer.Watcher // wakes sync requests long-polling for news
	log   *slog.Logger
}

// newPump subscribes to the committed changes of the handler at queue;
// run then pumps them.
func newPump(queue string, keys *jobq.Keys, hub *feed.Hub, svc *stock.Service, log *slog.Logger) (*pump, error) {
	addr, err := jobq.EventsAddr(queue)
	if err != nil {
		return nil, err
	}
	sub, err := jobq.NewSubscriber(addr, log, keys)
	if err != nil {
		return nil, fmt.Errorf("subscribing to committed changes: %w", err)
	}
	return &pump{sub: sub, hub: hub, seq: feed.NewSequencer(hub, svc), watch: peer.NewWatcher(), log: log}, nil
}

// run decodes each event and offers it to the sequencer while anyone
// listens; with nobody listening it skips the decoding and forgets what it
// tracked (nothing published meanwhile matters to a later subscriber). It
// reads the log for lost entries after a second without events. It runs
// until stop is closed, and then closes the subscription; it returns an
// error when the subscription ends before: the feed would fall silent.
func (p *pump) run(stop <-chan struct{}) error {
	defer p.sub.Close()
	// The node reads its own log: each read has the queue's own deadline.
	ctx := auth.AsNode(context.Background())
	tick := time.NewTicker(catchUpEvery)
	defer tick.Stop()
	idle := false
	for {
		select {
		case <-stop:
			return nil
		case msg, ok := <-p.sub.C():
			if !ok {
				return errors.New("receiving committed changes: the subscription stopped")
			}
			idle = false
			if origin, seq, ok := stock.EntryHead(msg); ok {
				p.watch.Advance(origin, seq)
			}
			if p.hub.Subscribers() == 0 {
				p.seq.Forget()
				continue
			}
			var e stock.LogEntry
			if err := stock.DecodeValue(msg, &e); err != nil {
				p.log.Error("decoding committed change", "err", err)
				continue
			}
			p.check(p.seq.Offer(ctx, &e))
		case <-tick.C:
			if idle && p.hub.Subscribers() > 0 {
				p.check(p.seq.CatchUp(ctx))
			}
			idle = true
		}
	}
}

// check logs a gap the sequencer could not fill yet.
func (p *pump) check(err error) {
	if err != nil {
		p.log.Warn("filling a gap in committed changes; will retry", "err", err)
	}
}
