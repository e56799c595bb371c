package member

import (
	"context"
	"fmt"
	"github.com/stockmesh/stockmesh/server/auth"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Leave takes this node out of the network: it tells every current member
// (they mark it departed and refuse its certificate from then on), then
// records its own departure, after which it stops heartbeating and serving
// peers. Members it cannot reach learn of the departure from the others'
// heartbeats. Leaving twice is an error.
func (n *Network) Leave(ctx context.Context) (*Member, error) {
	if err := stock.Authorize(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	ctx = auth.AsNode(ctx) // what follows is the node's own work, on an admin's word
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node already left the network")
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	for _, m := range n.Members() {
		wg.Go(func() {
			var answer struct{}
			if err := postJSON(ctx, n.client, m.URL, "/api/v1/peer/leave", m.ID, struct{}{}, &answer); err != nil {
				n.log.Warn("telling a member this node leaves", "member", m.ID, "err", err)
			}
		})
	}
	wg.Wait()
	self := n.selfID()
	all, err := n.store.MergeMembers(ctx, []stock.Warehouse{{ID: self, DepartedAt: &now}})
	if err != nil {
		return nil, fmt.Errorf("recording this node's departure: %w", err)
	}
	n.setMembers(all)
	n.log.Info("this node left the network", "id", self)
	m, _ := n.Member(self)
	return &m, nil
}

// onLeave records that the calling member left the network.
func (n *Network) onLeave(ctx context.Context, from string, _ struct{}) (*struct{}, error) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	if err := n.merge(ctx, []stock.Warehouse{{ID: from, DepartedAt: &now}}); err != nil {
		return nil, err
	}
	n.log.Info("a member left the network", "id", from)
	return &struct{}{}, nil
}
