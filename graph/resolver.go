// Package graph serves the node's GraphQL API (schema.graphql) with gqlgen.
// Resolvers are thin: they call one method of the domain's stock.Service and
// return; errors are mapped to extensions.code in errors.go.
package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/netwatch"
	"github.com/stockmesh/stockmesh/server/request"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/transfer"
)

// Network is what the resolvers need of the node's membership of the
// network; *member.Network implements it.
type Network interface {
	CreateJoinToken(ctx context.Context, spec member.TokenSpec) (*member.JoinToken, error)
	Leave(ctx context.Context) (*member.Member, error)
	Remove(ctx context.Context, id string) (*stock.Warehouse, error)
	Member(id string) (member.Member, bool)
}

var _ Network = (*member.Network)(nil)

// Tokens is what the resolvers need to manage API tokens: the node's
// manager, which keeps its authenticator and open websockets in step
// with the stored tokens.
type Tokens interface {
	Create(ctx context.Context, name string, role auth.Role, expiresAt *time.Time) (secret string, t *stock.Token, err error)
	List(ctx context.Context) ([]stock.Token, error)
	Revoke(ctx context.Context, id string) (*stock.Token, error)
}

// Resolver holds what the resolvers call: the inventory service, the hub
// that fans committed changes out to subscriptions, the transfer desk, and the network (nil
// when the schema serves a node outside any network, as in tests).
type Resolver struct {
	Stock   *stock.Service
	Feed    *feed.Hub
	Network Network
	Tokens  Tokens
	// Desk sends, receives, cancels and watches transfers.
	Desk *transfer.Desk
	// Requests fans transfer request updates out to subscriptions.
	Requests *request.Hub
	// NetWatch tells networkChanged which warehouses changed; nil
	// answers it UNAVAILABLE, as a node outside any network.
	NetWatch *netwatch.Watcher

	recent   recentChanges   // events already converted, shared by subscriptions
	expiring expiringWatches // lotExpiring's watches, one per warehouse and window
}

// NewSchema returns the executable schema over svc, hub and net (which may
// be nil).
func NewSchema(svc *stock.Service, hub *feed.Hub, net Network) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: &Resolver{Stock: svc, Feed: hub, Network: net, Desk: transfer.NewDesk(svc, nil),
		Requests: request.NewHub()}})
}
