package graph

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/stock"
)

// admin returns the network for a mutation only admins may make: FORBIDDEN
// for other roles (stock.Authorize), UNAVAILABLE when the node has no
// network.
func (r *Resolver) admin(ctx context.Context) (Network, error) {
	if err := stock.Authorize(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	if r.Network == nil {
		return nil, stock.Errorf(stock.CodeUnavailable, "this node serves no network")
	}
	return r.Network, nil
}

// member returns what the network knows of the warehouse id at run time.
func (r *Resolver) member(id string) (member.Member, bool) {
	if r.Network == nil {
		return member.Member{}, false
	}
	return r.Network.Member(id)
}

// seconds converts an optional count of seconds; nil is 0, the default.
func seconds(n *int64) time.Duration {
	if n == nil {
		return 0
	}
	return time.Duration(*n) * time.Second
}
