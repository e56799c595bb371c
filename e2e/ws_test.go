package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// wsConn is a GraphQL websocket client for tests.
type wsConn struct {
	t     testing.TB
	c     *websocket.Conn
	proto string
}

// dialWS opens /graphql with subprotocol proto and sends connection_init
// with token; it returns the connection and the handshake's answer.
func dialWS(t testing.TB, n *testnode.Node, proto, token string) (*wsConn, error) {
	t.Helper()
	d := websocket.Dialer{TLSClientConfig: n.TLSConfig(), Subprotocols: []string{proto}, HandshakeTimeout: 10 * time.Second}
	c, _, err := d.Dial("wss://"+n.Addr+"/graphql", nil)
	if err != nil {
		return nil, err
	}
	w := &wsConn{t: t, c: c, proto: proto}
	w.send(map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}})
	for {
		msg, err := w.read()
		if err != nil {
			c.Close()
			return nil, err
		}
		switch msg["type"] {
		case "connection_ack":
			return w, nil
		case "ka", "ping":
			continue
		default:
			c.Close()
			return nil, fmt.Errorf("handshake answered %v", msg)
		}
	}
}

func (w *wsConn) send(v any) {
	w.t.Helper()
	if err := w.c.WriteJSON(v); err != nil {
		w.t.Fatalf("websocket write: %v", err)
	}
}

func (w *wsConn) read() (map[string]any, error) {
	_ = w.c.SetReadDeadline(time.Now().Add(30 * time.Second))
	var m map[string]any
	err := w.c.ReadJSON(&m)
	return m, err
}

// subscribe starts operation id with query.
func (w *wsConn) subscribe(id, query string) {
	typ := "subscribe"
	if w.proto == "graphql-ws" {
		typ = "start"
	}
	w.send(map[string]any{"id": id, "type": typ, "payload": map[string]any{"query": query}})
}

// next returns the data of the next result, skipping keepalives.
func (w *wsConn) next() map[string]any {
	w.t.Helper()
	for {
		m, err := w.read()
		if err != nil {
			w.t.Fatalf("waiting for a subscription result: %v", err)
		}
		switch m["type"] {
		case "next", "data":
			p, _ := m["payload"].(map[string]any)
			if errs, ok := p["errors"]; ok {
				w.t.Fatalf("subscription error: %v", errs)
			}
			d, _ := p["data"].(map[string]any)
			return d
		case "ping":
			if w.proto == "graphql-transport-ws" {
				w.send(map[string]any{"type": "pong"}) // as a client must, or the node ends the session
			}
		case "ka", "pong":
		default:
			w.t.Fatalf("unexpected message %v", m)
		}
	}
}

// TestSubscriptions: committed changes reach subscribers over both
// subprotocols, filtered by sku, with the movement that made them.
func TestSubscriptions(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "W1", 10)
	mustCreate(t, n, "W2", 10)
	for _, proto := range []string{"graphql-transport-ws", "graphql-ws"} {
		t.Run(proto, func(t *testing.T) {
			w, err := dialWS(t, n, proto, n.Token)
			if err != nil {
				t.Fatal(err)
			}
			defer w.c.Close()
			w.subscribe("1", `subscription { stockChanged(sku: "W1") { warehouse { id } sku quantity delta merged movement { id kind reference } at } }`)
			w.subscribe("2", `subscription { movementRecorded(warehouse: "MAD-1") { sku kind quantity balance } }`)
			waitMetric(t, n, "stockmesh_subscriptions_open", 2)   // both registered before the writes below
			n.MustGraphQL(t, recordMovement, mv("W2", "SALE", 1)) // filtered out of 1, seen by 2
			var out struct{ RecordMovement ledgerMovement }
			decode(t, n.MustGraphQL(t, recordMovement, map[string]any{"in": map[string]any{
				"sku": "W1", "kind": "SALE", "quantity": 2, "reference": "ORD-9"}}), &out)
			got := map[string][]map[string]any{}
			for len(got["stockChanged"]) < 1 || len(got["movementRecorded"]) < 2 {
				for k, v := range w.next() {
					got[k] = append(got[k], v.(map[string]any))
				}
			}
			sc := got["stockChanged"][0]
			mvmt, _ := sc["movement"].(map[string]any)
			if sc["sku"] != "W1" || sc["delta"] != -2.0 || sc["merged"] != false || mvmt["id"] != out.RecordMovement.ID ||
				mvmt["reference"] != "ORD-9" || sc["warehouse"].(map[string]any)["id"] != "MAD-1" {
				t.Fatalf("stockChanged event %v, want W1 -2 from movement %s", sc, out.RecordMovement.ID)
			}
			if first := got["movementRecorded"][0]; first["sku"] != "W2" || first["quantity"] != -1.0 {
				t.Fatalf("first movementRecorded %v, want the W2 sale", first)
			}
		})
	}
	// Quantities continue from each other across the two runs.
	if q := quantity(t, n, "W1"); q != 6 {
		t.Fatalf("W1 stock %d, want 6", q)
	}
}

