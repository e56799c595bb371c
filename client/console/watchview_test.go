package console

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// Warehouses and events the live screen tests replay.
var (
	watchAt   = time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC)
	madrid    = remote.Warehouse{ID: "MAD-1", Name: "Madrid", Local: true}
	barcelona = remote.Warehouse{ID: "BCN-1", Name: "Barcelona"}
)

// watchProduct is a product of w as a snapshot carries it.
func watchProduct(w remote.Warehouse, sku, name string, qty int) remote.Product {
	return remote.Product{SKU: sku, Name: name, Quantity: qty, Warehouse: w, UpdatedAt: watchAt}
}

// watchSnapshot is a snapshot event of ps covering warehouses.
func watchSnapshot(warehouses []string, ps ...remote.Product) remote.WatchEvent {
	return remote.WatchEvent{Kind: remote.WatchSnapshot, Warehouses: warehouses, Products: ps}
}

// watchChange is a change event of sku in w to qty by a movement of kind.
func watchChange(w remote.Warehouse, sku string, qty, delta int, kind string) remote.WatchEvent {
	return remote.WatchEvent{Kind: remote.WatchChange, Change: remote.StockChange{
		Warehouse: w, SKU: sku, Quantity: qty, Delta: delta, At: watchAt, Movement: &remote.Movement{Kind: kind},
	}}
}

// watchDeletion is the deletion event of sku in w.
func watchDeletion(w remote.Warehouse, sku string) remote.WatchEvent {
	return remote.WatchEvent{Kind: remote.WatchChange, Change: remote.StockChange{
		Warehouse: w, SKU: sku, Deleted: true, At: watchAt,
	}}
}

