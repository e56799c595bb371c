package console

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// kindName returns a movement kind in p's language.
func kindName(p Printer, kind string) string {
	switch kind {
	case api.KindPurchase:
		return p.T(msgKindPurchase)
	case api.KindSale:
		return p.T(msgKindSale)
	case api.KindReturn:
		return p.T(msgKindReturn)
	case api.KindAdjustment:
		return p.T(msgKindAdjustment)
	case api.KindTransferOut:
		return p.T(msgKindTransferOut)
	case api.KindTransferIn:
		return p.T(msgKindTransferIn)
	case api.KindRelocation:
		return p.T(msgKindRelocation)
	}
	return kind
}

// writeProduct prints one product as a two-column table.
func writeProduct(out io.Writer, p Printer, ansi bool, pr *remote.Product) {
	l := p.Lang()
	t := newTable(p.T(msgColSKU), pr.SKU)
	qty := FormatInt(l, pr.Quantity)
	if pr.BelowReorderPoint {
		qty += " " + p.T(msgBelowReorder)
	}
	t.add(p.T(msgColName), pr.Name)
	t.add(p.T(msgColDescription), pr.Description)
	t.add(p.T(msgColPrice), FormatPrice(l, pr.Price))
	t.add(p.T(msgColQuantity), qty)
	if pr.Reserved > 0 {
		reserved := FormatInt(l, pr.Reserved)
		if pr.OverReserved > 0 {
			reserved += " " + p.T(msgOverReserved, FormatInt(l, pr.OverReserved))
		}
		t.add(p.T(msgColReserved), reserved)
		t.add(p.T(msgColAvailable), FormatInt(l, pr.Available))
	}
	t.add(p.T(msgColReorder), FormatInt(l, pr.ReorderPoint))
	if pr.MaxStock > 0 {
		t.add(p.T(msgColMaxStock), FormatInt(l, pr.MaxStock))
	}
	t.add(p.T(msgColWarehouse), pr.Warehouse.Name)
	t.add(p.T(msgColUpdated), FormatTime(pr.UpdatedAt, time.Now()))
	t.write(out, ansi)
}

// writeProducts prints products as a table, one per row.
func writeProducts(out io.Writer, p Printer, ansi bool, ps []remote.Product) {
	if len(ps) == 0 {
		fmt.Fprintln(out, p.T(msgNoProducts))
		return
	}
	l := p.Lang()
	low := 0
	for _, pr := range ps {
		if pr.BelowReorderPoint {
			low++
		}
	}
	t := newTable(p.T(msgColSKU), p.T(msgColName), p.T(msgColQuantity), p.T(msgColPrice), p.T(msgColReorder)).alignRight(2, 3, 4)
	for _, pr := range ps {
		qty := FormatInt(l, pr.Quantity)
		switch {
		case pr.BelowReorderPoint:
			qty += " !"
		case low > 0:
			qty += "  " // digits stay aligned with the marked rows'
		}
		i := t.add(pr.SKU, pr.Name, qty, FormatPrice(l, pr.Price), FormatInt(l, pr.ReorderPoint))
		t.mark[i] = pr.BelowReorderPoint
	}
	t.write(out, ansi)
	fmt.Fprintln(out, p.T(msgTotalProducts, len(ps)))
	if low > 0 {
		fmt.Fprintln(out, p.T(msgBelowReorderLegend, low))
	}
}

// writeMovements prints movements, newest first as the node sends them.
func writeMovements(out io.Writer, p Printer, ansi bool, ms []remote.Movement) {
	if len(ms) == 0 {
		fmt.Fprintln(out, p.T(msgNoMovements))
		return
	}
	l, now := p.Lang(), time.Now()
	header := []string{p.T(msgColTime), p.T(msgColSKU), p.T(msgColKind), p.T(msgColQuantity),
		p.T(msgColBalance), p.T(msgColReference), p.T(msgColNote), p.T(msgColActor), p.T(msgColID)}
	lots := anyLots(ms) // the lots column only when a movement has lots or a location
	if lots {
		header = append(header, p.T(msgColLot))
	}
	t := newTable(header...).alignRight(3, 4)
	for i := range ms {
		m := &ms[i]
		row := []string{FormatTime(m.CreatedAt, now), m.SKU, kindName(p, m.Kind), movementQuantity(l, m),
			FormatInt(l, m.Balance), deref(m.Reference), deref(m.Note), deref(m.Actor), m.ID}
		if lots {
			row = append(row, lotsCell(p, m))
		}
		t.add(row...)
	}
	t.write(out, ansi)
}