// TestSubscriptionAuth: a missing or bad token closes the socket with the
// protocol's unauthorized code.
func TestSubscriptionAuth(t *testing.T) {
	n := testnode.Start(t)
	for _, token := range []string{"", "smk_wrong"} {
		_, err := dialWS(t, n, "graphql-transport-ws", token)
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4401 {
			t.Fatalf("token %q: got %v, want close 4401", token, err)
		}
	}
}

// TestSubscriptionCyclesLeaveNothing: 1,000 connect, subscribe, disconnect
// cycles leave no goroutines or subscriptions behind in the node.
func TestSubscriptionCyclesLeaveNothing(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "C1", 1)
	base := metric(t, n, "go_goroutines")
	for i := range 1000 {
		w, err := dialWS(t, n, "graphql-transport-ws", n.Token)
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		w.subscribe("1", `subscription { stockChanged(sku: "C1") { quantity } }`)
		w.c.Close()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		g, open := metric(t, n, "go_goroutines"), metric(t, n, "stockmesh_subscriptions_open")
		if g <= base+10 && open == 0 {
			t.Logf("goroutines %v after 1000 cycles (baseline %v)", g, base)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 1000 cycles: %v goroutines (baseline %v), %v subscriptions open", g, base, open)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// metric reads one unlabelled value from /metrics.
func metric(t testing.TB, n *testnode.Node, name string) float64 {
	t.Helper()
	// A node under a test's load may answer a scrape 429 or 503 for a
	// moment: scrape again rather than read an error page.
	code, _, body := request(t, n, "GET", "/metrics", n.Token, nil, "")
	for deadline := time.Now().Add(20 * time.Second); code != http.StatusOK && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
		code, _, body = request(t, n, "GET", "/metrics", n.Token, nil, "")
	}
	if code != http.StatusOK {
		t.Fatalf("GET /metrics: %d %.200s", code, body)
	}
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", name, err)
			}
			return v
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

// waitMetric polls until metric name reads want.
func waitMetric(t testing.TB, n *testnode.Node, name string, want float64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for got := metric(t, n, name); got != want; got = metric(t, n, name) {
		if time.Now().After(deadline) {
			t.Fatalf("%s is %v, want %v", name, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestSubscriptionsCarryActorAndNote: a movement reads the same on both
// subscriptions as in the movements query, its actor and note included.
func TestSubscriptionsCarryActorAndNote(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "N1", 10)
	w, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer w.c.Close()
	const fields = `id kind quantity balance reference note actor`
	w.subscribe("1", `subscription { stockChanged(sku: "N1") { movement { `+fields+` } } }`)
	w.subscribe("2", `subscription { movementRecorded(sku: "N1") { `+fields+` } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 2)
	n.MustGraphQL(t, recordMovement, map[string]any{"in": map[string]any{
		"sku": "N1", "kind": "SALE", "quantity": 2, "reference": "ORD-7", "note": "counter sale"}})
	var q struct {
		Movements struct {
			Edges []struct{ Node map[string]any }
		}
	}
	decode(t, n.MustGraphQL(t, `{ movements(filter: {sku: "N1"}, first: 1) { edges { node { `+fields+` } } } }`, nil), &q)
	if len(q.Movements.Edges) != 1 {
		t.Fatalf("movements returned %d edges, want 1", len(q.Movements.Edges))
	}
	want := q.Movements.Edges[0].Node
	if want["actor"] != "admin" || want["note"] != "counter sale" {
		t.Fatalf("movements query returned %v, want actor admin and the note", want)
	}
	got := map[string]map[string]any{}
	for len(got) < 2 {
		for k, v := range w.next() {
			got[k] = v.(map[string]any)
		}
	}
	events := map[string]any{"stockChanged": got["stockChanged"]["movement"], "movementRecorded": got["movementRecorded"]}
	for name, ev := range events {
		if fmt.Sprint(ev) != fmt.Sprint(want) {
			t.Errorf("%s carried %v, movements returned %v", name, ev, want)
		}
	}
}

// TestSubscriptionsSeeDeletions: deleting a product with stock sends its
// ADJUSTMENT to zero and then a deleted change with no movement.
func TestSubscriptionsSeeDeletions(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "D1", 4)
	w, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer w.c.Close()
	w.subscribe("1", `subscription { stockChanged(sku: "D1") { sku quantity delta deleted movement { kind } } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 1)
	n.MustGraphQL(t, `mutation { deleteProduct(sku: "D1") { sku } }`, nil)
	adj, del := w.next()["stockChanged"].(map[string]any), w.next()["stockChanged"].(map[string]any)
	if adj["quantity"] != 0.0 || adj["delta"] != -4.0 || adj["deleted"] != false || adj["movement"].(map[string]any)["kind"] != "ADJUSTMENT" {
		t.Errorf("first event %v, want the ADJUSTMENT to zero", adj)
	}
	if del["sku"] != "D1" || del["quantity"] != 0.0 || del["deleted"] != true || del["movement"] != nil {
		t.Errorf("second event %v, want the deletion", del)
	}
}

// waitUntil waits until cond holds, failing the test after 60 s: how the
// tests wait for what a node does, never for a while.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 60 s", what)
		}
	}
}
