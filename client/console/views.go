package console

import (
	"fmt"
	"io"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// kindName returns a movement kind in p's language.
func kindName(p Printer, kind string) string {
	switch kind {
	case remote.KindPurchase:
		return p.T(msgKindPurchase)
	case remote.KindSale:
		return p.T(msgKindSale)
	case remote.KindReturn:
		return p.T(msgKindReturn)
	case remote.KindAdjustment:
		return p.T(msgKindAdjustment)
	case "TRANSFER_OUT":
		return p.T(msgKindTransferOut)
	case "TRANSFER_IN":
		return p.T(msgKindTransferIn)
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
	t.add(p.T(msgColReorder), FormatInt(l, pr.ReorderPoint))
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
	t := newTable(p.T(msgColSKU), p.T(msgColName), p.T(msgColQuantity), p.T(msgColPrice), p.T(msgColReorder)).alignRight(2, 3, 4)
	for _, pr := range ps {
		i := t.add(pr.SKU, pr.Name, FormatInt(l, pr.Quantity), FormatPrice(l, pr.Price), FormatInt(l, pr.ReorderPoint))
		t.mark[i] = pr.BelowReorderPoint
	}
	t.write(out, ansi)
	fmt.Fprintln(out, p.T(msgTotalProducts, len(ps)))
}

// writeMovements prints movements, newest first as the node sends them.
func writeMovements(out io.Writer, p Printer, ansi bool, ms []remote.Movement) {
	if len(ms) == 0 {
		fmt.Fprintln(out, p.T(msgNoMovements))
		return
	}
	l, now := p.Lang(), time.Now()
	t := newTable(p.T(msgColTime), p.T(msgColSKU), p.T(msgColKind), p.T(msgColQuantity),
		p.T(msgColBalance), p.T(msgColReference), p.T(msgColNote), p.T(msgColActor), p.T(msgColID)).alignRight(3, 4)
	for _, m := range ms {
		t.add(FormatTime(m.CreatedAt, now), m.SKU, kindName(p, m.Kind), FormatSigned(l, m.Quantity),
			FormatInt(l, m.Balance), deref(m.Reference), deref(m.Note), deref(m.Actor), m.ID)
	}
	t.write(out, ansi)
}

// writeWarehouses prints the warehouses the node knows.
func writeWarehouses(out io.Writer, p Printer, ansi bool, ws []remote.Warehouse) {
	t := newTable(p.T(msgColID), p.T(msgColName), p.T(msgColLocal))
	for _, w := range ws {
		local := p.T(msgNo)
		if w.Local {
			local = p.T(msgYes)
		}
		t.add(w.ID, w.Name, local)
	}
	t.write(out, ansi)
}

// deref returns *s, or "" for nil.
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