// writeWarehouses prints the warehouses the node holds, each with how far
// it holds its log: the last seq, its time and the start of the digest
// (blank when the node did not say). When the node itself left the
// network, it says so under the table, and shows the others as not
// followed.
func writeWarehouses(out io.Writer, p Printer, ansi bool, ws []remote.Warehouse) {
	now, left := time.Now(), nodeLeft(ws)
	t := newTable(p.T(msgColID), p.T(msgColName), p.T(msgColStatus), p.T(msgColLastSeen), p.T(msgColBehind),
		p.T(msgColSeq), p.T(msgColAsOf), p.T(msgColDigest)).alignRight(4).alignRight(5)
	for _, w := range ws {
		var seq, asOf, digest, behind string
		if r := w.Replica; r != nil {
			seq, asOf, digest = FormatInt(p.Lang(), r.Seq), formatAsOf(r.AsOf, now), r.Digest[:min(len(r.Digest), digestShown)]
		}
		if !w.Local {
			behind = FormatInt(p.Lang(), int(w.Behind))
		}
		t.add(w.ID, w.Name, p.T(warehouseStatus(w, left)), formatAsOf(w.LastSeen, now), behind, seq, asOf, digest)
	}
	t.write(out, ansi)
	if left {
		fmt.Fprintln(out, p.T(msgNodeLeft))
	}
	for _, w := range ws {
		if w.Replica == nil || w.Replica.Problem == nil {
			continue
		}
		pr := w.Replica.Problem
		if pr.Kind == "FORK" {
			fmt.Fprintln(out, p.T(msgReplicaFork, w.ID, pr.ServedBy, formatAsOf(&pr.Since, now)))
		} else {
			fmt.Fprintln(out, p.T(msgReplicaUnverifiable, w.ID, pr.ServedBy, formatAsOf(&pr.Since, now), pr.Detail))
		}
	}
}

// nodeLeft reports whether the node's own warehouse, among ws, left the
// network.
func nodeLeft(ws []remote.Warehouse) bool {
	for _, w := range ws {
		if w.Local {
			return w.Departed
		}
	}
	return false
}

// warehouseStatus names what the node knows of w's own node; left
// reports whether the node itself left the network, after which it
// follows no one.
func warehouseStatus(w remote.Warehouse, left bool) msg {
	switch {
	case w.Local && left:
		return msgStatusLocalLeft
	case w.Local:
		return msgStatusLocal
	case w.Departed:
		return msgStatusDeparted
	case left:
		return msgStatusNotFollowed
	case w.Online:
		return msgStatusOnline
	}
	return msgStatusOffline
}

// digestShown is how many hexadecimal digits of a digest a table shows:
// enough to tell two histories apart by eye (--json has all of it).
const digestShown = 12

// writeStockLevels prints the stock of sku in each warehouse, the node's own
// marked, with the units on their way to it and how fresh each quantity is.
func writeStockLevels(out io.Writer, p Printer, ansi bool, sku string, ls []remote.StockLevel, known map[string]remote.Warehouse) {
	if len(ls) == 0 {
		fmt.Fprintln(out, p.T(msgNoLevels, sku))
		return
	}
	now := time.Now()
	t := newTable(p.T(msgColWarehouse), p.T(msgColQuantity), p.T(msgColInTransit), p.T(msgColAsOf)).alignRight(1, 2)
	for _, l := range ls {
		name := l.Warehouse.ID
		if l.Warehouse.Local {
			name += " " + p.T(msgLocalMark)
		}
		t.add(name, FormatInt(p.Lang(), l.Quantity), FormatInt(p.Lang(), l.InTransit), freshness(p, l, known, now))
	}
	t.write(out, ansi)
}

// freshness says how current a stock level is: "now" for the node's own
// warehouse and for one whose node is online with nothing behind; else
// the time of its last change with why it may be stale (changes behind,
// offline, departed). A warehouse the node said nothing about gets the
// time alone.
func freshness(p Printer, l remote.StockLevel, known map[string]remote.Warehouse, now time.Time) string {
	w, ok := known[l.Warehouse.ID]
	at := formatAsOf(l.AsOf, now)
	switch {
	case l.Warehouse.Local || (ok && w.Local):
		return p.T(msgAsOfNow)
	case !ok:
		return at
	case w.Departed:
		return strings.TrimSpace(at + " " + p.T(msgAsOfDeparted))
	case !w.Online:
		return strings.TrimSpace(at + " " + p.T(msgAsOfOffline))
	case w.Behind > 0:
		return strings.TrimSpace(at + " " + p.T(msgAsOfBehind, FormatInt(p.Lang(), int(w.Behind))))
	case w.Replica != nil && w.Replica.Problem != nil:
		return strings.TrimSpace(at + " " + p.T(msgAsOfStopped))
	}
	return p.T(msgAsOfNowOnline)
}

// formatAsOf formats an optional time as FormatTime does; nil is blank.
func formatAsOf(t *time.Time, now time.Time) string {
	if t == nil {
		return ""
	}
	return FormatTime(*t, now)
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
