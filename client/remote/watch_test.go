package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeNetwork is the data of a node holding its own warehouse MAD-1 and
// the replica BCN-1; VLC-1 joins once a second subscription is open. Each
// new subscription connection adds 4 to every quantity, as if the stock
// changed while the watcher was away, so each snapshot tells which
// connection it followed.
type fakeNetwork struct {
	conns atomic.Int32 // subscription connections accepted

	mu   sync.Mutex
	vars []string // each subscription's variables, as JSON
}

// serveNetwork makes f answer as the node of n.
func serveNetwork(f *fakeNode, n *fakeNetwork) {
	f.answer = func(_ int, r fakeRequest, w http.ResponseWriter) { n.answer(r, w) }
}

// warehouses returns the ids the node holds now, its own first.
func (n *fakeNetwork) warehouses() []string {
	if n.conns.Load() >= 2 {
		return []string{"MAD-1", "BCN-1", "VLC-1"}
	}
	return []string{"MAD-1", "BCN-1"}
}

// stock returns the quantity of each sku in warehouse, and whether the node
// holds that warehouse.
func (n *fakeNetwork) stock(warehouse string) (map[string]int, bool) {
	if !slices.Contains(n.warehouses(), warehouse) {
		return nil, false
	}
	more := 4 * int(max(n.conns.Load()-1, 0))
	base := map[string]map[string]int{
		"MAD-1": {"A1": 5, "B2": 7},
		"BCN-1": {"A1": 3},
		"VLC-1": {"C3": 1},
	}[warehouse]
	out := map[string]int{}
	for sku, q := range base {
		out[sku] = q + more
	}
	return out, true
}

// answer replies to one GraphQL request as the node would.
func (n *fakeNetwork) answer(r fakeRequest, w http.ResponseWriter) {
	wh, _ := r.Variables["warehouse"].(string)
	if wh == "" {
		wh = "MAD-1"
	}
	switch {
	case strings.Contains(r.Query, "localWarehouse"):
		reply(w, 200, `{"data":{"localWarehouse":{"id":"MAD-1","name":"Madrid","local":true}}}`)
	case strings.Contains(r.Query, "warehouses"):
		var ws []string
		for _, id := range n.warehouses() {
			ws = append(ws, fmt.Sprintf(`{"id":%q}`, id))
		}
		reply(w, 200, `{"data":{"warehouses":[`+strings.Join(ws, ",")+`]}}`)
	case strings.Contains(r.Query, "products("):
		n.products(w, wh)
	case strings.Contains(r.Query, "product("):
		n.product(w, wh, r.Variables["sku"].(string))
	default:
		reply(w, 200, `{"errors":[{"message":"unexpected query","extensions":{"code":"INVALID_INPUT"}}]}`)
	}
}

// products answers products(warehouse: wh).
func (n *fakeNetwork) products(w http.ResponseWriter, wh string) {
	stock, ok := n.stock(wh)
	if !ok {
		unknownWarehouseReply(w, wh)
		return
	}
	var edges []string
	for _, sku := range slices.Sorted(maps.Keys(stock)) {
		edges = append(edges, `{"node":`+productJSON(wh, sku, stock[sku])+`}`)
	}
	reply(w, 200, fmt.Sprintf(`{"data":{"products":{"edges":[%s],"pageInfo":{"hasNextPage":false,"endCursor":""},"totalCount":%d}}}`,
		strings.Join(edges, ","), len(edges)))
}

// product answers product(sku: sku, warehouse: wh).
func (n *fakeNetwork) product(w http.ResponseWriter, wh, sku string) {
	stock, ok := n.stock(wh)
	q, found := stock[sku]
	switch {
	case !ok:
		unknownWarehouseReply(w, wh)
	case !found:
		reply(w, 200, `{"data":{"product":null},"errors":[{"message":"product not found","path":["product"],"extensions":{"code":"NOT_FOUND"}}]}`)
	default:
		reply(w, 200, `{"data":{"product":`+productJSON(wh, sku, q)+`}}`)
	}
}

