package member

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/gossip"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// Timing of the membership protocol (see server/gossip for the protocol's
// own: a probe every 500 ms, pushes every 200 ms while changes are queued).
const (
	// tickEvery is how often the protocol's clock advances.
	tickEvery = 100 * time.Millisecond
	// exchangeEvery is how often a node exchanges everything it knows
	// (records and states) with one random member: gossip spreads only
	// changes, and this repairs what a lost message left out.
	exchangeEvery = 30 * time.Second
	// exchangeAtStart is how many members a node exchanges with when it
	// starts, so that they learn at once that it is back.
	exchangeAtStart = 3
	// headEvery is how often a node gossips its own log's head when it
	// moved.
	headEvery = time.Second
	// gossipTimeout bounds one gossip message's round trip.
	gossipTimeout = time.Second
)

// GossipPath is the node-to-node endpoint of the membership protocol.
const GossipPath = "/api/v1/peer/gossip"

// The keys of the items gossip spreads: a signed membership record, and
// a signed log head.
const (
	recordKey = "r/"
	headKey   = "h/"
)

// gossipAnswer is the answer to a gossip message: the messages for the
// sender (an ack).
type gossipAnswer struct {
	Messages []gossip.Message `json:"messages,omitempty"`
}

// headItem is a log head as gossip spreads it: the origin's signed head,
// which every node verifies against the origin's key before it believes
// or spreads it.
type headItem struct {
	Origin string           `json:"origin"`
	Epoch  string           `json:"epoch"`
	Head   stock.SignedHead `json:"head"`
}

// HeadSource is where the network reads this node's own log head: Seq is
// cheap (in memory) and says when it moved; Head reads the signed head.
type HeadSource struct {
	Seq  func() int64
	Head func(ctx context.Context) (*stock.Head, error)
}

// gossipState is the node's part in the membership protocol.
type gossipState struct {
	mu       sync.Mutex
	node     *gossip.Node
	heads    map[string]int64 // the highest verified head of each log gossip told of
	onHead   func(origin string, seq int64)
	source   HeadSource
	lastHead int64
}

// startGossip makes the protocol's node for self, a new incarnation (the
// start time: above any of an earlier run).
func (n *Network) startGossip(self string) {
	n.g.node = gossip.New(gossip.Config{Self: self, Inc: uint64(time.Now().UnixMilli())})
	n.g.heads = map[string]int64{}
}

// OnHead sets fn to be called when gossip tells of a verified head of a
// log further than any seen before (the replicator pulls it).
func (n *Network) OnHead(fn func(origin string, seq int64)) {
	n.g.mu.Lock()
	n.g.onHead = fn
	n.g.mu.Unlock()
}

// SetHeadSource sets where the network reads this node's log head, which
// it gossips once a second when it moved.
func (n *Network) SetHeadSource(s HeadSource) {
	n.g.mu.Lock()
	n.g.source = s
	n.g.mu.Unlock()
}

// Run takes part in the membership protocol until ctx is done: it
// exchanges everything with a few members at once, then advances the
// protocol every tickEvery, sends what it returns, gossips this node's
// log head when it moved, and exchanges everything with one random member
// every exchangeEvery. A node that left takes no part. Run returns nil
// when ctx is done.
func (n *Network) Run(ctx context.Context) error {
	if n.serving() {
		n.exchangeWith(ctx, exchangeAtStart)
	}
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	nextExchange, nextHead := time.Now().Add(exchangeEvery), time.Now()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if !n.serving() {
			continue
		}
		now := time.Now()
		n.g.mu.Lock()
		out := n.g.node.Tick(now)
		n.g.mu.Unlock()
		n.sendAll(ctx, out)
		if now.After(nextHead) {
			nextHead = now.Add(headEvery)
			n.gossipHead(ctx)
		}
		if now.After(nextExchange) {
			nextExchange = now.Add(exchangeEvery)
			go n.exchangeWith(ctx, 1)
		}
	}
}

// sendAll sends each message on its own goroutine.
func (n *Network) sendAll(ctx context.Context, ms []gossip.Message) {
	for _, m := range ms {
		go n.send(ctx, m)
	}
}

// send posts m to its addressee and takes in the messages it answers.
// A message that cannot be delivered is lost: the protocol copes.
func (n *Network) send(ctx context.Context, m gossip.Message) {
	to, ok := n.Member(m.To)
	if !ok || to.URL == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, gossipTimeout)
	defer cancel()
	var answer gossipAnswer
	if err := postJSON(ctx, n.client, to.URL, GossipPath, to.ID, m, &answer); err != nil {
		return
	}
	for _, a := range answer.Messages {
		a.From = to.ID // the server whose certificate the client checked
		n.receive(ctx, a)
	}
}

// onGossip answers a member's gossip message: the messages for the sender
// go in the answer, any other is sent.
func (n *Network) onGossip(ctx context.Context, from string, in gossip.Message) (*gossipAnswer, error) {
	in.From = from // the member the guard authenticated
	out := n.handle(ctx, in)
	answer := &gossipAnswer{}
	for _, m := range out {
		if m.To == from {
			answer.Messages = append(answer.Messages, m)
		} else {
			go n.send(context.WithoutCancel(ctx), m)
		}
	}
	return answer, nil
}

