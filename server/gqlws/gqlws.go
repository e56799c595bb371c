// Package gqlws serves gqlgen's websocket transport over gorilla/websocket.
//
// gqlgen's transport.Websocket accepts connections through its
// Implementation field; this package's Implementation upgrades with
// gorilla/websocket, speaking both graphql-transport-ws and the legacy
// graphql-ws (Apollo subscriptions-transport-ws) subprotocols, and Transport
// returns the transport configured the way stockmesh serves subscriptions.
package gqlws

import (
	"context"
	"errors"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// Subprotocols the transport speaks, in the order the server prefers them.
const (
	// SubprotocolTransportWS is the current protocol (the graphql-ws library).
	SubprotocolTransportWS = "graphql-transport-ws"
	// SubprotocolGraphQLWS is the legacy protocol (Apollo subscriptions-transport-ws).
	SubprotocolGraphQLWS = "graphql-ws"
)

// Close codes sent when the init func rejects a connection, as the
// graphql-transport-ws protocol defines them.
const (
	// CloseUnauthorized closes a connection whose init func returned ErrUnauthorized.
	CloseUnauthorized = 4401
	// CloseForbidden closes a connection whose init func returned any other error.
	CloseForbidden = 4403
)

const (
	// ReadLimit is the largest client message, in bytes, that a connection accepts;
	// a larger one closes it with status 1009 (message too big).
	ReadLimit = 64 << 10
	// InitTimeout is how long a client has to send connection_init after the upgrade.
	InitTimeout = 10 * time.Second
	// writeTimeout bounds every write to a peer.
	writeTimeout = 10 * time.Second
)

// ErrUnauthorized is the error an init func returns, wrapped or not, when the
// connection carries no usable credentials; the connection is then closed
// with CloseUnauthorized. Any other init error closes it with CloseForbidden.
var ErrUnauthorized = errors.New("gqlws: unauthorized")

// Transport returns gqlgen's websocket transport using gorilla/websocket,
// with keepalive pings every keepAlive and the given init func (which checks
// the bearer token from connection_init's payload {"Authorization":"Bearer …"}).
//
// On graphql-transport-ws the server sends "ping" every keepAlive and closes
// a connection that has not answered with "pong" within twice that; on
// graphql-ws it sends "ka" every keepAlive. A keepAlive of zero sends
// neither. A client must send connection_init within InitTimeout. When init
// returns an error the connection is closed with CloseUnauthorized or
// CloseForbidden (see ErrUnauthorized); on graphql-ws the error's text is
// sent to the client first in connection_error, so it must be safe to show.
func Transport(keepAlive time.Duration, init transport.WebsocketInitFunc) transport.Websocket {
	limit := int64(ReadLimit)
	return transport.Websocket{
		Implementation:        NewImplementation(),
		InitFunc:              rejecting(init),
		InitTimeout:           InitTimeout,
		KeepAlivePingInterval: keepAlive,
		PingPongInterval:      keepAlive,
		PayloadReadLimit:      &limit,
	}
}

// rejecting wraps init so that a rejected connection closes with the close
// code and reason its error calls for.
func rejecting(init transport.WebsocketInitFunc) transport.WebsocketInitFunc {
	if init == nil {
		return nil
	}
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		next, ack, err := init(ctx, p)
		if err == nil {
			return next, ack, nil
		}
		if next == nil {
			next = ctx
		}
		code, reason := CloseForbidden, "Forbidden"
		if errors.Is(err, ErrUnauthorized) {
			code, reason = CloseUnauthorized, "Unauthorized"
		}
		next = transport.WithWebsocketCloseCode(next, code)
		return transport.AppendCloseReason(next, reason), nil, err
	}
}
