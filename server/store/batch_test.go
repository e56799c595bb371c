package store

import (
	"fmt"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestFailingJobFailsAlone(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	replies := h.write(
		sale("A", 2),
		sale("A", 10), // insufficient
		testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "B", Name: "B", InitialQuantity: 3}},
		testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "A", Name: "dup"}},
		sale("B", 1),
		sale("NOPE", 1),
		testJob{Op: stock.OpProductGet, SKU: "A"}, // a read sent as a write
		sale("A", 3),
	)
	want := []stock.Code{"", stock.CodeInsufficientStock, "", stock.CodeAlreadyExists, "", stock.CodeNotFound, stock.CodeInvalidInput, ""}
	for i, r := range replies {
		if code(r) != want[i] {
			t.Errorf("job %d: %+v, want code %q", i, r.Err, want[i])
		}
	}
	if q := h.product("A").Quantity; q != 0 {
		t.Errorf("A = %d, want 0", q)
	}
	if q := h.product("B").Quantity; q != 2 {
		t.Errorf("B = %d, want 2", q)
	}
	checkLedger(t, h)
}

func TestFiftyOfTwoHundredSales(t *testing.T) {
	h := newHarness(t)
	h.create("HOT", 50)
	ok, short := 0, 0
	for b := 0; b < 200; b += 32 {
		jobs := make([]testJob, min(32, 200-b))
		for i := range jobs {
			jobs[i] = sale("HOT", 1)
		}
		for _, r := range h.write(jobs...) {
			switch code(r) {
			case "":
				ok++
			case stock.CodeInsufficientStock:
				short++
			default:
				t.Fatalf("unexpected reply %+v", r.Err)
			}
		}
	}
	if ok != 50 || short != 150 {
		t.Errorf("%d sales succeeded and %d were short, want 50 and 150", ok, short)
	}
	if q := h.product("HOT").Quantity; q != 0 {
		t.Errorf("stock = %d, want 0", q)
	}
	checkLedger(t, h)
}

func TestIdempotency(t *testing.T) {
	keyed := func(qty int64, ref string) testJob {
		j := sale("A", qty)
		j.Movement.IdempotencyKey, j.Movement.Reference = "order-1", ref
		return j
	}
	tests := []struct {
		name     string
		batches  [][]testJob
		wantCode []stock.Code // of every job, in order
		wantQty  int64
	}{
		{name: "separate batches", batches: [][]testJob{{keyed(2, "r")}, {keyed(2, "r")}},
			wantCode: []stock.Code{"", ""}, wantQty: 8},
		{name: "one batch", batches: [][]testJob{{keyed(2, "r"), keyed(2, "r"), keyed(2, "r")}},
			wantCode: []stock.Code{"", "", ""}, wantQty: 8},
		{name: "different quantity", batches: [][]testJob{{keyed(2, "r")}, {keyed(3, "r")}},
			wantCode: []stock.Code{"", stock.CodeInvalidInput}, wantQty: 8},
		{name: "different reference in one batch", batches: [][]testJob{{keyed(2, "r"), keyed(2, "s")}},
			wantCode: []stock.Code{"", stock.CodeInvalidInput}, wantQty: 8},
		{name: "first failed then retried", batches: [][]testJob{{keyed(20, "r")}, {keyed(20, "r")}},
			wantCode: []stock.Code{stock.CodeInsufficientStock, stock.CodeInsufficientStock}, wantQty: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.create("A", 10)
			var got []testReply
			for _, b := range tt.batches {
				got = append(got, h.write(b...)...)
			}
			var first *stock.Movement
			for i, r := range got {
				if code(r) != tt.wantCode[i] {
					t.Fatalf("reply %d: %+v, want code %q", i, r.Err, tt.wantCode[i])
				}
				if r.Err != nil {
					if r.Err.Code == stock.CodeInvalidInput && r.Err.Message != `idempotency key "order-1" was used for a different request` {
						t.Errorf("message = %q", r.Err.Message)
					}
					continue
				}
				if first == nil {
					first = r.Movement
				} else if string(mustJSON(t, r.Movement)) != string(mustJSON(t, first)) {
					t.Errorf("replay = %+v, want the first result %+v", r.Movement, first)
				}
			}
			if q := h.product("A").Quantity; q != tt.wantQty {
				t.Errorf("stock = %d, want %d", q, tt.wantQty)
			}
			applied := 1 + (10-tt.wantQty)/2 // the initial purchase, and the sale of 2 if it was applied
			if n := int64(len(h.pub.changes())); n != applied {
				t.Errorf("%d changes published, want %d", n, applied)
			}
		})
	}
}

func TestSeqGapFree(t *testing.T) {
	h := newHarness(t)
	var seqs []int64
	add := func(r testReply) {
		switch {
		case r.Err != nil:
		case r.Movement != nil:
			seqs = append(seqs, r.Movement.Seq)
		case r.Product != nil:
			seqs = append(seqs, r.Product.Seq)
		}
	}
	add(h.write(testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "A", Name: "A"}})[0]) // 1
	for _, r := range h.write(
		move("A", stock.KindPurchase, 5), // 2
		sale("A", 50),                    // fails
		testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "B", Name: "B", InitialQuantity: 4}}, // 3, 4
		testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "B", Name: "B"}},                     // fails
		testJob{Op: stock.OpProductUpdate, SKU: "A", Update: &stock.UpdateProductInput{Name: ptr("A2")}},               // 5
		testJob{Op: stock.OpStockSet, SKU: "B", Quantity: 4},                                                           // 6 (confirming count)
	) {
		add(r)
	}
	h.reopen()
	for _, r := range h.write(sale("A", 99), testJob{Op: stock.OpProductDelete, SKU: "B"}, sale("A", 1)) { // fails, 7 and 8, 9
		add(r)
	}
	// Create B replies with the seq of its initial movement, 4; deleting B
	// first records its 4 units leaving (7), then the deletion (8).
	want := []int64{1, 2, 4, 5, 6, 8, 9}
	if fmt.Sprint(seqs) != fmt.Sprint(want) {
		t.Fatalf("seqs = %v, want %v", seqs, want)
	}
	ms := h.movements(stock.MovementFilter{})
	var got []int64
	for _, m := range ms {
		got = append(got, m.Seq)
	}
	if fmt.Sprint(got) != "[9 7 6 4 2]" {
		t.Errorf("movement seqs = %v, want [9 7 6 4 2]", got)
	}
	if ms[1].Quantity != -4 || ms[1].Kind != stock.KindAdjustment || ms[1].Balance != 0 {
		t.Errorf("units of the deleted product = %+v, want an ADJUSTMENT of -4", ms[1])
	}
	if ms[2].Quantity != 0 || ms[2].Kind != stock.KindAdjustment {
		t.Errorf("confirming count = %+v", ms[2])
	}
	// The log has every seq exactly once, the ones without a movement too.
	page := h.ok(testJob{Op: stock.OpChanges, Changes: &stock.ChangesQuery{Origin: "MAD-1"}}).ChangePage
	var types []string
	for i, e := range page.Entries {
		if e.Seq != int64(i+1) {
			t.Fatalf("log entry %d has seq %d", i, e.Seq)
		}
		types = append(types, string(e.Type))
	}
	wantTypes := "[product.created movement product.created movement product.updated movement movement product.deleted movement]"
	if fmt.Sprint(types) != wantTypes || page.LastSeq != 9 {
		t.Errorf("log = %v (last %d), want %s (last 9)", types, page.LastSeq, wantTypes)
	}
}
