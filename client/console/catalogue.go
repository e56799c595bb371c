package console

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
)

// catalogueRow is one sku across the warehouses the node holds: its
// product in each (absent where the warehouse has none) and the units on
// their way to each.
type catalogueRow struct {
	SKU        string                    `json:"sku"`
	Name       string                    `json:"name"`
	Warehouses map[string]catalogueEntry `json:"warehouses"`
	InTransit  map[string]int            `json:"inTransit,omitempty"`
}

// catalogueEntry is a sku's stock in one warehouse.
type catalogueEntry struct {
	Quantity          int  `json:"quantity"`
	ReorderPoint      int  `json:"reorderPoint"`
	BelowReorderPoint bool `json:"belowReorderPoint"`
}

// isAll reports whether a --warehouse value means every warehouse.
func isAll(warehouse string) bool {
	switch strings.ToLower(strings.TrimSpace(warehouse)) {
	case "all", "todos":
		return true
	}
	return false
}

// listCatalogue shows every product matching search in every warehouse
// the node holds, one row per sku and one column per warehouse, with the
// units in transit to each (see addInTransit).
func (a *app) listCatalogue(ctx context.Context, search string) error {
	c, err := a.node()
	if err != nil {
		return err
	}
	ids, err := c.WarehouseIDs(ctx)
	if err != nil {
		return err
	}
	bySKU := map[string]*catalogueRow{}
	for _, id := range ids {
		ps, err := c.Products(ctx, id, search)
		if err != nil {
			return err
		}
		for _, p := range ps {
			r := bySKU[p.SKU]
			if r == nil {
				r = &catalogueRow{SKU: p.SKU, Name: p.Name, Warehouses: map[string]catalogueEntry{}}
				bySKU[p.SKU] = r
			}
			r.Warehouses[id] = catalogueEntry{Quantity: p.Quantity, ReorderPoint: p.ReorderPoint, BelowReorderPoint: p.BelowReorderPoint}
		}
	}
	if err := addInTransit(ctx, c, bySKU); err != nil {
		return err
	}
	rows := make([]catalogueRow, 0, len(bySKU))
	for _, r := range bySKU {
		rows = append(rows, *r)
	}
	slices.SortFunc(rows, func(x, y catalogueRow) int { return strings.Compare(x.SKU, y.SKU) })
	return a.show(rows, func(out io.Writer) { writeCatalogue(out, a.p, a.env.Terminal, ids, rows) })
}

// addInTransit adds to the rows the units on their way to each warehouse,
// as the node counts them (sent and not yet received, or cancelled on
// their way back to the sender): the numbers stock levels and the
// dashboard show.
func addInTransit(ctx context.Context, c *remote.Client, bySKU map[string]*catalogueRow) error {
	moving, err := c.InTransit(ctx)
	if err != nil {
		return err
	}
	for sku, byWarehouse := range moving {
		if r := bySKU[sku]; r != nil {
			r.InTransit = byWarehouse
		}
	}
	return nil
}

// writeCatalogue prints the rows under a column per warehouse: its
// quantity, marked ! at or below its reorder point, and - where the
// warehouse has no such product.
func writeCatalogue(out io.Writer, p Printer, ansi bool, ids []string, rows []catalogueRow) {
	if len(rows) == 0 {
		fmt.Fprintln(out, p.T(msgNoProducts))
		return
	}
	l := p.Lang()
	header := append([]string{p.T(msgColSKU), p.T(msgColName)}, ids...)
	right := make([]int, 0, len(ids))
	for i := range ids {
		right = append(right, 2+i)
	}
	t := newTable(append(header, p.T(msgColInTransit))...).alignRight(right...)
	low := 0
	for _, r := range rows {
		cells := []string{r.SKU, r.Name}
		marked := false
		for _, id := range ids {
			e, ok := r.Warehouses[id]
			switch {
			case !ok:
				cells = append(cells, "-")
			case e.BelowReorderPoint:
				cells, marked = append(cells, FormatInt(l, e.Quantity)+" !"), true
				low++
			default:
				cells = append(cells, FormatInt(l, e.Quantity))
			}
		}
		var transit []string
		for _, id := range ids {
			if n := r.InTransit[id]; n > 0 {
				transit = append(transit, p.T(msgInTransitTo, FormatInt(l, n), id))
			}
		}
		i := t.add(append(cells, strings.Join(transit, ", "))...)
		t.mark[i] = marked
	}
	t.write(out, ansi)
	fmt.Fprintln(out, p.T(msgTotalProducts, len(rows)))
	if low > 0 {
		fmt.Fprintln(out, p.T(msgBelowReorderLegendAll, low))
	}
}
