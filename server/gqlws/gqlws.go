// Package gqlws serves GraphQL subscriptions over websockets, speaking both
// graphql-transport-ws and the legacy graphql-ws (Apollo
// subscriptions-transport-ws) subprotocols over gorilla/websocket.
//
// It owns the transport rather than using gqlgen's so that subscribers who
// asked the same thing share one execution: subscriptions with the same
// document, operation name, variables and caller's role form a group,
// which executes each event once through gqlgen's executor, encodes it
// once, and appends the same bytes, framed for each member's subprotocol
// and id, to every member's socket (group.go). Validation, error
// presentation and the operation context stay gqlgen's. Each socket's
// frames are coalesced into few writes (coalesce.go); a member whose
// socket cannot take more falls behind alone and later receives its missed
// changes merged (feed.Backlog), never slowing the group.
package gqlws

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// Subprotocols the transport speaks, in the order the server prefers them.
const (
	// SubprotocolTransportWS is the current protocol (the graphql-ws library).
	SubprotocolTransportWS = "graphql-transport-ws"
	// SubprotocolGraphQLWS is the legacy protocol (Apollo subscriptions-transport-ws).
	SubprotocolGraphQLWS = "graphql-ws"
)

// Close codes, as the graphql-transport-ws protocol defines them; the
// legacy protocol uses the same ones.
const (
	// CloseBadRequest closes a connection that sent a message the protocol
	// does not allow there: not JSON, an unknown type, a connection_init
	// whose payload is not an object, a subscribe without an id.
	CloseBadRequest = 4400
	// CloseUnauthorized closes a connection whose init func returned
	// ErrUnauthorized, or that subscribed before connection_init.
	CloseUnauthorized = 4401
	// CloseForbidden closes a connection whose init func returned any other error.
	CloseForbidden = 4403
	// CloseInitTimeout closes a connection that sent no connection_init within InitTimeout.
	CloseInitTimeout = 4408
	// CloseSubscriberExists closes a connection that subscribed with an id
	// already in use on it.
	CloseSubscriberExists = 4409
	// CloseTooManyInits closes a connection that sent connection_init twice.
	CloseTooManyInits = 4429
)

const (
	// ReadLimit is the largest client message, in bytes, that a connection accepts;
	// a larger one closes it with status 1009 (message too big).
	ReadLimit = 64 << 10
	// InitTimeout is how long a client has to send connection_init after the upgrade.
	InitTimeout = 10 * time.Second
	// MaxSubscriptions is how many subscriptions one connection may have
	// open at a time; one more is refused with an error message for its id
	// and the connection stays open.
	MaxSubscriptions = 100
	// writeTimeout bounds every write to a peer: one that has waited
	// between half of it and all of it fails (see coalescingConn.run).
	writeTimeout = 10 * time.Second
)

// ErrUnauthorized is the error an init func returns, wrapped or not, when the
// connection carries no usable credentials; the connection is then closed
// with CloseUnauthorized. Any other init error closes it with CloseForbidden.
var ErrUnauthorized = errors.New("gqlws: unauthorized")

// Server is the websocket transport, a graphql.Transport for gqlgen's
// handler. Its zero value is not usable; call Transport.
type Server struct {
	keepAlive time.Duration
	init      transport.WebsocketInitFunc
	upgrader  websocket.Upgrader
	groups    groups
}

var _ graphql.Transport = (*Server)(nil)

// Transport returns the websocket transport with keepalive pings every
// keepAlive and the given init func (which checks the bearer token from
// connection_init's payload {"Authorization":"Bearer …"}).
//
// On graphql-transport-ws the server sends "ping" every keepAlive and closes
// a connection that has not answered with "pong" within twice that; on
// graphql-ws it sends "ka" every keepAlive. A keepAlive of zero sends
// neither. A client must send connection_init within InitTimeout. When init
// returns an error the connection is closed with CloseUnauthorized or
// CloseForbidden (see ErrUnauthorized); on graphql-ws the error's text is
// sent to the client first in connection_error, so it must be safe to show.
// When the context init returned ends (the node's ends it when the token
// is revoked or expires), the connection is closed with CloseUnauthorized.
func Transport(keepAlive time.Duration, init transport.WebsocketInitFunc) *Server {
	s := &Server{keepAlive: keepAlive, init: init}
	s.upgrader = websocket.Upgrader{
		HandshakeTimeout: InitTimeout,
		Subprotocols:     []string{SubprotocolTransportWS, SubprotocolGraphQLWS},
		CheckOrigin:      sameOriginOrNone,
		Error:            func(http.ResponseWriter, *http.Request, int, error) {}, // Do answers
	}
	s.groups.m = make(map[string]*group)
	return s
}

// Supports reports whether r asks for a websocket.
func (s *Server) Supports(r *http.Request) bool { return r.Header.Get("Upgrade") != "" }

// Do upgrades r to a websocket and serves it until it closes. A failed
// upgrade is answered with 400.
func (s *Server) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ws, err := s.upgrader.Upgrade(coalescingWriter{w}, r, nil)
	if err != nil {
		transport.SendErrorf(w, http.StatusBadRequest, "unable to upgrade")
		return
	}
	ws.SetReadLimit(ReadLimit)
	cc, _ := ws.NetConn().(*coalescingConn)
	if cc == nil { // cannot happen: Upgrade hijacks through coalescingWriter
		ws.Close()
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	sess := &session{srv: s, ws: ws, cc: cc, exec: exec, ctx: ctx, cancel: cancel, headers: r.Header,
		legacy: ws.Subprotocol() != SubprotocolTransportWS, subs: make(map[string]*member)}
	sess.serve()
}

// Groups returns how many groups are executing: distinct subscriptions
// shared by their members.
func (s *Server) Groups() int {
	s.groups.mu.Lock()
	defer s.groups.mu.Unlock()
	return len(s.groups.m)
}

// sameOriginOrNone reports whether r has no Origin header or one naming the
// host it was sent to.
func sameOriginOrNone(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
