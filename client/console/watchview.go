package console

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// watchKey names a row of the live screen: a sku in a warehouse. The
// same sku in two warehouses is two rows.
type watchKey struct{ warehouse, sku string }

// watchRow is one product of one warehouse on the live screen.
type watchRow struct {
	watchKey
	name     string
	local    bool // whether the warehouse is the node's own
	quantity int
	// reorderPoint is the product's, 0 while unknown: the row is marked
	// low at or below a non-zero one.
	reorderPoint int
	delta        int
	kind         string
	merged       bool
	changed      bool // whether a change arrived since the last snapshot
	at           time.Time
}

// watchScreen is the state of the live stock screen. It shows a WAREHOUSE
// column only when it follows every warehouse (scope.All). While connected,
// its status counts the rows shown; while not, it says what is happening
// (connecting, or reconnecting with the time to the next attempt and the
// last error) and never that there are no products.
type watchScreen struct {
	p          Printer
	server     string
	scope      remote.WatchScope
	rows       map[watchKey]*watchRow
	last       watchKey // the latest change, highlighted
	status     string   // the status while connected, or once failed
	live       bool     // whether the last snapshot is current
	failed     bool     // whether the watch ended with an error
	warehouses []string // the warehouses of the last snapshot
	retry      remote.WatchEvent
	retryAt    time.Time        // when the next attempt starts
	now        func() time.Time // the clock, time.Now but in tests
}

// newWatchScreen returns an empty screen of scope for server.
func newWatchScreen(p Printer, server string, scope remote.WatchScope) *watchScreen {
	return &watchScreen{p: p, server: server, scope: scope, rows: map[watchKey]*watchRow{}, now: time.Now}
}

// apply updates the screen with one watch event.
func (s *watchScreen) apply(ev remote.WatchEvent) {
	switch ev.Kind {
	case remote.WatchSnapshot:
		s.snapshot(ev.Products)
		s.live, s.warehouses = true, ev.Warehouses
		s.status = s.connected(len(s.rows), s.warehouses)
	case remote.WatchChange:
		n := len(s.rows)
		s.change(ev.Change)
		if s.live && len(s.rows) != n {
			s.status = s.connected(len(s.rows), s.warehouses)
		}
	case remote.WatchReorderPoint:
		s.reorder(watchKey{ev.Point.Warehouse.ID, ev.Point.SKU}, ev.Point.Point)
	case remote.WatchReconnecting:
		s.live, s.retry, s.retryAt = false, ev, s.now().Add(ev.Wait)
	case remote.WatchFailed:
		s.live, s.failed = false, true
		s.status = s.p.T(msgWatchFailed, Sentence(s.p, s.server, ev.Err))
	}
}

// statusLine is the line under the title at now: the connected status,
// else connecting…, else reconnecting with the seconds left to the next
// attempt and the last error.
func (s *watchScreen) statusLine(now time.Time) string {
	switch {
	case s.live, s.failed:
		return s.status
	case s.retry.Attempt == 0:
		return s.p.T(msgWatchConnecting)
	}
	left := s.retryAt.Sub(now)
	if left <= 0 {
		return s.p.T(msgWatchRetrying, s.retry.Attempt, Sentence(s.p, s.server, s.retry.Err))
	}
	left = left.Round(100 * time.Millisecond)
	if left >= time.Second {
		left = left.Round(time.Second)
	}
	return s.p.T(msgWatchReconnectingIn, left, s.retry.Attempt, Sentence(s.p, s.server, s.retry.Err))
}

// connected is the status after a snapshot of n products of warehouses:
// as it always was for the node's own warehouse, naming the warehouse
// watched otherwise.
func (s *watchScreen) connected(n int, warehouses []string) string {
	switch {
	case s.scope.All:
		return s.p.T(msgWatchConnectedAll, n, len(warehouses))
	case s.scope.Warehouse != "":
		return s.p.T(msgWatchConnectedIn, n, s.scope.Warehouse)
	}
	return s.p.T(msgWatchConnected, n)
}

// snapshot replaces the rows with the current products, keeping the last
// change shown for products whose quantity it explains.
func (s *watchScreen) snapshot(ps []remote.Product) {
	rows := make(map[watchKey]*watchRow, len(ps))
	for _, p := range ps {
		k := watchKey{p.Warehouse.ID, p.SKU}
		r := &watchRow{watchKey: k, name: p.Name, local: p.Warehouse.Local, quantity: p.Quantity, reorderPoint: p.ReorderPoint, at: p.UpdatedAt}
		if old, ok := s.rows[k]; ok && old.changed && old.quantity == p.Quantity {
			r.delta, r.kind, r.merged, r.changed, r.at = old.delta, old.kind, old.merged, true, old.at
		}
		rows[k] = r
	}
	s.rows = rows
}

