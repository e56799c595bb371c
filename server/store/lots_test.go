package store

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestTransferCarriesLots: a transfer's TRANSFER_OUT takes FEFO and its
// receiver's TRANSFER_IN puts the units into the same lots there; taken
// back after a cancellation, they return to their lots.
func TestTransferCarriesLots(t *testing.T) {
	a, b, _ := trio(t)
	today := stock.DateOf(time.Now().In(time.Local))
	soon, later := today.AddDays(3), today.AddDays(30)
	a.create("W1", 2)
	for _, l := range []stock.LotInput{{Code: "B", ExpiresOn: later}, {Code: "A", ExpiresOn: soon}} {
		tok(a, stock.OpMovementRecord, &stock.MovementInput{SKU: "W1", Kind: stock.KindPurchase, Quantity: 3, Lot: &l})
	}
	tr := send(a, "W1", "BCN-1", 5)
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	got := tok(b, stock.OpProductLines, &stock.ProductRef{SKU: "W1"}).Lines
	want := []stock.StockLine{{Code: "A", ExpiresOn: soon, Quantity: 3}, {Code: "B", ExpiresOn: later, Quantity: 2}}
	if !slices.Equal(got, want) {
		t.Fatalf("receiver's lines %+v, want %+v", got, want)
	}
	left := tok(a, stock.OpProductLines, &stock.ProductRef{SKU: "W1"}).Lines
	if want := []stock.StockLine{{Code: "B", ExpiresOn: later, Quantity: 1}, {Quantity: 2}}; !slices.Equal(left, want) {
		t.Fatalf("sender's lines %+v, want %+v", left, want)
	}

	tr = send(a, "W1", "BCN-1", 1)
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: tr.ID})
	pull(b, a, "BCN-1")
	settle(a)
	if left2 := tok(a, stock.OpProductLines, &stock.ProductRef{SKU: "W1"}).Lines; !slices.Equal(left2, left) {
		t.Fatalf("after the return the sender's lines are %+v, want %+v", left2, left)
	}
}

// TestPacks: a movement given in packs records base units and the pack,
// an unknown pack is refused, and changing a pack's size rewrites no
// history.
func TestPacks(t *testing.T) {
	h := newHarness(t)
	tok(h, stock.OpProductCreate, &stock.CreateProductInput{SKU: "P1", Name: "Eggs", Unit: "unit",
		Packs: []stock.Pack{{Name: "box", Size: 12}, {Name: "tray", Size: 30}}})
	mv := tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "P1", Kind: stock.KindPurchase, Quantity: 3, Pack: "box"})
	if mv.Quantity != 36 || mv.Balance != 36 || mv.Pack != "box" || mv.PackSize != 12 || mv.PackQuantity() != 3 {
		t.Fatalf("3 box recorded %+v", mv)
	}
	terr(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "P1", Kind: stock.KindSale, Quantity: 1, Pack: "crate"}, stock.CodeInvalidInput)
	terr(h, stock.OpProductCreate, &stock.CreateProductInput{SKU: "P2", Name: "x", Packs: []stock.Pack{{Name: "box", Size: 0}}}, stock.CodeInvalidInput)
	tok(h, stock.OpProductUpdate, &stock.ProductUpdate{SKU: "P1", Update: stock.UpdateProductInput{Packs: []stock.Pack{{Name: "box", Size: 6}}}})
	p := h.product("P1")
	if p.BaseUnit() != "unit" || !slices.Equal(p.Packs, []stock.Pack{{Name: "box", Size: 6}}) {
		t.Fatalf("product after the update: unit %q, packs %+v", p.BaseUnit(), p.Packs)
	}
	ms := h.movements(stock.MovementFilter{SKU: "P1"})
	if len(ms) != 1 || ms[0].Quantity != 36 || ms[0].PackSize != 12 {
		t.Fatalf("history after the pack changed: %+v", ms)
	}
	r := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	pull(h, r, "MAD-1")
	rp := tok(r, stock.OpProductGet, &stock.ProductRef{SKU: "P1", Warehouse: "MAD-1"})
	if !slices.Equal(rp.Packs, p.Packs) {
		t.Fatalf("replica's packs %+v, want %+v", rp.Packs, p.Packs)
	}
}

// TestReportByLot: a report grouped by lot counts a FEFO sale under each
// lot it drew from, with that lot's units, and stock of no lot under "".
func TestReportByLot(t *testing.T) {
	h := newHarness(t)
	h.create("R1", 4)
	for _, l := range []stock.LotInput{{Code: "A", ExpiresOn: "2099-01-01"}, {Code: "B"}} {
		tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "R1", Kind: stock.KindPurchase, Quantity: 5, Lot: &l})
	}
	tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "R1", Kind: stock.KindSale, Quantity: 7})
	rep := tok(h, stock.OpMovementReport, &stock.ReportQuery{GroupBy: []stock.ReportGroup{stock.GroupLot}})
	got := map[string][2]int64{}
	for _, r := range rep.Rows {
		got[r.Keys[0]] = [2]int64{r.UnitsIn, r.UnitsOut}
	}
	want := map[string][2]int64{"": {4, 0}, "A@2099-01-01": {5, 5}, "B": {5, 2}}
	if len(got) != len(want) {
		t.Fatalf("report by lot %+v, want %v", rep.Rows, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("report by lot %+v, want %v", rep.Rows, want)
		}
	}
}

// TestDetailEncoding: the detail column written by hand is what
// json.Marshal writes of movementDetail, for every combination of fields.
func TestDetailEncoding(t *testing.T) {
	lots := []stock.LotQuantity{{Code: "A<1>", ExpiresOn: "2027-01-31", Location: "B\\1", Quantity: 3}, {Quantity: 2}}
	for mask := range 32 {
		d := movementDetail{}
		if mask&1 != 0 {
			d.Lots = lots
		}
		if mask&2 != 0 {
			d.Location = "S\"1"
		}
		if mask&4 != 0 {
			d.Pack = "box"
		}
		if mask&8 != 0 {
			d.PackSize = 12
		}
		if mask&16 != 0 {
			d.NamedLot = &stock.LotInput{Code: "L\"1", ExpiresOn: "2027-01-31"}
		}
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := stock.AppendWhere(nil, d.Lots, d.Location, d.Pack, d.PackSize, d.NamedLot); string(got) != string(want) {
			t.Errorf("fields %05b: %s, want %s", mask, got, want)
		}
	}
}