// TestWatchScreen replays events on the live screen and checks its status
// and rows in both languages: with every warehouse, the same sku in two
// warehouses keeps two rows under a WAREHOUSE column; following the node's
// own warehouse (the default), the screen is the one it always was and
// shows every change of that warehouse, new products included.
func TestWatchScreen(t *testing.T) {
	when := FormatTime(watchAt, watchAt)
	both := []string{"MAD-1", "BCN-1"}
	network := []remote.WatchEvent{
		watchSnapshot(both, watchProduct(madrid, "A1", "Bolt", 10), watchProduct(madrid, "B2", "Nut", 7), watchProduct(barcelona, "A1", "Bolt", 3)),
		watchChange(barcelona, "A1", 5, 2, api.KindPurchase),
		watchChange(madrid, "A1", 9, -1, api.KindSale),
	}
	local := []remote.WatchEvent{
		watchSnapshot([]string{"MAD-1"}, watchProduct(madrid, "A1", "Bolt", 10), watchProduct(madrid, "B2", "Nut", 7)),
		watchChange(madrid, "A1", 9, -1, api.KindSale),
		watchChange(madrid, "C3", 4, 4, api.KindPurchase), // created after the snapshot
	}
	cases := []struct {
		name    string
		lang    Lang
		scope   remote.WatchScope
		events  []remote.WatchEvent
		status  string
		rows    []string // header then rows, spaces collapsed; "> " marks the latest change
		unnamed string
	}{
		{name: "all en", lang: English, scope: remote.WatchScope{All: true}, events: network,
			status: "connected, 3 products in 2 warehouses",
			rows: []string{"WAREHOUSE SKU NAME QUANTITY LAST CHANGE TIME",
				"> MAD-1 (this node) A1 Bolt 9 -1 sale " + when,
				"MAD-1 (this node) B2 Nut 7 " + when,
				"BCN-1 A1 Bolt 5 +2 purchase " + when},
			unnamed: "[]"},
		{name: "all es", lang: Spanish, scope: remote.WatchScope{All: true}, events: network,
			status: "conectado, 3 productos en 2 almacenes",
			rows: []string{"ALMACÉN SKU NOMBRE CANTIDAD ÚLTIMO CAMBIO HORA",
				"> MAD-1 (este nodo) A1 Bolt 9 -1 venta " + when,
				"MAD-1 (este nodo) B2 Nut 7 " + when,
				"BCN-1 A1 Bolt 5 +2 compra " + when},
			unnamed: "[]"},
		{name: "local en", lang: English, events: local,
			status: "connected, 3 products",
			rows: []string{"SKU NAME QUANTITY LAST CHANGE TIME",
				"A1 Bolt 9 -1 sale " + when,
				"B2 Nut 7 " + when,
				"> C3 4 +4 purchase " + when},
			unnamed: "[{MAD-1 C3}]"},
		{name: "local es", lang: Spanish, events: local,
			status: "conectado, 3 productos",
			rows: []string{"SKU NOMBRE CANTIDAD ÚLTIMO CAMBIO HORA",
				"A1 Bolt 9 -1 venta " + when,
				"B2 Nut 7 " + when,
				"> C3 4 +4 compra " + when},
			unnamed: "[{MAD-1 C3}]"},
		{name: "one warehouse en", lang: English, scope: remote.WatchScope{Warehouse: "BCN-1"},
			events:  []remote.WatchEvent{watchSnapshot([]string{"BCN-1"}, watchProduct(barcelona, "A1", "Bolt", 3))},
			status:  "connected, 1 products of warehouse BCN-1",
			rows:    []string{"SKU NAME QUANTITY LAST CHANGE TIME", "A1 Bolt 3 " + when},
			unnamed: "[]"},
		{name: "one warehouse es", lang: Spanish, scope: remote.WatchScope{Warehouse: "BCN-1"},
			events:  []remote.WatchEvent{watchSnapshot([]string{"BCN-1"}, watchProduct(barcelona, "A1", "Bolt", 3))},
			status:  "conectado, 1 productos del almacén BCN-1",
			rows:    []string{"SKU NOMBRE CANTIDAD ÚLTIMO CAMBIO HORA", "A1 Bolt 3 " + when},
			unnamed: "[]"},
		{name: "deleted", lang: English, scope: remote.WatchScope{All: true},
			// The ADJUSTMENT to zero, then the deletion, removes the row
			// and the header counts one product fewer.
			events: append(slices.Clone(network), watchChange(madrid, "A1", 0, -9, api.KindAdjustment),
				watchDeletion(madrid, "A1")),
			status: "connected, 2 products in 2 warehouses",
			rows: []string{"WAREHOUSE SKU NAME QUANTITY LAST CHANGE TIME",
				"MAD-1 (this node) B2 Nut 7 " + when,
				"BCN-1 A1 Bolt 5 +2 purchase " + when},
			unnamed: "[]"},
		{name: "deleted while reconnecting", lang: English, scope: remote.WatchScope{All: true},
			events: append(slices.Clone(network), remote.WatchEvent{Kind: remote.WatchReconnecting, Attempt: 1},
				watchDeletion(barcelona, "A1")),
			status: "reconnecting… trying now (attempt 1); last error: Error: <nil>", // not overwritten by the deletion
			rows: []string{"WAREHOUSE SKU NAME QUANTITY LAST CHANGE TIME",
				"> MAD-1 (this node) A1 Bolt 9 -1 sale " + when,
				"MAD-1 (this node) B2 Nut 7 " + when},
			unnamed: "[]"},
		{name: "reconnected", lang: English, scope: remote.WatchScope{All: true},
			// After a reconnection the snapshot keeps the change that
			// explains a quantity, in that row only.
			events: append(slices.Clone(network[:2]), watchSnapshot(both,
				watchProduct(madrid, "A1", "Bolt", 10), watchProduct(barcelona, "A1", "Bolt", 5))),
			status: "connected, 2 products in 2 warehouses",
			rows: []string{"WAREHOUSE SKU NAME QUANTITY LAST CHANGE TIME",
				"MAD-1 (this node) A1 Bolt 10 " + when,
				"> BCN-1 A1 Bolt 5 +2 purchase " + when},
			unnamed: "[]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newWatchScreen(NewPrinter(c.lang), "https://node:8443", c.scope)
			for _, ev := range c.events {
				s.apply(ev)
			}
			if got := s.statusLine(s.now()); got != c.status {
				t.Errorf("status %q, want %q", got, c.status)
			}
			if got := screenRows(s.table(watchAt)); strings.Join(got, "\n") != strings.Join(c.rows, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.rows, "\n"))
			}
			if got := fmt.Sprint(s.unnamed()); got != c.unnamed {
				t.Errorf("unnamed %s, want %s", got, c.unnamed)
			}
		})
	}
}

// screenRows returns t's header and rows with spaces collapsed, marked
// rows prefixed with "> ".
func screenRows(t *table) []string {
	out := []string{strings.Join(t.header, " ")}
	for i, row := range t.rows {
		line := strings.Join(strings.Fields(strings.Join(row, " ")), " ")
		if t.mark[i] {
			line = "> " + line
		}
		out = append(out, line)
	}
	return out
}

// TestWatchScope checks how --warehouse chooses what watch follows.
func TestWatchScope(t *testing.T) {
	cases := []struct {
		name, warehouse string
		want            remote.WatchScope
	}{
		{"default", "", remote.WatchScope{SKU: "A1"}},
		{"one", " BCN-1 ", remote.WatchScope{SKU: "A1", Warehouse: "BCN-1"}},
		{"all", "all", remote.WatchScope{SKU: "A1", All: true}},
		{"ALL", "ALL", remote.WatchScope{SKU: "A1", All: true}},
		{"todos", "todos", remote.WatchScope{SKU: "A1", All: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := watchScope("A1", c.warehouse); got != c.want {
				t.Errorf("watchScope(%q) = %+v, want %+v", c.warehouse, got, c.want)
			}
		})
	}
}