// unknownWarehouseReply is the node's answer about a warehouse it holds
// nothing of.
func unknownWarehouseReply(w http.ResponseWriter, wh string) {
	reply(w, 200, fmt.Sprintf(`{"data":null,"errors":[{"message":"warehouse %s is not known to this node","extensions":{"code":"NOT_FOUND","warehouse":%q}}]}`, wh, wh))
}

// productJSON is a product of warehouse as the node sends it.
func productJSON(warehouse, sku string, qty int) string {
	return fmt.Sprintf(`{"sku":%q,"name":"Bolt","price":"1","quantity":%d,"warehouse":{"id":%q,"name":%q,"local":%t}}`,
		sku, qty, warehouse, warehouse, warehouse == "MAD-1")
}

// subscriptions serves the websocket: it records each subscription's
// variables, and on the first connection sends change then drops, as a
// stopped node would; later connections stay open. A connection counts
// before it is acknowledged, so the snapshot that follows sees its data.
func (n *fakeNetwork) subscriptions(change wsMessage) func(conn *websocket.Conn) {
	return func(conn *websocket.Conn) {
		first := n.conns.Add(1) == 1
		payload, err := acceptSubscription(conn)
		if err != nil {
			return
		}
		vars, _ := json.Marshal(payload["variables"])
		n.mu.Lock()
		n.vars = append(n.vars, string(vars))
		n.mu.Unlock()
		if first {
			conn.WriteJSON(change)
			return
		}
		conn.ReadMessage() // until the client goes
	}
}

