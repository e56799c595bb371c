package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// Tests of the websocket transport's shared executions (server/gqlws
// groups) and of the protocol rules it enforces.

// rawMsg is a server message with its payload kept as sent.
type rawMsg struct {
	ID      string          `json:"id"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// dialRaw opens /graphql with subprotocol proto and sends nothing.
func dialRaw(t testing.TB, n *testnode.Node, proto string) *wsConn {
	t.Helper()
	d := websocket.Dialer{TLSClientConfig: n.TLSConfig(), Subprotocols: []string{proto}, HandshakeTimeout: 10 * time.Second}
	c, _, err := d.Dial("wss://"+n.Addr+"/graphql", nil)
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return &wsConn{t: t, c: c, proto: proto}
}

// readRaw returns the next message that is not a keepalive.
func (w *wsConn) readRaw() (rawMsg, error) {
	for {
		_ = w.c.SetReadDeadline(time.Now().Add(30 * time.Second))
		var m rawMsg
		if err := w.c.ReadJSON(&m); err != nil {
			return m, err
		}
		if m.Type != "ka" && m.Type != "ping" && m.Type != "pong" {
			return m, nil
		}
	}
}

// closeCode reads until the server closes the connection and returns the
// close code; messages before it are returned too.
func (w *wsConn) closeCode() (int, []rawMsg) {
	w.t.Helper()
	var before []rawMsg
	for {
		m, err := w.readRaw()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, before
		}
		if err != nil {
			w.t.Fatalf("connection ended without a close frame: %v (after %v)", err, before)
		}
		before = append(before, m)
	}
}

// TestSubscribeWithAnIDInUseClosesTheSocket: a second subscribe with an id
// already running closes the socket with 4409, and nothing keeps running.
func TestSubscribeWithAnIDInUseClosesTheSocket(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "D1", 5)
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			w, err := dialWS(t, n, proto, n.Token)
			if err != nil {
				t.Fatal(err)
			}
			defer w.c.Close()
			w.subscribe("a", `subscription { stockChanged(sku: "D1") { quantity } }`)
			w.subscribe("b", `subscription { stockChanged { quantity } }`)
			waitMetric(t, n, "stockmesh_subscriptions_open", 2)
			w.subscribe("a", `subscription { movementRecorded { id } }`)
			if code, _ := w.closeCode(); code != 4409 {
				t.Fatalf("close code %d, want 4409", code)
			}
			waitMetric(t, n, "stockmesh_subscriptions_open", 0)
			waitMetric(t, n, "stockmesh_subscription_executions", 0)
		})
	}
}

// TestConnectionInitPayloadMustBeAnObject: a connection_init whose payload
// is not an object closes the socket with 4400, and a thousand such
// connections leave no file or goroutine behind.
func TestConnectionInitPayloadMustBeAnObject(t *testing.T) {
	n := testnode.Start(t)
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		for _, payload := range []string{`"Bearer x"`, `[1]`, `42`, `true`} {
			t.Run(proto+" "+payload, func(t *testing.T) {
				w := dialRaw(t, n, proto)
				w.send(map[string]any{"type": "connection_init", "payload": json.RawMessage(payload)})
				code, before := w.closeCode()
				if code != 4400 {
					t.Fatalf("close code %d, want 4400", code)
				}
				if proto == "graphql-ws" && (len(before) != 1 || before[0].Type != "connection_error" ||
					!strings.Contains(string(before[0].Payload), "must be an object")) {
					t.Fatalf("graphql-ws got %v before closing, want one connection_error saying why", before)
				}
			})
		}
	}
	files, goroutines := metric(t, n, "process_open_fds"), metric(t, n, "go_goroutines")
	for i := range 1000 {
		w := dialRaw(t, n, "graphql-transport-ws")
		w.send(map[string]any{"type": "connection_init", "payload": "Bearer " + n.Token})
		if code, _ := w.closeCode(); code != 4400 {
			t.Fatalf("cycle %d: close code %d, want 4400", i, code)
		}
		w.c.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		f, g := metric(t, n, "process_open_fds"), metric(t, n, "go_goroutines")
		if f <= files+10 && g <= goroutines+10 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 1000 refused inits: %v open files (before %v), %v goroutines (before %v)", f, files, g, goroutines)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestSubscriptionsPerConnectionAreBounded: one more subscription than a
// connection may hold is refused with an error naming the limit; the
// connection stays usable.
func TestSubscriptionsPerConnectionAreBounded(t *testing.T) {
	const limit = 100 // gqlws.MaxSubscriptions
	n := testnode.Start(t)
	mustCreate(t, n, "L1", 5)
	for i, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			w, err := dialWS(t, n, proto, n.Token)
			if err != nil {
				t.Fatal(err)
			}
			defer w.c.Close()
			for i := range limit {
				w.subscribe(fmt.Sprint("s", i), `subscription { stockChanged(sku: "NONE") { quantity } }`)
			}
			waitMetric(t, n, "stockmesh_subscriptions_open", limit)
			w.subscribe("over", `subscription { stockChanged(sku: "L1") { quantity } }`)
			m, err := w.readRaw()
			if err != nil {
				t.Fatal(err)
			}
			var errs []struct{ Message string }
			if m.Type != "error" || m.ID != "over" || json.Unmarshal(m.Payload, &errs) != nil || len(errs) != 1 ||
				!strings.Contains(errs[0].Message, fmt.Sprintf("at most %d", limit)) {
				t.Fatalf("got %s %s %s, want an error for over naming the limit of %d", m.Type, m.ID, m.Payload, limit)
			}
			if got := metric(t, n, "stockmesh_subscriptions_open"); got != limit {
				t.Fatalf("%v subscriptions open after the refusal, want %d", got, limit)
			}
			stop := "complete"
			if proto == "graphql-ws" {
				stop = "stop"
			}
			w.send(map[string]any{"id": "s0", "type": stop})
			if m, err := w.readRaw(); err != nil || m.Type != "complete" || m.ID != "s0" {
				t.Fatalf("got %+v, %v; want complete for s0", m, err)
			}
			w.subscribe("over", `subscription { stockChanged(sku: "L1") { quantity } }`)
			waitMetric(t, n, "stockmesh_subscriptions_open", limit)
			n.MustGraphQL(t, recordMovement, mv("L1", "PURCHASE", 1))
			want := fmt.Sprintf(`"quantity":%d`, 6+i)
			if m, err := w.readRaw(); err != nil || m.ID != "over" || !strings.Contains(string(m.Payload), want) {
				t.Fatalf("got %s %s %s, %v; want over's event with %s", m.Type, m.ID, m.Payload, err, want)
			}
			w.c.Close()
			waitMetric(t, n, "stockmesh_subscriptions_open", 0)
		})
	}
}

// TestIdenticalSubscriptionsShareOneExecution: subscribers asking the same
// thing, over either subprotocol and under any id, are served by one
// execution and receive the same payload; a different argument is another
// execution.
func TestIdenticalSubscriptionsShareOneExecution(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "G1", 10)
	const query = `subscription($s: ID) { stockChanged(sku: $s) { sku quantity delta merged movement { kind } } }`
	var ws []*wsConn
	for i := range 10 {
		proto := "graphql-transport-ws"
		if i%2 == 1 {
			proto = "graphql-ws"
		}
		w, err := dialWS(t, n, proto, n.Token)
		if err != nil {
			t.Fatal(err)
		}
		defer w.c.Close()
		typ := map[string]string{"graphql-transport-ws": "subscribe", "graphql-ws": "start"}[proto]
		w.send(map[string]any{"id": fmt.Sprint("id-", i%3), "type": typ,
			"payload": map[string]any{"query": query, "variables": map[string]any{"s": "G1"}}})
		ws = append(ws, w)
	}
	waitMetric(t, n, "stockmesh_subscriptions_open", 10)
	if got := metric(t, n, "stockmesh_subscription_executions"); got != 1 {
		t.Fatalf("%v executions for 10 identical subscriptions, want 1", got)
	}
	other, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer other.c.Close()
	other.send(map[string]any{"id": "x", "type": "subscribe",
		"payload": map[string]any{"query": query, "variables": map[string]any{"s": "OTHER"}}})
	waitMetric(t, n, "stockmesh_subscription_executions", 2)

	n.MustGraphQL(t, recordMovement, mv("G1", "SALE", 3))
	var first json.RawMessage
	for i, w := range ws {
		m, err := w.readRaw()
		if err != nil {
			t.Fatalf("subscriber %d: %v", i, err)
		}
		wantType := map[string]string{"graphql-transport-ws": "next", "graphql-ws": "data"}[w.proto]
		if m.Type != wantType || m.ID != fmt.Sprint("id-", i%3) {
			t.Fatalf("subscriber %d (%s) got %s for %q, want %s for id-%d", i, w.proto, m.Type, m.ID, wantType, i%3)
		}
		if first == nil {
			first = m.Payload
		}
		if string(m.Payload) != string(first) {
			t.Fatalf("subscriber %d got %s, subscriber 0 %s", i, m.Payload, first)
		}
	}
	if want := `{"data":{"stockChanged":{"sku":"G1","quantity":7,"delta":-3,"merged":false,"movement":{"kind":"SALE"}}}}`; string(first) != want {
		t.Fatalf("payload %s, want %s", first, want)
	}
	for _, w := range append(ws, other) {
		w.c.Close()
	}
	waitMetric(t, n, "stockmesh_subscriptions_open", 0)
	waitMetric(t, n, "stockmesh_subscription_executions", 0)
}
