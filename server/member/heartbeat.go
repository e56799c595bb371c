package member

import (
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// heartbeat is the body of POST /api/v1/peer/heartbeat and of its answer:
// the members the sender knows, so that members learn of each other
// transitively.
type heartbeat struct {
	Members []stock.Warehouse `json:"members"`
}

// Run heartbeats every other current member until ctx is done: each tick,
// every member that is due gets this node's member list and answers with
// its own, and both are merged. A member that misses OfflineAfter
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
	err := postJSON(ctx, n.client, m.URL, "/api/v1/peer/heartbeat", m.ID, heartbeat{Members: n.stored()}, &answer)
	if err != nil {
		if ctx.Err() == nil {
			n.log.Debug("heartbeat failed", "member", m.ID, "url", m.URL, "err", err)
		}
		n.missed(m.ID, time.Now())
		return
	}
	n.seen(m.ID, time.Now())
	if err := n.merge(ctx, answer.Members); err != nil && ctx.Err() == nil {
		n.log.Warn("recording members a heartbeat named", "member", m.ID, "err", err)
	}
}

// onHeartbeat answers a member's heartbeat: it merges the caller's list,
// marks the caller online, and returns this node's list.
func (n *Network) onHeartbeat(ctx context.Context, from string, in heartbeat) (*heartbeat, error) {
	if err := n.merge(ctx, in.Members); err != nil {
		return nil, err
	}
	n.seen(from, time.Now())
	return &heartbeat{Members: n.stored()}, nil
}
