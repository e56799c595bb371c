package gqlws

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/gorilla/websocket"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/stock"
)

// pipeListener serves connections made with dial over net.Pipe: a
// transport with no buffer at all, so that a peer that stops reading
// blocks the server's next write at once, with no kernel buffer of
// unknown size in between.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	server, client := net.Pipe()
	select {
	case l.conns <- server:
		return client, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

// feedSchema is a schema whose subscription changed serves the hub's
// events through feed.Share, as graph's resolvers do: each event is
// {"changed":{"sku","quantity","merged","pad"}}, pad making it about 1 KB.
func feedSchema(hub *feed.Hub) graphql.ExecutableSchema {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
		type Query { unused: Int }
		type Subscription { changed: Change! }
		type Change { sku: String! quantity: Int! merged: Boolean! pad: String! }
	`})
	pad := strings.Repeat("p", 1000)
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 0, false
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			// A generous buffer: the group as a whole never falls behind here.
			ch, ok := feed.Share(ctx, hub, feed.Filter{}, 10000, func(e feed.Event) (feed.Event, bool) { return e, true })
			if !ok {
				return graphql.OneShot(graphql.ErrorResponse(ctx, "not shared"))
			}
			return func(ctx context.Context) *graphql.Response {
				select {
				case e := <-ch:
					return &graphql.Response{Data: fmt.Appendf(nil, `{"changed":{"sku":%q,"quantity":%d,"merged":%v,"pad":%q}}`,
						e.SKU, e.Quantity, e.Merged, pad)}
				case <-ctx.Done():
					return nil
				}
			}
		},
	}
}

// feedServer serves feedSchema over TLS on a pipeListener through ws.
func feedServer(t *testing.T, hub *feed.Hub, ws *Server) (*httptest.Server, *pipeListener) {
	t.Helper()
	srv := handler.New(feedSchema(hub))
	srv.AddTransport(ws)
	ln := newPipeListener()
	ts := httptest.NewUnstartedServer(srv)
	ts.Listener = ln
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts, ln
}

// dialPipe opens a graphql-transport-ws connection over ln, acknowledged.
func dialPipe(t *testing.T, ts *httptest.Server, ln *pipeListener, token string) *websocket.Conn {
	t.Helper()
	d := websocket.Dialer{TLSClientConfig: ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone(),
		Subprotocols: []string{SubprotocolTransportWS}, HandshakeTimeout: deadline, NetDialContext: ln.dial}
	c, _, err := d.Dial("wss://127.0.0.1:1/", nil)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	send(t, c, msg{Type: "connection_init", Payload: initPayload(token)})
	if m := next(t, c); m.Type != "connection_ack" {
		t.Fatalf("got %s, want connection_ack", m.Type)
	}
	return c
}

// change is one received event.
type change struct {
	SKU      string
	Quantity int64
	Merged   bool
}

func readChange(t *testing.T, c *websocket.Conn) change {
	t.Helper()
	m := next(t, c)
	var body struct{ Data struct{ Changed change } }
	if m.Type != "next" || json.Unmarshal(m.Payload, &body) != nil {
		t.Fatalf("got %s %s, want an event", m.Type, m.Payload)
	}
	return body.Data.Changed
}

func TestSlowMemberFallsBehindAloneAndGetsItsChangesMerged(t *testing.T) {
	const events, skus = 600, 3
	hub := feed.NewHub(slog.New(slog.DiscardHandler))
	defer hub.Close()
	ws := Transport(time.Hour, checkToken)
	ts, ln := feedServer(t, hub, ws)
	fast, slow := dialPipe(t, ts, ln, "good"), dialPipe(t, ts, ln, "good")
	send(t, fast, msg{ID: "1", Type: "subscribe", Payload: json.RawMessage(`{"query":"subscription { changed { sku quantity merged pad } }"}`)})
	send(t, slow, msg{ID: "1", Type: "subscribe", Payload: json.RawMessage(`{"query":"subscription { changed { sku quantity merged pad } }"}`)})
	// Two sessions subscribing at once may both start an execution; the one
	// that then finds the other's group stops its own (its hub subscription
	// ends a moment later) and joins: wait for that to settle.
	waitFor(t, func() bool { return hub.Subscribers() == 2 && hub.Executions() == 1 })
	if n := hub.Executions(); n != 1 || ws.Groups() != 1 {
		t.Fatalf("%d executions, %d groups for two identical subscriptions, want 1", n, ws.Groups())
	}

	// The fast member reads everything, unmerged, in order; the
	// publisher waits for it now and then (never for the slow one), so
	// that it never has more than 20 events waiting.
	var mu sync.Mutex
	received := 0
	fastDone := make(chan error, 1)
	go func() {
		want := map[string]int64{}
		for i := range events {
			m, err := read(fast)
			if err != nil {
				fastDone <- err
				return
			}
			var body struct{ Data struct{ Changed change } }
			if err := json.Unmarshal(m.Payload, &body); err != nil {
				fastDone <- fmt.Errorf("event %d: %s: %v", i, m.Payload, err)
				return
			}
			c := body.Data.Changed
			if want[c.SKU]++; c.Merged || c.Quantity != want[c.SKU] {
				fastDone <- fmt.Errorf("fast member's event %d: %+v, want quantity %d unmerged", i, c, want[c.SKU])
				return
			}
			mu.Lock()
			received++
			mu.Unlock()
		}
		fastDone <- nil
	}()
	qty := map[string]int64{}
	for i := range events {
		sku := fmt.Sprint("S", i%skus)
		qty[sku]++
		hub.Publish(feed.Event{Change: stock.Change{Warehouse: "W", SKU: sku, Quantity: qty[sku], Delta: 1, Seq: int64(i + 1)}})
		waitFor(t, func() bool {
			mu.Lock()
			defer mu.Unlock()
			return received >= i-20
		})
	}
	if err := <-fastDone; err != nil {
		t.Fatal(err)
	}

	// The slow member, reading at last, gets what fitted in its socket's
	// buffer unmerged, then one merged change per sku with the exact
	// quantity.
	last, merged := map[string]int64{}, 0
	for len(last) < skus || last["S0"] != qty["S0"] || last["S1"] != qty["S1"] || last["S2"] != qty["S2"] {
		c := readChange(t, slow)
		if c.Quantity <= last[c.SKU] || (!c.Merged && c.Quantity != last[c.SKU]+1) {
			t.Fatalf("slow member: %+v after quantity %d", c, last[c.SKU])
		}
		if c.Merged {
			merged++
		}
		last[c.SKU] = c.Quantity
	}
	if merged == 0 || merged > skus {
		t.Fatalf("slow member got %d merged events, want one per sku that fell behind (at most %d)", merged, skus)
	}
}

// roleToken accepts "Bearer viewer" and "Bearer admin", the caller then
// having that role.
func roleToken(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	role, err := auth.ParseRole(strings.TrimPrefix(p.Authorization(), "Bearer "))
	if err != nil {
		return ctx, nil, fmt.Errorf("checking token: %w", ErrUnauthorized)
	}
	return auth.WithPrincipal(ctx, auth.Principal{Name: string(role), Role: role}), nil, nil
}

func TestCallersOfAnotherRoleDoNotShareAnExecution(t *testing.T) {
	hub := feed.NewHub(slog.New(slog.DiscardHandler))
	defer hub.Close()
	ws := Transport(time.Hour, roleToken)
	ts, ln := feedServer(t, hub, ws)
	var conns []*websocket.Conn
	for _, role := range []string{"viewer", "admin", "viewer", "admin", "viewer"} {
		c := dialPipe(t, ts, ln, role)
		send(t, c, msg{ID: "1", Type: "subscribe", Payload: json.RawMessage(`{"query":"subscription { changed { sku quantity } }"}`)})
		conns = append(conns, c)
	}
	waitFor(t, func() bool { return hub.Subscribers() == 5 })
	if n := ws.Groups(); n != 2 || hub.Executions() != 2 {
		t.Fatalf("%d groups, %d executions for two roles, want 2", n, hub.Executions())
	}
	hub.Publish(feed.Event{Change: stock.Change{Warehouse: "W", SKU: "A", Quantity: 3, Seq: 1}})
	for i, c := range conns {
		if got := readChange(t, c); got.SKU != "A" || got.Quantity != 3 {
			t.Fatalf("connection %d got %+v", i, got)
		}
	}
	for _, c := range conns {
		c.Close()
	}
	waitFor(t, func() bool { return hub.Subscribers() == 0 && hub.Executions() == 0 && ws.Groups() == 0 })
}

// waitFor polls cond until it holds, failing the test after deadline.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	until := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(until) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestGroupKey(t *testing.T) {
	as := func(role auth.Role) context.Context {
		return auth.WithPrincipal(context.Background(), auth.Principal{Name: "someone-" + string(role), Role: role})
	}
	op := func(query, name string, vars map[string]any) *graphql.OperationContext {
		return &graphql.OperationContext{RawQuery: query, OperationName: name, Variables: vars}
	}
	const q = `subscription S($s: ID) { stockChanged(sku: $s) { quantity } }`
	base := keyOf(as(auth.RoleViewer), op(q, "S", map[string]any{"s": "A", "w": "X"}))
	tests := []struct {
		name string
		ctx  context.Context
		op   *graphql.OperationContext
		same bool
	}{
		{"same role, other caller, variables in another order", as(auth.RoleViewer), op(q, "S", map[string]any{"w": "X", "s": "A"}), true},
		{"another role", as(auth.RoleAdmin), op(q, "S", map[string]any{"s": "A", "w": "X"}), false},
		{"no principal", context.Background(), op(q, "S", map[string]any{"s": "A", "w": "X"}), false},
		{"other variables", as(auth.RoleViewer), op(q, "S", map[string]any{"s": "B", "w": "X"}), false},
		{"other operation name", as(auth.RoleViewer), op(q, "T", map[string]any{"s": "A", "w": "X"}), false},
		{"other document", as(auth.RoleViewer), op(q+" ", "S", map[string]any{"s": "A", "w": "X"}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := keyOf(tt.ctx, tt.op) == base; got != tt.same {
				t.Errorf("same key = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestFrameHeader(t *testing.T) {
	for _, n := range []int{0, 100, 125, 126, 65535, 65536, 70000} {
		payload := []byte(strings.Repeat("x", n))
		f := frame("next", nil, payload)
		body := len(`{"type":"next","payload":}`) + n
		if n == 0 {
			body = len(`{"type":"next"}`)
		}
		var size, header int
		switch {
		case f[1] < 126:
			size, header = int(f[1]), 2
		case f[1] == 126:
			size, header = int(f[2])<<8|int(f[3]), 4
		default:
			for _, b := range f[2:10] {
				size = size<<8 | int(b)
			}
			header = 10
		}
		if f[0] != 0x81 || size != body || len(f) != header+body {
			t.Errorf("payload %d: header % x, length %d for a %d-byte body in a %d-byte frame", n, f[:header], size, body, len(f))
		}
	}
}
