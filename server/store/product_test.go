package store

import (
	"reflect"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

func ptr[T any](v T) *T { return &v }

func TestProductLifecycle(t *testing.T) {
	h := newHarness(t)
	p := h.create("SKU-1", 10)
	if p.Quantity != 10 || p.Name != "Product SKU-1" || p.Price != 19_9900 || p.Warehouse != "MAD-1" {
		t.Fatalf("created %+v", p)
	}
	if got := h.product("SKU-1"); !reflect.DeepEqual(got, p) {
		t.Fatalf("get = %+v, want %+v", got, p)
	}
	first := h.movements(stock.MovementFilter{SKU: "SKU-1"})
	if len(first) != 1 || first[0].Kind != stock.KindPurchase || first[0].Quantity != 10 ||
		first[0].Note != "initial stock" || first[0].Balance != 10 {
		t.Fatalf("initial movements = %+v", first)
	}

	up := h.ok(testJob{Op: stock.OpProductUpdate, SKU: "SKU-1", Update: &stock.UpdateProductInput{
		Name: ptr("Renamed"), Price: ptr(stock.Price(5_0000)), Quantity: ptr(int64(7)), Note: "recount"}}).Product
	if up.Name != "Renamed" || up.Price != 5_0000 || up.Quantity != 7 || up.Description != "" {
		t.Fatalf("updated %+v", up)
	}
	if got := h.product("SKU-1"); !reflect.DeepEqual(got, up) {
		t.Fatalf("get after update = %+v, want %+v", got, up)
	}
	adj := h.movements(stock.MovementFilter{SKU: "SKU-1"})[0]
	if adj.Kind != stock.KindAdjustment || adj.Quantity != -3 || adj.Balance != 7 || adj.Note != "recount" {
		t.Fatalf("adjustment = %+v", adj)
	}
	// The same quantity records nothing.
	h.ok(testJob{Op: stock.OpProductUpdate, SKU: "SKU-1", Update: &stock.UpdateProductInput{Quantity: ptr(int64(7))}})
	if n := len(h.movements(stock.MovementFilter{SKU: "SKU-1"})); n != 2 {
		t.Fatalf("%d movements after a no-op quantity update, want 2", n)
	}

	if r := h.write(testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "SKU-1", Name: "Dup"}})[0]; code(r) != stock.CodeAlreadyExists || r.Err.Message != "product SKU-1 already exists" {
		t.Fatalf("duplicate create = %+v", r.Err)
	}
	del := h.ok(testJob{Op: stock.OpProductDelete, SKU: "SKU-1"}).Product
	if del.Quantity != 0 || del.Name != "Renamed" {
		t.Fatalf("deleted %+v, want its last state with its units removed", del)
	}
	if ms := h.movements(stock.MovementFilter{SKU: "SKU-1"}); len(ms) != 3 || ms[0].Kind != stock.KindAdjustment ||
		ms[0].Quantity != -7 || ms[0].Balance != 0 || ms[0].Note == "" {
		t.Fatalf("movements after deleting 7 units = %+v, want an ADJUSTMENT of -7 with a note first", ms)
	}
	if r := h.read(testJob{Op: stock.OpProductGet, SKU: "SKU-1"}); code(r) != stock.CodeNotFound || r.Err.Message != "product SKU-1 not found" {
		t.Fatalf("get after delete = %+v", r.Err)
	}
	if n := h.ok(testJob{Op: stock.OpProductList}).ProductPage.Total; n != 0 {
		t.Fatalf("list after delete has %d products", n)
	}

	again := h.create("SKU-1", 2)
	if again.Quantity != 2 || again.Name != "Product SKU-1" {
		t.Fatalf("recreated %+v", again)
	}
	h.ok(sale("SKU-1", 1))
	hist := h.movements(stock.MovementFilter{SKU: "SKU-1"})
	var kinds []stock.Kind
	for _, m := range hist {
		kinds = append(kinds, m.Kind)
	}
	want := []stock.Kind{stock.KindSale, stock.KindPurchase, stock.KindAdjustment, stock.KindAdjustment, stock.KindPurchase}
	if len(kinds) != len(want) {
		t.Fatalf("history kinds = %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("history kinds = %v, want %v", kinds, want)
		}
	}
	if hist[0].Balance != 1 || hist[2].Balance != 0 || hist[3].Balance != 7 {
		t.Fatalf("balances of old and new product mixed up: %+v", hist)
	}
	checkLedger(t, h)
}

func TestProductListSearchAndPaging(t *testing.T) {
	h := newHarness(t)
	for _, in := range []stock.CreateProductInput{
		{SKU: "A-1", Name: "Red chair", Description: "oak"},
		{SKU: "A-2", Name: "Blue chair", Description: "100% pine"},
		{SKU: "B_1", Name: "Table", Description: "CHAIR-free zone"},
		{SKU: "C-1", Name: "Lamp", Description: "brass"},
		{SKU: "D-1", Name: "Desk", Description: "walnut"},
	} {
		h.ok(testJob{Op: stock.OpProductCreate, Create: &in})
	}
	tests := []struct {
		search string
		want   []string
	}{
		{"", []string{"A-1", "A-2", "B_1", "C-1", "D-1"}},
		{"chair", []string{"A-1", "A-2", "B_1"}},
		{"CHAIR", []string{"A-1", "A-2", "B_1"}},
		{"%", []string{"A-2"}},
		{"_", []string{"B_1"}},
		{"a-", []string{"A-1", "A-2"}},
		{"nothing", nil},
	}
	for _, tt := range tests {
		t.Run("search "+tt.search, func(t *testing.T) {
			var got []string
			q := stock.ProductQuery{Search: tt.search, First: 2}
			for {
				p := h.ok(testJob{Op: stock.OpProductList, Products: &q}).ProductPage
				if p.Total != len(tt.want) {
					t.Fatalf("total = %d, want %d", p.Total, len(tt.want))
				}
				for _, pr := range p.Products {
					got = append(got, pr.SKU)
				}
				if !p.HasNext {
					break
				}
				q.After = stock.ProductCursor(p.Products[len(p.Products)-1].SKU)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}