// subscribed returns the variables of the subscriptions seen, waiting a
// little for the node's side to read the last of want of them.
func (n *fakeNetwork) subscribed(want int) []string {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n.mu.Lock()
		vars := slices.Clone(n.vars)
		n.mu.Unlock()
		if len(vars) >= want || time.Now().After(deadline) {
			return vars
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWatchScopes follows each kind of scope through a dropped connection:
// the subscription names the warehouse (the local one by its id, none for
// all), every snapshot loads exactly the warehouses watched, and the one
// after reconnecting is exact again — with all, a warehouse that joined
// meanwhile included.
func TestWatchScopes(t *testing.T) {
	cases := []struct {
		name      string
		scope     WatchScope
		vars      string // the subscription's variables
		change    wsMessage
		want      string // the events, described
		snapshots string // the warehouses each snapshot covered
	}{
		{name: "local by default", scope: WatchScope{}, vars: `{"sku":null,"warehouse":"MAD-1"}`,
			change:    nextChangeIn("MAD-1", "A1", 6, 1),
			want:      "[snapshot MAD-1/A1=5,MAD-1/B2=7 change MAD-1/A1=6 reconnecting 1 snapshot MAD-1/A1=9,MAD-1/B2=11]",
			snapshots: "[[MAD-1] [MAD-1]]"},
		{name: "local sku", scope: WatchScope{SKU: "B2"}, vars: `{"sku":"B2","warehouse":"MAD-1"}`,
			change:    nextChangeIn("MAD-1", "B2", 6, -1),
			want:      "[snapshot MAD-1/B2=7 change MAD-1/B2=6 reconnecting 1 snapshot MAD-1/B2=11]",
			snapshots: "[[MAD-1] [MAD-1]]"},
		{name: "a replica", scope: WatchScope{Warehouse: "BCN-1"}, vars: `{"sku":null,"warehouse":"BCN-1"}`,
			change:    nextChangeIn("BCN-1", "A1", 2, -1),
			want:      "[snapshot BCN-1/A1=3 change BCN-1/A1=2 reconnecting 1 snapshot BCN-1/A1=7]",
			snapshots: "[[BCN-1] [BCN-1]]"},
		{name: "a replica without the sku", scope: WatchScope{Warehouse: "BCN-1", SKU: "B2"}, vars: `{"sku":"B2","warehouse":"BCN-1"}`,
			change:    nextChangeIn("BCN-1", "B2", 1, 1),
			want:      "[snapshot  change BCN-1/B2=1 reconnecting 1 snapshot ]",
			snapshots: "[[BCN-1] [BCN-1]]"},
		{name: "all", scope: WatchScope{All: true, Warehouse: "ignored"}, vars: `{"sku":null,"warehouse":null}`,
			change:    nextChangeIn("BCN-1", "A1", 2, -1),
			want:      "[snapshot MAD-1/A1=5,MAD-1/B2=7,BCN-1/A1=3 change BCN-1/A1=2 reconnecting 1 snapshot MAD-1/A1=9,MAD-1/B2=11,BCN-1/A1=7,VLC-1/C3=5]",
			snapshots: "[[MAD-1 BCN-1] [MAD-1 BCN-1 VLC-1]]"},
		{name: "all sku", scope: WatchScope{All: true, SKU: "A1"}, vars: `{"sku":"A1","warehouse":null}`,
			change:    nextChangeIn("MAD-1", "A1", 4, -1),
			want:      "[snapshot MAD-1/A1=5,BCN-1/A1=3 change MAD-1/A1=4 reconnecting 1 snapshot MAD-1/A1=9,BCN-1/A1=7]",
			snapshots: "[[MAD-1 BCN-1] [MAD-1 BCN-1 VLC-1]]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeNode(t)
			n := &fakeNetwork{}
			serveNetwork(f, n)
			f.ws = n.subscriptions(tc.change)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var got []string
			var covered [][]string
			for ev := range f.client(t).Watch(ctx, tc.scope) {
				got = append(got, describe(ev))
				if ev.Kind == WatchSnapshot {
					covered = append(covered, ev.Warehouses)
				}
				if len(got) == 4 {
					cancel()
				}
			}
			if fmt.Sprint(got) != tc.want {
				t.Errorf("events\n%v\nwant\n%s", got, tc.want)
			}
			if fmt.Sprint(covered) != tc.snapshots {
				t.Errorf("snapshots covered %v, want %s", covered, tc.snapshots)
			}
			if vars := n.subscribed(2); len(vars) != 2 || vars[0] != tc.vars || vars[1] != tc.vars {
				t.Errorf("subscription variables %v, want %s on both connections", vars, tc.vars)
			}
		})
	}
}

// TestWatchUnknownWarehouse: a warehouse the node holds nothing of ends the
// watch at once, with the node's error, instead of retrying forever.
func TestWatchUnknownWarehouse(t *testing.T) {
	for _, sku := range []string{"", "A1"} {
		t.Run("sku "+sku, func(t *testing.T) {
			f := newFakeNode(t)
			n := &fakeNetwork{}
			serveNetwork(f, n)
			f.ws = n.subscriptions(wsMessage{Type: "ping"})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var got []WatchEvent
			for ev := range f.client(t).Watch(ctx, WatchScope{Warehouse: "NOPE-1", SKU: sku}) {
				got = append(got, ev)
			}
			if len(got) != 1 || got[0].Kind != WatchFailed || !UnknownWarehouse(got[0].Err) {
				t.Fatalf("events %v, want one WatchFailed for an unknown warehouse", got)
			}
			var e *Error
			if !errors.As(got[0].Err, &e) || e.Warehouse != "NOPE-1" {
				t.Fatalf("err = %v, want one naming NOPE-1", got[0].Err)
			}
			if c := n.conns.Load(); c != 1 {
				t.Fatalf("%d subscription connections, want 1 (no retry)", c)
			}
		})
	}
}

// describe summarises a watch event for comparison.
func describe(ev WatchEvent) string {
	switch ev.Kind {
	case WatchSnapshot:
		var s []string
		for _, p := range ev.Products {
			s = append(s, fmt.Sprintf("%s/%s=%d", p.Warehouse.ID, p.SKU, p.Quantity))
		}
		return "snapshot " + strings.Join(s, ",")
	case WatchChange:
		return fmt.Sprintf("change %s/%s=%d", ev.Change.Warehouse.ID, ev.Change.SKU, ev.Change.Quantity)
	case WatchReconnecting:
		return fmt.Sprintf("reconnecting %d", ev.Attempt)
	}
	return fmt.Sprintf("failed %v", ev.Err)
}
