package member

import (
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// heartbeat is the body of POST /api/v1/peer/heartbeat and of its answer:
// the membership records the sender holds, each signed by the warehouse it
// is about or by the network CA, so that members learn of each other
// transitively and none can speak for another.
type heartbeat struct {
	Records []stock.MemberRecord `json:"records"`
}

// Run heartbeats every other current member until ctx is done: each tick,
// every member that is due gets this node's membership records and
// answers with its own; each side records those that are newer and
// verify (see accept), and refuses and counts the others. A member that misses OfflineAfter
// heartbeats in a row is shown offline and retried with backoff up to
// MaxBackoff. A node that left the network stops heartbeating. Run
// returns nil when ctx is done.
func (n *Network) Run(ctx context.Context) error {
	t := time.NewTicker(n.interval / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if n.serving() {
			n.beatAll(ctx)
		}
	}
}

// beatAll heartbeats every due member at once and waits for them all.
func (n *Network) beatAll(ctx context.Context) {
	now := time.Now()
	var wg sync.WaitGroup
	for _, m := range n.Members() {
		if !n.due(m.ID, now) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			n.beat(ctx, m)
		}()
	}
	wg.Wait()
}

// beat sends one heartbeat to m and merges its answer.
func (n *Network) beat(ctx context.Context, m Member) {
	var answer heartbeat
	err := postJSON(ctx, n.client, m.URL, "/api/v1/peer/heartbeat", m.ID, heartbeat{Records: n.recordList()}, &answer)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Debug("heartbeat failed", "member", m.ID, "url", m.URL, "err", err)
		}
		n.missed(m.ID, time.Now())
		return
	}
	n.seen(m.ID, time.Now())
	if err := n.accept(ctx, m.ID, answer.Records); err != nil && ctx.Err() == nil {
		n.log.Warn("recording the membership records of a heartbeat", "member", m.ID, "err", err)
	}
}

// onHeartbeat answers a member's heartbeat: it records the caller's
// records (see accept), marks the caller online, and returns this node's
// records.
func (n *Network) onHeartbeat(ctx context.Context, from string, in heartbeat) (*heartbeat, error) {
	if err := n.accept(ctx, from, in.Records); err != nil {
		return nil, err
	}
	n.seen(from, time.Now())
	return &heartbeat{Records: n.recordList()}, nil
}
