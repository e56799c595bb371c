package gqlws

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
)

// Implementation accepts websocket connections for gqlgen's transport with
// gorilla/websocket. It allows requests without an Origin header (tools,
// other services) and same-origin requests from browsers, and refuses
// cross-origin ones. Its zero value is not usable; call NewImplementation.
type Implementation struct {
	subprotocols []string
}

var _ transport.WebsocketImplementation = (*Implementation)(nil)

// NewImplementation returns an Implementation that prefers
// graphql-transport-ws over graphql-ws when a client offers both.
func NewImplementation() *Implementation {
	return &Implementation{subprotocols: []string{SubprotocolTransportWS, SubprotocolGraphQLWS}}
}

// Accept upgrades the request to a websocket connection, negotiating one of
// the transport's subprotocols. On failure it writes nothing: gqlgen answers
// the request with 400 itself.
func (i *Implementation) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	protocols := slices.Clone(i.subprotocols)
	for _, p := range opts.Subprotocols {
		if !slices.Contains(protocols, p) {
			protocols = append(protocols, p)
		}
	}
	var status int
	u := websocket.Upgrader{
		HandshakeTimeout: InitTimeout,
		Subprotocols:     protocols,
		CheckOrigin:      sameOriginOrNone,
		Error: func(_ http.ResponseWriter, _ *http.Request, s int, _ error) {
			status = s
		},
	}
	ws, err := u.Upgrade(coalescingWriter{w}, r, opts.ResponseHeader)
	if err != nil {
		return nil, fmt.Errorf("upgrading to websocket (status %d): %w", status, err)
	}
	ws.SetReadLimit(ReadLimit)
	return &conn{ws: ws}, nil
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

// conn is one gorilla connection as gqlgen's transport sees it. gqlgen reads
// from one goroutine but may write from several; wmu serialises the writes.
type conn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

var (
	_ transport.WebsocketConn          = (*conn)(nil)
	_ transport.WebsocketReadLimiter   = (*conn)(nil)
	_ transport.WebsocketReadDeadliner = (*conn)(nil)
)

// NextReader returns the next message, or transport.ErrWebsocketClosed when
// the peer closed the connection normally.
func (c *conn) NextReader() (int, io.Reader, error) {
	t, r, err := c.ws.NextReader()
	if websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseNoStatusReceived) {
		return t, nil, transport.ErrWebsocketClosed
	}
	return t, r, err
}

// WriteJSON sends v as one text message. It needs no write deadline: the
// coalescingConn underneath bounds every write by writeTimeout.
func (c *conn) WriteJSON(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteJSON(v)
}

// WriteClose sends a close frame with code and message, cut to fit a control
// frame. Its deadline bounds the wait for gorilla's write lock.
func (c *conn) WriteClose(code int, message string) error {
	if len(message) > maxCloseReason {
		message = strings.ToValidUTF8(message[:maxCloseReason], "")
	}
	err := c.ws.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(code, message), time.Now().Add(writeTimeout))
	if errors.Is(err, websocket.ErrCloseSent) {
		return nil
	}
	return err
}

// maxCloseReason is the room left for the reason in a close frame's
// 125-byte payload after the two-byte code.
const maxCloseReason = 123

// Close closes the underlying network connection.
func (c *conn) Close() error { return c.ws.Close() }

// Subprotocol returns the negotiated subprotocol, "" when the client offered none.
func (c *conn) Subprotocol() string { return c.ws.Subprotocol() }

// SetReadLimit caps the size of client messages.
func (c *conn) SetReadLimit(limit int64) { c.ws.SetReadLimit(limit) }

// SetReadDeadline sets the read deadline; past it the connection is unusable.
func (c *conn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }
