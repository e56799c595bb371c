package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/stockmesh/stockmesh/internal/api"
)

// acceptSubscription plays the node's side of connection_init and subscribe,
// and returns the subscribe payload.
func acceptSubscription(conn *websocket.Conn) (map[string]any, error) {
	var init wsMessage
	if err := conn.ReadJSON(&init); err != nil {
		return nil, err
	}
	var p map[string]string
	_ = json.Unmarshal(init.Payload, &p)
	if init.Type != "connection_init" || p["Authorization"] != "Bearer secret" {
		conn.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4403, "Forbidden"))
		return nil, fmt.Errorf("bad init %+v", init)
	}
	if err := conn.WriteJSON(wsMessage{Type: "connection_ack"}); err != nil {
		return nil, err
	}
	var payload map[string]any
	for range 2 { // stockChanged (id 1), then lowStockAlert (id 2)
		var sub wsMessage
		if err := conn.ReadJSON(&sub); err != nil {
			return nil, err
		}
		if sub.Type != "subscribe" {
			return nil, fmt.Errorf("got %+v, want a subscribe message", sub)
		}
		if sub.ID == changesID {
			if err := json.Unmarshal(sub.Payload, &payload); err != nil {
				return nil, err
			}
		}
	}
	return payload, nil
}

// nextPoint is a lowStockAlert "next" message: sku's reorder point in
// warehouse is point.
func nextPoint(warehouse, sku string, point int) wsMessage {
	return wsMessage{ID: pointsID, Type: "next", Payload: json.RawMessage(fmt.Sprintf(
		`{"data":{"lowStockAlert":{"warehouse":{"id":%q,"name":%q,"local":false},"sku":%q,"reorderPoint":%d}}}`, warehouse, warehouse, sku, point))}
}

// nextChangeIn is a "next" message carrying a change of sku to qty in
// warehouse, which is local when it is MAD-1.
func nextChangeIn(warehouse, sku string, qty, delta int) wsMessage {
	return wsMessage{ID: "1", Type: "next", Payload: json.RawMessage(fmt.Sprintf(
		`{"data":{"stockChanged":{"warehouse":{"id":%q,"name":%q,"local":%t},"sku":%q,"quantity":%d,"delta":%d,"merged":false,
		"movement":{"id":"%s:1","sku":%q,"kind":"SALE","quantity":%d,"balance":%d,"createdAt":"2026-11-23T10:15:00Z"},"at":"2026-11-23T10:15:00Z"}}}`,
		warehouse, warehouse, warehouse == "MAD-1", sku, qty, delta, warehouse, sku, delta, qty))}
}

func TestSubscribe(t *testing.T) {
	f := newFakeNode(t)
	var sawPong, sawSKU atomic.Bool
	f.ws = func(conn *websocket.Conn) {
		payload, err := acceptSubscription(conn)
		if err != nil {
			return
		}
		q, _ := payload["query"].(string)
		vars, _ := payload["variables"].(map[string]any)
		sawSKU.Store(strings.Contains(q, "stockChanged(warehouse: $warehouse, sku: $sku)") && vars["sku"] == "A1" && vars["warehouse"] == "BCN-1")
		conn.WriteJSON(wsMessage{Type: "ping"})
		var pong wsMessage
		if conn.ReadJSON(&pong) == nil && pong.Type == "pong" {
			sawPong.Store(true)
		}
		conn.WriteJSON(nextChangeIn("BCN-1", "A1", 7, -3))
		conn.WriteJSON(nextPoint("BCN-1", "B2", 4)) // another sku's: not delivered
		conn.WriteJSON(nextPoint("BCN-1", "A1", 30))
		conn.WriteJSON(wsMessage{ID: pointsID, Type: "error", Payload: json.RawMessage(`[{"message":"no"}]`)}) // stops points only
		conn.WriteJSON(nextChangeIn("BCN-1", "A1", 6, -1))
		conn.WriteJSON(wsMessage{ID: "1", Type: "complete"})
		conn.ReadMessage() // until the client goes
	}
	f.answer = func(_ int, _ fakeRequest, w http.ResponseWriter) { reply(w, 200, `{"data":{"warehouses":[]}}`) }
	c := f.client(t)
	if _, err := c.Warehouses(context.Background()); err != nil { // an HTTP/2 request first, sharing TLS settings
		t.Fatal(err)
	}
	s, err := c.Subscribe(context.Background(), "BCN-1", "A1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int
	var points []ReorderPointChange
	for c, p := s.C, s.Points; c != nil || p != nil; {
		select {
		case ch, ok := <-c:
			if !ok {
				c = nil
				continue
			}
			got = append(got, ch.Quantity)
			if ch.Movement == nil || ch.Movement.Kind != api.KindSale {
				t.Errorf("change %+v lacks its movement", ch)
			}
		case pt, ok := <-p:
			if !ok {
				p = nil
				continue
			}
			points = append(points, pt)
		}
	}
	if len(points) != 1 || points[0].SKU != "A1" || points[0].Point != 30 || points[0].Warehouse.ID != "BCN-1" {
		t.Errorf("reorder points %+v, want A1's 30 in BCN-1 alone", points)
	}
	if fmt.Sprint(got) != "[7 6]" || !errors.Is(s.Err(), ErrSubscriptionEnded) {
		t.Fatalf("changes %v, err %v; want [7 6] and ErrSubscriptionEnded", got, s.Err())
	}
	if !sawPong.Load() || !sawSKU.Load() {
		t.Fatalf("node saw pong %v, warehouse and sku variables %v", sawPong.Load(), sawSKU.Load())
	}
}

func TestSubscribeRefusedToken(t *testing.T) {
	f := newFakeNode(t)
	f.ws = func(conn *websocket.Conn) { acceptSubscription(conn) }
	c, err := NewClient(Config{ServerURL: f.srv.URL, Token: "wrong", CAFile: f.caFile})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Subscribe(context.Background(), "", "")
	if Code(err) != api.CodeForbidden || !permanent(err) {
		t.Fatalf("err = %v (code %q), want a permanent FORBIDDEN", err, Code(err))
	}
}

func TestSubscriptionsDoNotLeakGoroutines(t *testing.T) {
	f := newFakeNode(t)
	f.ws = func(conn *websocket.Conn) {
		if _, err := acceptSubscription(conn); err == nil {
			conn.ReadMessage() // until the client goes
		}
	}
	c := f.client(t)
	before := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		s, err := c.Subscribe(context.Background(), "", "")
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := c.Watch(ctx, WatchScope{All: true})
	cancel()
	for range events {
	}
	deadline := time.Now().Add(30 * time.Second)
	for runtime.NumGoroutine() > before+3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after closing every subscription, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
