package member

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/gossip"
	"github.com/stockmesh/stockmesh/server/stock"
)

// ExchangePath is the endpoint of the full exchange between two members.
const ExchangePath = "/api/v1/peer/heartbeat"

// exchangeBody is the body of POST /api/v1/peer/heartbeat and of its
// answer: the membership records the sender holds, each signed by the
// warehouse it is about or by the network CA, so that members learn of
// each other transitively and none can speak for another, and the
// sender's view of every member's state (see gossip.Node.Snapshot). Gossip
// spreads only changes; this full exchange happens when a node starts and
// then every exchangeEvery with one random member.
type exchangeBody struct {
	Records []stock.MemberRecord `json:"records"`
	States  []gossip.Update      `json:"states,omitempty"`
}

// exchange sends m everything this node knows and takes in its answer.
func (n *Network) exchange(ctx context.Context, m Member) {
	var answer exchangeBody
	if err := postJSON(ctx, n.client, m.URL, ExchangePath, m.ID, n.everything(), &answer); err != nil {
		if ctx.Err() == nil {
			n.log.Debug("exchange failed", "member", m.ID, "url", m.URL, "err", err)
		}
		return
	}
	n.takeEverything(ctx, m.ID, answer)
}

// onExchange answers a member's exchange with everything this node knows,
// having taken in what the member sent.
func (n *Network) onExchange(ctx context.Context, from string, in exchangeBody) (*exchangeBody, error) {
	n.takeEverything(ctx, from, in)
	out := n.everything()
	return &out, nil
}

// everything returns this node's records and view of the states.
func (n *Network) everything() exchangeBody {
	b := exchangeBody{Records: n.recordList()}
	if n.g.node != nil {
		n.g.mu.Lock()
		b.States = n.g.node.Snapshot()
		n.g.mu.Unlock()
	}
	return b
}

// takeEverything records the records of an exchange (see accept), then
// merges its states: a member's state counts only once its record is
// held.
func (n *Network) takeEverything(ctx context.Context, from string, in exchangeBody) {
	if err := n.accept(ctx, from, in.Records); err != nil && ctx.Err() == nil {
		n.log.Warn("recording the membership records of an exchange", "member", from, "err", err)
	}
	if n.g.node == nil {
		return
	}
	n.g.mu.Lock()
	n.g.node.Merge(time.Now(), from, in.States)
	n.g.mu.Unlock()
}
