package console

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// watchRow is one product on the live screen.
type watchRow struct {
	sku, name string
	quantity  int
	delta     int
	kind      string
	merged    bool
	changed   bool // whether a change arrived since the last snapshot
	at        time.Time
}

// watchScreen is the state of the live stock screen.
type watchScreen struct {
	p      Printer
	server string
	rows   map[string]*watchRow
	last   string // sku of the latest change, highlighted
	status string
}

// newWatchScreen returns an empty screen for server.
func newWatchScreen(p Printer, server string) *watchScreen {
	return &watchScreen{p: p, server: server, rows: map[string]*watchRow{}, status: p.T(msgWatchConnecting)}
}

// apply updates the screen with one watch event.
func (s *watchScreen) apply(ev remote.WatchEvent) {
	switch ev.Kind {
	case remote.WatchSnapshot:
		s.snapshot(ev.Products)
	case remote.WatchChange:
		s.change(ev.Change)
	case remote.WatchReconnecting:
		wait := ev.Wait.Round(100 * time.Millisecond)
		s.status = s.p.T(msgWatchReconnecting, ev.Attempt, wait, Sentence(s.p, s.server, ev.Err))
	case remote.WatchFailed:
		s.status = s.p.T(msgWatchFailed, Sentence(s.p, s.server, ev.Err))
	}
}

// snapshot replaces the rows with the current products, keeping the last
// change shown for products whose quantity it explains.
func (s *watchScreen) snapshot(ps []remote.Product) {
	rows := make(map[string]*watchRow, len(ps))
	for _, p := range ps {
		r := &watchRow{sku: p.SKU, name: p.Name, quantity: p.Quantity, at: p.UpdatedAt}
		if old, ok := s.rows[p.SKU]; ok && old.changed && old.quantity == p.Quantity {
			r.delta, r.kind, r.merged, r.changed, r.at = old.delta, old.kind, old.merged, true, old.at
		}
		rows[p.SKU] = r
	}
	s.rows = rows
	s.status = s.p.T(msgWatchConnected, len(ps))
}

// change applies one stock change.
func (s *watchScreen) change(c remote.StockChange) {
	r, ok := s.rows[c.SKU]
	if !ok {
		r = &watchRow{sku: c.SKU}
		s.rows[c.SKU] = r
	}
	r.quantity, r.delta, r.merged, r.changed, r.at = c.Quantity, c.Delta, c.Merged, true, c.At
	r.kind = ""
	if c.Movement != nil {
		r.kind = c.Movement.Kind
	}
	s.last = c.SKU
}

// unnamed returns the skus whose names are not known yet.
func (s *watchScreen) unnamed() []string {
	var out []string
	for sku, r := range s.rows {
		if r.name == "" {
			out = append(out, sku)
		}
	}
	return out
}

// name records the name of sku.
func (s *watchScreen) name(sku, name string) {
	if r, ok := s.rows[sku]; ok {
		r.name = name
	}
}

// render clears the terminal and draws the screen.
func (s *watchScreen) render(out io.Writer, now time.Time) {
	var b strings.Builder
	b.WriteString(ansiHome)
	fmt.Fprintln(&b, style(true, ansiBold, s.p.T(msgWatchTitle, s.server)))
	fmt.Fprintln(&b, s.status)
	fmt.Fprintln(&b)
	if len(s.rows) == 0 {
		fmt.Fprintln(&b, s.p.T(msgWatchEmpty))
	} else {
		s.table(now).write(&b, true)
	}
	io.WriteString(out, b.String())
}

// table builds the rows in sku order, the latest change marked.
func (s *watchScreen) table(now time.Time) *table {
	l := s.p.Lang()
	t := newTable(s.p.T(msgColSKU), s.p.T(msgColName), s.p.T(msgColQuantity), s.p.T(msgColLastChange), s.p.T(msgColTime)).alignRight(2)
	skus := make([]string, 0, len(s.rows))
	for sku := range s.rows {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	for _, sku := range skus {
		r := s.rows[sku]
		change := ""
		if r.changed {
			change = strings.TrimSpace(FormatSigned(l, r.delta) + " " + kindName(s.p, r.kind))
			if r.merged {
				change += " " + s.p.T(msgWatchMerged)
			}
		}
		i := t.add(r.sku, r.name, FormatInt(l, r.quantity), change, FormatTime(r.at, now))
		t.mark[i] = sku == s.last
	}
	return t
}