// TestWatchJSON checks that --json events carry their warehouses.
func TestWatchJSON(t *testing.T) {
	cases := []struct {
		name string
		ev   remote.WatchEvent
		want string // a fragment of the JSON line
	}{
		{"snapshot", watchSnapshot([]string{"MAD-1", "BCN-1"}, watchProduct(barcelona, "A1", "Bolt", 3)),
			`"products":[{"sku":"A1","name":"Bolt","description":"","price":"","quantity":3,"reorderPoint":0,"belowReorderPoint":false,"warehouse":{"id":"BCN-1"`},
		{"snapshot warehouses", watchSnapshot([]string{"MAD-1", "BCN-1"}), `"type":"snapshot","warehouses":["MAD-1","BCN-1"]`},
		{"empty snapshot", watchSnapshot(nil), `{"products":[],"type":"snapshot","warehouses":[]}`},
		{"change", watchChange(barcelona, "A1", 5, 2, api.KindPurchase), `"type":"change","warehouse":"BCN-1"`},
		{"change itself", watchChange(barcelona, "A1", 5, 2, api.KindPurchase), `"change":{"warehouse":{"id":"BCN-1"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := json.Marshal(watchJSON(c.ev))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), c.want) {
				t.Errorf("%s\nlacks %s", b, c.want)
			}
		})
	}
}

// TestWatchScreenNotConnected: while connecting, and while reconnecting to
// a node that is down, the screen says so (with the time to the next
// attempt and the last error) instead of "No products yet.", which only a
// node that answered may earn.
func TestWatchScreenNotConnected(t *testing.T) {
	down := &remote.Error{Code: api.CodeUnavailable, Message: "down"}
	retry := remote.WatchEvent{Kind: remote.WatchReconnecting, Attempt: 2, Wait: 3 * time.Second, Err: down}
	cases := []struct {
		name   string
		lang   Lang
		events []remote.WatchEvent
		after  time.Duration // since the last event
		want   []string
		not    []string
	}{
		{name: "connecting", lang: English, want: []string{"connecting…", "Nothing to show until the node answers."}, not: []string{"No products"}},
		{name: "reconnecting", lang: English, events: []remote.WatchEvent{retry}, after: time.Second,
			want: []string{"reconnecting… next attempt in 2s (attempt 2); last error: The node at https://node:8443 is unreachable; is it running?",
				"Nothing to show until the node answers."}, not: []string{"No products"}},
		{name: "retrying", lang: English, events: []remote.WatchEvent{retry}, after: 4 * time.Second,
			want: []string{"reconnecting… trying now (attempt 2); last error: The node at"}},
		{name: "reconnecting es", lang: Spanish, events: []remote.WatchEvent{retry}, after: time.Second,
			want: []string{"reconectando… siguiente intento en 2s (intento 2); último error: No se puede contactar", "Nada que mostrar hasta que el nodo responda."},
			not:  []string{"Todavía no hay productos"}},
		{name: "connected and empty", lang: English, events: []remote.WatchEvent{retry, watchSnapshot([]string{"MAD-1"})},
			want: []string{"connected, 0 products", "No products yet."}, not: []string{"reconnecting", "Nothing to show"}},
		{name: "reconnecting keeps the rows", lang: English, events: []remote.WatchEvent{
			watchSnapshot([]string{"MAD-1"}, watchProduct(madrid, "A1", "Bolt", 10)), retry}, after: time.Second,
			want: []string{"reconnecting… next attempt in 2s", "A1"}, not: []string{"Nothing to show"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newWatchScreen(NewPrinter(c.lang), "https://node:8443", remote.WatchScope{})
			s.now = func() time.Time { return watchAt }
			for _, ev := range c.events {
				s.apply(ev)
			}
			var out strings.Builder
			s.render(&out, watchAt.Add(c.after))
			for _, w := range c.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("screen lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range c.not {
				if strings.Contains(out.String(), w) {
					t.Errorf("screen shows %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestWatchMarksLowStock: a row at or below its product's reorder point
// reads LOW (BAJO) before its quantity, and loses the mark when a change
// takes it back above; a product without a reorder point is never marked.
func TestWatchMarksLowStock(t *testing.T) {
	low := watchProduct(madrid, "A1", "Bolt", 3)
	low.ReorderPoint = 5
	for _, c := range []struct {
		lang Lang
		mark string
	}{{English, "LOW 3"}, {Spanish, "BAJO 3"}} {
		s := newWatchScreen(NewPrinter(c.lang), "https://n", remote.WatchScope{})
		s.apply(watchSnapshot([]string{"MAD-1"}, low, watchProduct(madrid, "B2", "Nut", 0)))
		var b strings.Builder
		s.table(watchAt).write(&b, false)
		if !strings.Contains(b.String(), c.mark) || strings.Count(b.String(), strings.Fields(c.mark)[0]) != 1 {
			t.Errorf("%v: screen lacks %q once:\n%s", c.lang, c.mark, b.String())
		}
		s.apply(watchChange(madrid, "A1", 6, 3, api.KindPurchase))
		b.Reset()
		s.table(watchAt).write(&b, false)
		if strings.Contains(b.String(), strings.Fields(c.mark)[0]) {
			t.Errorf("%v: still marked after recovering:\n%s", c.lang, b.String())
		}
	}
}