// receive takes in a message that came in an answer, and sends what the
// protocol answers to it.
func (n *Network) receive(ctx context.Context, m gossip.Message) {
	n.sendAll(ctx, n.handle(ctx, m))
}

// handle feeds m to the protocol and takes in the items it carried.
func (n *Network) handle(ctx context.Context, m gossip.Message) []gossip.Message {
	n.g.mu.Lock()
	out, items := n.g.node.Receive(time.Now(), m)
	n.g.mu.Unlock()
	if len(items) > 0 {
		n.takeItems(ctx, m.From, items)
	}
	return out
}

// takeItems checks the items a member relayed: records go through accept
// (verified, recorded when newer, and spread on by keep), heads are
// verified against their origin's key and spread on when further than
// any seen.
func (n *Network) takeItems(ctx context.Context, from string, items []gossip.Item) {
	var rs []stock.MemberRecord
	for _, it := range items {
		switch {
		case strings.HasPrefix(it.Key, recordKey):
			var r stock.MemberRecord
			if json.Unmarshal(it.Data, &r) == nil {
				rs = append(rs, r)
			}
		case strings.HasPrefix(it.Key, headKey):
			n.takeHead(it)
		}
	}
	if len(rs) > 0 {
		if err := n.accept(ctx, from, rs); err != nil && ctx.Err() == nil {
			n.log.Warn("recording gossiped membership records", "member", from, "err", err)
		}
	}
}

// takeHead believes and spreads a gossiped head when it is further than
// any seen of its log and its origin's key signed it.
func (n *Network) takeHead(it gossip.Item) {
	var h headItem
	if json.Unmarshal(it.Data, &h) != nil || h.Origin == n.selfID() {
		return
	}
	n.g.mu.Lock()
	known := n.g.heads[h.Origin]
	n.g.mu.Unlock()
	if h.Head.Seq <= known {
		return
	}
	key := n.signingKey(h.Origin)
	if key == nil || !trust.VerifyHead(key, h.Origin, h.Epoch, &h.Head) {
		return
	}
	n.g.mu.Lock()
	fresh := h.Head.Seq > n.g.heads[h.Origin]
	if fresh {
		n.g.heads[h.Origin] = h.Head.Seq
		n.g.node.Broadcast(it)
	}
	fn := n.g.onHead
	n.g.mu.Unlock()
	if fresh && fn != nil {
		fn(h.Origin, h.Head.Seq)
	}
}

// signingKey returns the log-signing key of warehouse id, from the record
// this node holds of it (nil when it holds none).
func (n *Network) signingKey(id string) []byte {
	n.mu.Lock()
	defer n.mu.Unlock()
	if r, ok := n.records[id]; ok && r.Key != nil {
		return r.Key.Key
	}
	return nil
}

// gossipHead spreads this node's signed log head when its log moved.
func (n *Network) gossipHead(ctx context.Context) {
	n.g.mu.Lock()
	src, last := n.g.source, n.g.lastHead
	n.g.mu.Unlock()
	if src.Seq == nil || src.Seq() <= last {
		return
	}
	h, err := src.Head(ctx)
	if err != nil || h == nil || h.Signed == nil {
		return
	}
	data, err := json.Marshal(headItem{Origin: h.Origin, Epoch: h.Epoch, Head: *h.Signed})
	if err != nil {
		return
	}
	n.g.mu.Lock()
	n.g.lastHead = h.Signed.Seq
	n.g.node.Broadcast(gossip.Item{Key: headKey + h.Origin, Data: data})
	n.g.mu.Unlock()
}

// spread broadcasts records this node newly holds, so that gossip carries
// every change of membership to every member.
func (n *Network) spread(rs []stock.MemberRecord) {
	if len(rs) == 0 || n.g.node == nil {
		return
	}
	n.g.mu.Lock()
	defer n.g.mu.Unlock()
	for _, r := range rs {
		if data, err := json.Marshal(r); err == nil {
			n.g.node.Broadcast(gossip.Item{Key: recordKey + r.ID, Data: data})
		}
	}
}

// follow makes the protocol follow the current members with a URL.
func (n *Network) follow(ids []string) {
	if n.g.node == nil {
		return
	}
	n.g.mu.Lock()
	n.g.node.SetMembers(ids)
	n.g.mu.Unlock()
}

// status returns what the protocol knows of id.
func (n *Network) status(id string) (gossip.Status, bool) {
	if n.g.node == nil {
		return gossip.Status{}, false
	}
	n.g.mu.Lock()
	defer n.g.mu.Unlock()
	return n.g.node.Status(id)
}

// exchangeWith exchanges records and states with k random members, at
// once.
func (n *Network) exchangeWith(ctx context.Context, k int) {
	ms := n.Members()
	rand.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
	var wg sync.WaitGroup
	for _, m := range ms[:min(k, len(ms))] {
		wg.Go(func() { n.exchange(ctx, m) })
	}
	wg.Wait()
}
