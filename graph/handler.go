package graph

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/netwatch"
	"github.com/stockmesh/stockmesh/server/request"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/transfer"
)

// Observer records each query and mutation the handler serves; the node
// passes its metrics. Implementations must be fast and concurrency-safe.
type Observer interface {
	Operation(name string, took time.Duration, failed bool)
}

// Options configures NewHandler.
type Options struct {
	// Websocket, when set, serves subscriptions (the node passes
	// server/gqlws's transport with its token check).
	Websocket graphql.Transport
	Observer  Observer
	Logger    *slog.Logger
	// Network serves the membership fields and mutations; nil answers them
	// as a node outside any network.
	Network Network
	// Tokens manages API tokens; nil answers the token fields UNAVAILABLE.
	Tokens Tokens
	// Transfers serves the transfer fields, mutations and subscription;
	// nil makes a desk over the handler's service.
	Transfers *transfer.Desk
	// Requests serves transferRequestUpdated; nil: a hub nothing feeds.
	Requests *request.Hub
	// NetWatch serves networkChanged; nil answers it UNAVAILABLE.
	NetWatch *netwatch.Watcher
}

// NewHandler returns the GraphQL-over-HTTP handler for /graphql: POST with
// application/json or application/graphql-response+json, GET for queries,
// and subscriptions over the websocket transport in opts. Parsed queries
// are cached, and automatic persisted queries are accepted, both caches
// bounded by bytes; an operation may cost MaxCost at most, counting list
// sizes (costed), and a document have MaxTokens. Every response
// over plain HTTP is written by this package (http.go): request errors have
// no data entry, and a document that fails to parse or validate is 400 for
// application/graphql-response+json and 200 for application/json.
func NewHandler(svc *stock.Service, hub *feed.Hub, opts Options) http.Handler {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Transfers == nil {
		opts.Transfers = transfer.NewDesk(svc, nil)
	}
	if opts.Requests == nil {
		opts.Requests = request.NewHub()
	}
	es := NewExecutableSchema(Config{Resolvers: &Resolver{Stock: svc, Feed: hub, Network: opts.Network, Tokens: opts.Tokens, Desk: opts.Transfers,
		Requests: opts.Requests, NetWatch: opts.NetWatch}})
	srv := handler.New(costed{planJSON{es, svc}})
	srv.SetParserTokenLimit(MaxTokens)
	if opts.Websocket != nil {
		srv.AddTransport(opts.Websocket)
	}
	srv.AddTransport(transport.Options{})
	srv.AddTransport(get{})
	srv.AddTransport(post{})
	srv.AddTransport(unsupported{})
	srv.SetQueryCache(queryCache())
	srv.Use(extension.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: apqCache()})
	srv.Use(extension.FixedComplexityLimit(MaxCost))
	srv.Use(coercion{es.Schema()})
	srv.Use(websocketOnly{})
	if opts.Observer != nil {
		srv.Use(observe{opts.Observer})
	}
	srv.SetErrorPresenter(presenter(opts.Logger))
	srv.SetRecoverFunc(recoverer)
	return srv
}

// observe is the extension that reports each query and mutation.
type observe struct{ o Observer }

var (
	_ graphql.HandlerExtension    = observe{}
	_ graphql.ResponseInterceptor = observe{}
)

func (observe) ExtensionName() string                   { return "StockmeshObserver" }
func (observe) Validate(graphql.ExecutableSchema) error { return nil }
func (x observe) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation == ast.Subscription {
		return next(ctx)
	}
	resp := next(ctx)
	name := oc.OperationName
	if name == "" {
		name = "anonymous"
	}
	x.o.Operation(name, time.Since(oc.Stats.OperationStart), resp != nil && len(resp.Errors) > 0)
	return resp
}

// websocketOnly refuses subscriptions sent over plain HTTP: gqlgen would
// hold such a request open until the first event and answer with it alone.
// An operation came over a websocket when its headers, those of the
// request that opened the connection, ask for the upgrade.
type websocketOnly struct{}

var (
	_ graphql.HandlerExtension     = websocketOnly{}
	_ graphql.OperationInterceptor = websocketOnly{}
)

func (websocketOnly) ExtensionName() string                   { return "StockmeshWebsocketOnly" }
func (websocketOnly) Validate(graphql.ExecutableSchema) error { return nil }
func (websocketOnly) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Subscription || oc.Headers.Get("Upgrade") != "" {
		return next(ctx)
	}
	return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
		Message:    "subscriptions need a websocket: connect to /graphql with the graphql-transport-ws protocol",
		Extensions: map[string]any{"code": string(stock.CodeInvalidInput)},
	}}})
}
