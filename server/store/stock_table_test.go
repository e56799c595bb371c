package store

import (
	"fmt"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestStockTable: every cell of the stock table (quantity, available,
// units in transit) equals what stockLevels (the console's stock view)
// says of its sku and warehouse, for the local warehouse and a replica,
// with reservations, a transfer on its way to the replica and a cancelled
// one on its way back to its sender; deleted products are left out; and
// pages of any size add up to the whole table.
func TestStockTable(t *testing.T) {
	a, b, _ := trio(t)
	for i, qty := range []int64{10, 5, 7, 2} {
		a.create(fmt.Sprintf("W%d", i+1), qty)
	}
	b.create("W2", 3)
	b.create("W5", 1)
	b.create("W6", 9)
	tok(b, stock.OpProductDelete, &stock.ProductRef{SKU: "W6"})
	tok(a, stock.OpProductDelete, &stock.ProductRef{SKU: "W4"})
	tok(a, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "W1", Quantity: 2})
	send(a, "W1", "BCN-1", 4)
	back := send(a, "W2", "BCN-1", 1)
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: back.ID})
	pull(b, a, "BCN-1")

	whole := tok(a, stock.OpStockTable, &stock.StockTableQuery{First: stock.MaxStockTableRows})
	if got := fmt.Sprint(whole.SKUs, whole.Names, whole.HasNextPage); got != "[W1 W2 W3 W5] [Product W1 Product W2 Product W3 Product W5] false" {
		t.Fatalf("skus, names, next: %s", got)
	}
	if len(whole.Columns) != 3 || whole.Columns[0].Warehouse != "MAD-1" || whole.Columns[1].Warehouse != "BCN-1" || whole.Columns[2].Warehouse != "VAL-1" {
		t.Fatalf("columns %+v, want MAD-1 (local) then BCN-1, VAL-1", whole.Columns)
	}
	for i, sku := range whole.SKUs {
		levels := map[string]stock.StockLevel{}
		for _, l := range tok(a, stock.OpStockLevels, &stock.StockLevelQuery{SKU: sku}).Levels {
			levels[l.Warehouse] = l
		}
		for _, c := range whole.Columns {
			l, held := levels[c.Warehouse]
			live := held && (l.Quantity != 0 || c.Quantity[i] != nil) // a level of units in transit only has no product
			if (c.Quantity[i] != nil) != live {
				t.Errorf("%s in %s: quantity %v, level %+v", sku, c.Warehouse, c.Quantity[i], l)
				continue
			}
			if c.InTransit[i] != l.InTransit {
				t.Errorf("%s in %s: %d in transit, stockLevels says %d", sku, c.Warehouse, c.InTransit[i], l.InTransit)
			}
			if c.Quantity[i] != nil && (*c.Quantity[i] != l.Quantity || *c.Available[i] != l.Available() || *c.ReorderPoint[i] != 0) {
				t.Errorf("%s in %s: quantity %d available %d, stockLevels says %d and %d", sku, c.Warehouse, *c.Quantity[i], *c.Available[i], l.Quantity, l.Available())
			}
		}
	}
	if n := whole.Columns[1].InTransit[0]; n != 4 {
		t.Errorf("W1 in transit to BCN-1: %d, want 4", n)
	}
	if n := whole.Columns[0].InTransit[1]; n != 1 {
		t.Errorf("W2 on its way back to MAD-1: %d, want 1", n)
	}
	for _, size := range []int{1, 2, 3} {
		var skus []string
		var in []int64
		q := stock.StockTableQuery{First: size}
		for {
			p := tok(a, stock.OpStockTable, &q)
			skus = append(skus, p.SKUs...)
			for i := range p.SKUs {
				in = append(in, p.Columns[0].InTransit[i]+p.Columns[1].InTransit[i])
			}
			if !p.HasNextPage {
				break
			}
			q.After = *p.EndCursor()
		}
		if fmt.Sprint(skus, in) != "[W1 W2 W3 W5] [4 1 0 0]" {
			t.Errorf("pages of %d: %v %v", size, skus, in)
		}
	}
	terr(a, stock.OpStockTable, &stock.StockTableQuery{First: stock.MaxStockTableRows + 1}, stock.CodeInvalidInput)
	terr(a, stock.OpStockTable, &stock.StockTableQuery{First: -1}, stock.CodeInvalidInput)
}
