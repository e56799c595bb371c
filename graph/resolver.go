// Package graph serves the node's GraphQL API (schema.graphql) with gqlgen.
// Resolvers are thin: they call one method of the domain's stock.Service and
// return; errors are mapped to extensions.code in errors.go.
package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Resolver holds what the resolvers call: the inventory service and the hub
// that fans committed changes out to subscriptions.
type Resolver struct {
	Stock *stock.Service
	Feed  *feed.Hub

	recent recentChanges // events already converted, shared by subscriptions
}

// NewSchema returns the executable schema over svc and hub.
func NewSchema(svc *stock.Service, hub *feed.Hub) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{Resolvers: &Resolver{Stock: svc, Feed: hub}})
}
