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
	var sub wsMessage
	if err := conn.ReadJSON(&sub); err != nil {
		return nil, err
	}
	var payload map[string]any
	err := json.Unmarshal(sub.Payload, &payload)
	return payload, err
}

// nextChange is a "next" message carrying a change of sku to qty.
func nextChange(sku string, qty, delta int) wsMessage {
	return wsMessage{ID: "1", Type: "next", Payload: json.RawMessage(fmt.Sprintf(
		`{"data":{"stockChanged":{"warehouse":{"id":"MAD","name":"Madrid","local":true},"sku":%q,"quantity":%d,"delta":%d,"merged":false,
		"movement":{"id":"MAD:1","sku":%q,"kind":"SALE","quantity":%d,"balance":%d,"createdAt":"2026-11-23T10:15:00Z"},"at":"2026-11-23T10:15:00Z"}}}`,
		sku, qty, delta, sku, delta, qty))}
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
		sawSKU.Store(strings.Contains(q, "stockChanged(sku: $sku)") && vars["sku"] == "A1")
		conn.WriteJSON(wsMessage{Type: "ping"})
		var pong wsMessage
		if conn.ReadJSON(&pong) == nil && pong.Type == "pong" {
			sawPong.Store(true)
		}
		conn.WriteJSON(nextChange("A1", 7, -3))
		conn.WriteJSON(nextChange("A1", 6, -1))
		conn.WriteJSON(wsMessage{ID: "1", Type: "complete"})
		conn.ReadMessage() // until the client goes
	}
	f.answer = func(_ int, _ fakeRequest, w http.ResponseWriter) { reply(w, 200, `{"data":{"warehouses":[]}}`) }
	c := f.client(t)
	if _, err := c.Warehouses(context.Background()); err != nil { // an HTTP/2 request first, sharing TLS settings
		t.Fatal(err)
	}
	s, err := c.Subscribe(context.Background(), "A1")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int
	for ch := range s.C {
		got = append(got, ch.Quantity)
		if ch.Movement == nil || ch.Movement.Kind != KindSale {
			t.Errorf("change %+v lacks its movement", ch)
		}
	}
	if fmt.Sprint(got) != "[7 6]" || !errors.Is(s.Err(), ErrSubscriptionEnded) {
		t.Fatalf("changes %v, err %v; want [7 6] and ErrSubscriptionEnded", got, s.Err())
	}
	if !sawPong.Load() || !sawSKU.Load() {
		t.Fatalf("node saw pong %v, sku variable %v", sawPong.Load(), sawSKU.Load())
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
	_, err = c.Subscribe(context.Background(), "")
	if Code(err) != CodeForbidden || !permanent(err) {
		t.Fatalf("err = %v (code %q), want a permanent FORBIDDEN", err, Code(err))
	}
}

func TestWatchReconnectsAndReloads(t *testing.T) {
	f := newFakeNode(t)
	var conns atomic.Int32
	f.answer = func(n int, _ fakeRequest, w http.ResponseWriter) {
		qty := 5
		if n > 1 {
			qty = 9 // changed while the watcher was away
		}
		reply(w, 200, fmt.Sprintf(`{"data":{"products":{"edges":[{"node":{"sku":"A1","name":"Bolt","price":"1","quantity":%d}}],
			"pageInfo":{"hasNextPage":false,"endCursor":"x"},"totalCount":1}}}`, qty))
	}
	f.ws = func(conn *websocket.Conn) {
		if _, err := acceptSubscription(conn); err != nil {
			return
		}
		if conns.Add(1) == 1 {
			conn.WriteJSON(nextChange("A1", 7, 2))
			return // drop the connection, as a stopped node would
		}
		conn.ReadMessage()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var got []string
	for ev := range f.client(t).Watch(ctx, "") {
		got = append(got, describe(ev))
		if len(got) == 4 {
			cancel()
		}
	}
	want := "[snapshot A1=5 change A1=7 reconnecting 1 snapshot A1=9]"
	if fmt.Sprint(got) != want {
		t.Fatalf("events %v, want %s", got, want)
	}
}

// describe summarises a watch event for comparison.
func describe(ev WatchEvent) string {
	switch ev.Kind {
	case WatchSnapshot:
		var s []string
		for _, p := range ev.Products {
			s = append(s, fmt.Sprintf("%s=%d", p.SKU, p.Quantity))
		}
		return "snapshot " + strings.Join(s, ",")
	case WatchChange:
		return fmt.Sprintf("change %s=%d", ev.Change.SKU, ev.Change.Quantity)
	case WatchReconnecting:
		return fmt.Sprintf("reconnecting %d", ev.Attempt)
	}
	return fmt.Sprintf("failed %v", ev.Err)
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
		s, err := c.Subscribe(context.Background(), "")
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	ctx, cancel := context.WithCancel(context.Background())
	events := c.Watch(ctx, "")
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
