package gqlws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// deadline bounds every wait; it is generous because the machine may be loaded.
const deadline = 30 * time.Second

// ticks is how many events the test subscription emits before completing.
const ticks = 3

// tickSchema is a hand-written executable schema with one subscription,
// tick, that emits 1..ticks and ends.
func tickSchema() graphql.ExecutableSchema {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		type Query { ok: Boolean }
		type Subscription { tick: Int! }
	`})
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 0, false
		},
		ExecFunc: func(context.Context) graphql.ResponseHandler {
			n := 0
			return func(context.Context) *graphql.Response {
				if n == ticks {
					return nil
				}
				n++
				return &graphql.Response{Data: json.RawMessage(fmt.Sprintf(`{"tick":%d}`, n))}
			}
		},
	}
}

// checkToken accepts "Bearer good", reports ErrUnauthorized without a
// token and rejects anything else.
func checkToken(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	switch p.Authorization() {
	case "Bearer good":
		return ctx, nil, nil
	case "":
		return ctx, nil, fmt.Errorf("checking token: %w", ErrUnauthorized)
	default:
		return ctx, nil, errors.New("invalid token")
	}
}

func newServer(t *testing.T, keepAlive time.Duration) *httptest.Server {
	t.Helper()
	srv := handler.New(tickSchema())
	srv.AddTransport(Transport(keepAlive, checkToken))
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(ts.Close)
	return ts
}

func dial(t *testing.T, ts *httptest.Server, origin string, protocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	d := websocket.Dialer{
		TLSClientConfig:  ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone(),
		Subprotocols:     protocols,
		HandshakeTimeout: deadline,
	}
	header := http.Header{}
	if origin != "" {
		header.Set("Origin", origin)
	}
	c, resp, err := d.Dial("wss"+strings.TrimPrefix(ts.URL, "https"), header)
	if c != nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, resp, err
}

type msg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

func send(t *testing.T, c *websocket.Conn, m msg) {
	t.Helper()
	c.SetWriteDeadline(time.Now().Add(deadline))
	if err := c.WriteJSON(m); err != nil {
		t.Fatalf("sending %s: %v", m.Type, err)
	}
}

func read(c *websocket.Conn) (msg, error) {
	var m msg
	c.SetReadDeadline(time.Now().Add(deadline))
	err := c.ReadJSON(&m)
	return m, err
}

// next reads the next message that is not a keepalive.
func next(t *testing.T, c *websocket.Conn) msg {
	t.Helper()
	for {
		m, err := read(c)
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		if m.Type != "ka" && m.Type != "ping" {
			return m
		}
	}
}

// closeCode reads until the connection ends and returns its close code.
func closeCode(t *testing.T, c *websocket.Conn) int {
	t.Helper()
	for {
		_, err := read(c)
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		if err != nil {
			t.Fatalf("connection ended without a close frame: %v", err)
		}
	}
}

func initPayload(token string) json.RawMessage {
	if token == "" {
		return json.RawMessage(`{}`)
	}
	return json.RawMessage(`{"Authorization":"Bearer ` + token + `"}`)
}

// protocol holds what differs between the two subprotocols.
type protocol struct {
	name      string
	subscribe string
	data      string
}

var protocols = []protocol{
	{name: SubprotocolTransportWS, subscribe: "subscribe", data: "next"},
	{name: SubprotocolGraphQLWS, subscribe: "start", data: "data"},
}

func TestSubprotocolNegotiation(t *testing.T) {
	ts := newServer(t, time.Hour)
	tests := []struct {
		name    string
		offered []string
		want    string
	}{
		{"transport-ws", []string{SubprotocolTransportWS}, SubprotocolTransportWS},
		{"legacy graphql-ws", []string{SubprotocolGraphQLWS}, SubprotocolGraphQLWS},
		{"both prefers transport-ws", []string{SubprotocolGraphQLWS, SubprotocolTransportWS}, SubprotocolTransportWS},
		{"none falls back to graphql-ws", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := dial(t, ts, "", tt.offered...)
			if err != nil {
				t.Fatalf("dialing: %v", err)
			}
			if got := c.Subprotocol(); got != tt.want {
				t.Fatalf("negotiated %q, want %q", got, tt.want)
			}
			send(t, c, msg{Type: "connection_init", Payload: initPayload("good")})
			if m := next(t, c); m.Type != "connection_ack" {
				t.Fatalf("got %s after connection_init, want connection_ack", m.Type)
			}
		})
	}
}

func TestSubscriptionEndToEnd(t *testing.T) {
	ts := newServer(t, time.Hour)
	for _, p := range protocols {
		t.Run(p.name, func(t *testing.T) {
			c, _, err := dial(t, ts, "", p.name)
			if err != nil {
				t.Fatalf("dialing: %v", err)
			}
			send(t, c, msg{Type: "connection_init", Payload: initPayload("good")})
			if m := next(t, c); m.Type != "connection_ack" {
				t.Fatalf("got %s, want connection_ack", m.Type)
			}
			send(t, c, msg{ID: "s1", Type: p.subscribe, Payload: json.RawMessage(`{"query":"subscription { tick }"}`)})
			for want := 1; want <= ticks; want++ {
				m := next(t, c)
				var body struct {
					Data struct{ Tick int }
				}
				if err := json.Unmarshal(m.Payload, &body); err != nil || m.Type != p.data || m.ID != "s1" {
					t.Fatalf("got %+v (%v), want %s for s1", m, err, p.data)
				}
				if body.Data.Tick != want {
					t.Fatalf("tick %d, want %d", body.Data.Tick, want)
				}
			}
			if m := next(t, c); m.Type != "complete" || m.ID != "s1" {
				t.Fatalf("got %+v, want complete for s1", m)
			}
		})
	}
}

func TestInitRejection(t *testing.T) {
	ts := newServer(t, time.Hour)
	tests := []struct {
		name      string
		protocol  string
		token     string
		code      int
		connError string // legacy graphql-ws only: message of connection_error
	}{
		{"transport-ws bad token", SubprotocolTransportWS, "bad", CloseForbidden, ""},
		{"transport-ws no token", SubprotocolTransportWS, "", CloseUnauthorized, ""},
		{"graphql-ws bad token", SubprotocolGraphQLWS, "bad", CloseForbidden, "invalid token"},
		{"graphql-ws no token", SubprotocolGraphQLWS, "", CloseUnauthorized, "checking token: gqlws: unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _, err := dial(t, ts, "", tt.protocol)
			if err != nil {
				t.Fatalf("dialing: %v", err)
			}
			send(t, c, msg{Type: "connection_init", Payload: initPayload(tt.token)})
			if tt.connError != "" {
				m := next(t, c)
				var e struct{ Message string }
				if err := json.Unmarshal(m.Payload, &e); err != nil || m.Type != "connection_error" || e.Message != tt.connError {
					t.Fatalf("got %+v, want connection_error %q", m, tt.connError)
				}
			}
			if code := closeCode(t, c); code != tt.code {
				t.Fatalf("close code %d, want %d", code, tt.code)
			}
		})
	}
}

func TestPingPong(t *testing.T) {
	// The server drops a client that has not answered within two intervals
	// of the connection's start, so a short interval could fail a loaded machine.
	ts := newServer(t, time.Second)
	c, _, err := dial(t, ts, "", SubprotocolTransportWS)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	send(t, c, msg{Type: "connection_init", Payload: initPayload("good")})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	send(t, c, msg{Type: "ping"})
	pings, pong := 0, false
	for pings < 2 || !pong {
		m, err := read(c)
		if err != nil {
			t.Fatalf("reading after %d pings, pong %v: %v", pings, pong, err)
		}
		switch m.Type {
		case "ping":
			pings++
			send(t, c, msg{Type: "pong"})
		case "pong":
			pong = true
		default:
			t.Fatalf("unexpected %s", m.Type)
		}
	}
}

func TestMissingPongClosesConnection(t *testing.T) {
	ts := newServer(t, 50*time.Millisecond)
	c, _, err := dial(t, ts, "", SubprotocolTransportWS)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	send(t, c, msg{Type: "connection_init", Payload: initPayload("good")})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	// Never answer: the server must give up on us well before our own deadline.
	for {
		m, err := read(c)
		if err == nil && m.Type == "ping" {
			continue
		}
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("server kept a connection that never answered its pings")
		}
		if err == nil {
			t.Fatalf("unexpected %s", m.Type)
		}
		return
	}
}

func TestLegacyKeepAlive(t *testing.T) {
	ts := newServer(t, 50*time.Millisecond)
	c, _, err := dial(t, ts, "", SubprotocolGraphQLWS)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	send(t, c, msg{Type: "connection_init", Payload: initPayload("good")})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	for i := 0; i < 3; i++ {
		m, err := read(c)
		if err != nil || m.Type != "ka" {
			t.Fatalf("keepalive %d: got %+v, %v; want ka", i, m, err)
		}
	}
}

func TestOrigin(t *testing.T) {
	ts := newServer(t, time.Hour)
	host := strings.TrimPrefix(ts.URL, "https://")
	tests := []struct {
		name   string
		origin string
		ok     bool
	}{
		{"no origin (tools)", "", true},
		{"same origin", "https://" + host, true},
		{"same origin other case", "https://" + strings.ToUpper(host), true},
		{"cross origin", "https://evil.example", false},
		{"same host other port", "https://127.0.0.1:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := dial(t, ts, tt.origin, SubprotocolTransportWS)
			if tt.ok && err != nil {
				t.Fatalf("dialing: %v", err)
			}
			if !tt.ok {
				if err == nil {
					t.Fatal("cross-origin upgrade accepted")
				}
				if resp == nil || resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("response %v, want 400", resp)
				}
			}
		})
	}
}

func TestReadLimit(t *testing.T) {
	ts := newServer(t, time.Hour)
	c, _, err := dial(t, ts, "", SubprotocolTransportWS)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	send(t, c, msg{Type: "connection_init", Payload: initPayload("good")})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	big := `{"query":"` + strings.Repeat(" ", ReadLimit) + `subscription { tick }"}`
	c.SetWriteDeadline(time.Now().Add(deadline))
	// The server may close before it has read the whole message, so the
	// write itself may fail; what matters is how the connection ends.
	c.WriteJSON(msg{ID: "big", Type: "subscribe", Payload: json.RawMessage(big)})
	m, err := read(c)
	if err == nil {
		t.Fatalf("got %s for an oversized message", m.Type)
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("close code %d, want %d", ce.Code, websocket.CloseMessageTooBig)
	}
	// Otherwise a reset, when the server closed with our bytes unread; but
	// never a timeout, which would mean the server kept the connection.
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("server kept a connection that sent an oversized message")
	}
}

func TestSameOriginOrNone(t *testing.T) {
	tests := []struct {
		name, host, origin string
		want               bool
	}{
		{"none", "node:8443", "", true},
		{"same", "node:8443", "https://node:8443", true},
		{"other port", "node:8443", "https://node:9443", false},
		{"other host", "node:8443", "https://other:8443", false},
		{"unparsable", "node:8443", "://%zz", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "https://"+tt.host+"/graphql", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if got := sameOriginOrNone(r); got != tt.want {
				t.Errorf("sameOriginOrNone(origin %q, host %q) = %v, want %v", tt.origin, tt.host, got, tt.want)
			}
		})
	}
}
