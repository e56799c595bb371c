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
	"github.com/stockmesh/stockmesh/server/transfer"
)

// catchUpEvery is how long the pump waits without events before it reads
// the log for entries lost at its tail.
const catchUpEvery = time.Second

// pump subscribes to the database handler's committed changes and feeds
// the node's one ordered stream of them (feed.Stream): each message's head
// to the replication watcher at once, and, while a consumer is active,
// the decoded entry to a feed.Sequencer, which hands the stream each
// origin's entries once and in order, filling any gap (a lost message, a
// run of another warehouse applied) from the change log. Stock changes
// and reorder points (feed.Hub), transfers (transfer.Hub) and replication
// wake-ups (peer.Watcher) are the stream's consumers.
type pump struct {
	sub    *jobq.Subscriber
	stream *feed.Stream
	seq    *feed.Sequencer
	watch  *peer.Watcher // wakes sync requests long-polling for news
	runs   chan []stock.LogEntry
	log    *slog.Logger
}

// runBuffer is how many applied runs the pump holds for the stream before
// it lets the next be read back from the log instead.
const runBuffer = 16

// newPump subscribes to the committed changes of the handler at queue;
// run then pumps them into a stream consumed by hub and transfers.
// Beside the replication watcher, heads (the network watcher) hear of
// every head.
func newPump(queue string, keys *jobq.Keys, hub *feed.Hub, transfers *transfer.Hub, svc *stock.Service, log *slog.Logger,
	heads []feed.HeadFollower, more ...feed.Consumer) (*pump, error) {
	addr, err := jobq.EventsAddr(queue)
	if err != nil {
		return nil, err
	}
	sub, err := jobq.NewSubscriber(addr, log, keys)
	if err != nil {
		return nil, fmt.Errorf("subscribing to committed changes: %w", err)
	}
	watch := peer.NewWatcher()
	stream := feed.NewStream(append([]feed.HeadFollower{watch}, heads...), append([]feed.Consumer{hub, transfers}, more...)...)
	return &pump{sub: sub, stream: stream, seq: feed.NewSequencer(stream, svc), watch: watch,
		runs: make(chan []stock.LogEntry, runBuffer), log: log}, nil
}

// handOver gives the stream the entries of a run of another warehouse's
// log the node applied (transfer.Applier.OnApplied), so that the pump
// need not read them back from the log (see feed.Sequencer.Hand). It never
// blocks: past runBuffer runs waiting, the run is read back instead.
func (p *pump) handOver(entries []stock.LogEntry) {
	select {
	case p.runs <- entries:
	default:
	}
}

// run tells the stream each message's head, then decodes it and offers it
// to the sequencer while a consumer is active; with none active it skips
// the decoding and forgets what it tracked (nothing published meanwhile
// matters to a later subscriber). A run of another warehouse's log the
// node applied is published from the applier's entries (handOver), or
// read back from the log when they did not come within feed.RunWait. It
// reads the log for lost entries after a second without events. It runs until stop is closed, and then closes
// the subscription; it returns an error when the subscription ends before:
// the stream would fall silent.
func (p *pump) run(stop <-chan struct{}) error {
	defer p.sub.Close()
	// The node reads its own log: each read has the queue's own deadline.
	ctx := auth.AsNode(context.Background())
	tick := time.NewTicker(catchUpEvery)
	defer tick.Stop()
	idle := false
	var due <-chan time.Time // an announced run's entries are awaited until then (feed.RunWait)
	for {
		if due == nil && p.seq.Waiting() {
			due = time.After(feed.RunWait)
		}
		select {
		case <-stop:
			return nil
		case entries := <-p.runs:
			if p.stream.Active() {
				p.seq.Hand(entries)
			}
		case <-due:
			due = nil
			p.check(p.seq.FillDue(ctx))
		case msg, ok := <-p.sub.C():
			if !ok {
				return errors.New("receiving committed changes: the subscription stopped")
			}
			idle = false
			if origin, seq, ok := stock.EntryHead(msg); ok {
				p.stream.Head(origin, seq)
			}
			if !p.stream.Active() {
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
			if idle && p.stream.Active() {
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