// change applies one stock change to the row of its warehouse and sku; a
// deletion removes the row.
func (s *watchScreen) change(c remote.StockChange) {
	k := watchKey{c.Warehouse.ID, c.SKU}
	if c.Deleted {
		delete(s.rows, k)
		if s.last == k {
			s.last = watchKey{}
		}
		return
	}
	r, ok := s.rows[k]
	if !ok {
		r = &watchRow{watchKey: k, local: c.Warehouse.Local}
		s.rows[k] = r
	}
	r.quantity, r.delta, r.merged, r.changed, r.at = c.Quantity, c.Delta, c.Merged, true, c.At
	r.kind = ""
	if c.Movement != nil {
		r.kind = c.Movement.Kind
	}
	s.last = k
}

// unnamed returns the rows whose product names are not known yet.
func (s *watchScreen) unnamed() []watchKey {
	var out []watchKey
	for k, r := range s.rows {
		if r.name == "" {
			out = append(out, k)
		}
	}
	return out
}

// name records the name of the product of row k.
func (s *watchScreen) name(k watchKey, name string) {
	if r, ok := s.rows[k]; ok {
		r.name = name
	}
}

// reorder records the reorder point of the product of row k.
func (s *watchScreen) reorder(k watchKey, point int) {
	if r, ok := s.rows[k]; ok {
		r.reorderPoint = point
	}
}

// low reports whether r's stock is at or below its product's non-zero
// reorder point.
func (r *watchRow) low() bool { return r.reorderPoint > 0 && r.quantity <= r.reorderPoint }

// render clears the terminal and draws the screen.
func (s *watchScreen) render(out io.Writer, now time.Time) {
	var b strings.Builder
	b.WriteString(ansiHome)
	fmt.Fprintln(&b, style(true, ansiBold, s.p.T(msgWatchTitle, s.server)))
	fmt.Fprintln(&b, s.statusLine(now))
	fmt.Fprintln(&b)
	switch {
	case len(s.rows) == 0 && s.live:
		fmt.Fprintln(&b, s.p.T(msgWatchEmpty))
	case len(s.rows) == 0 && !s.failed:
		fmt.Fprintln(&b, s.p.T(msgWatchWaiting))
	case len(s.rows) > 0:
		s.table(now).write(&b, true)
	}
	io.WriteString(out, b.String())
}

// table builds the rows in sku order, the latest change marked; when
// following every warehouse, a WAREHOUSE column comes first and the rows
// go by warehouse, the node's own first.
func (s *watchScreen) table(now time.Time) *table {
	l := s.p.Lang()
	header := []string{s.p.T(msgColSKU), s.p.T(msgColName), s.p.T(msgColQuantity), s.p.T(msgColLastChange), s.p.T(msgColTime)}
	qtyCol := 2
	if s.scope.All {
		header, qtyCol = append([]string{s.p.T(msgColWarehouse)}, header...), 3
	}
	t := newTable(header...).alignRight(qtyCol)
	for _, r := range s.sorted() {
		change := ""
		if r.changed {
			change = strings.TrimSpace(FormatSigned(l, r.delta) + " " + kindName(s.p, r.kind))
			if r.merged {
				change += " " + s.p.T(msgWatchMerged)
			}
		}
		qty := FormatInt(l, r.quantity)
		if r.low() {
			qty = s.p.T(msgWatchLow) + " " + qty
		}
		cells := []string{r.sku, r.name, qty, change, FormatTime(r.at, now)}
		if s.scope.All {
			cells = append([]string{s.warehouseCell(r)}, cells...)
		}
		i := t.add(cells...)
		t.mark[i] = r.watchKey == s.last
	}
	return t
}

// sorted returns the rows by warehouse, the node's own first, then by sku.
func (s *watchScreen) sorted() []*watchRow {
	rows := slices.Collect(maps.Values(s.rows))
	slices.SortFunc(rows, func(a, b *watchRow) int {
		switch {
		case a.local && !b.local:
			return -1
		case b.local && !a.local:
			return 1
		}
		return cmp.Or(strings.Compare(a.warehouse, b.warehouse), strings.Compare(a.sku, b.sku))
	})
	return rows
}

// warehouseCell names the warehouse of r, the node's own marked.
func (s *watchScreen) warehouseCell(r *watchRow) string {
	if r.local {
		return r.warehouse + " " + s.p.T(msgLocalMark)
	}
	return r.warehouse
}
