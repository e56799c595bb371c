package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestLocationTreeModel: creations and subtree moves arriving together
// (several jobs in one batch of the writer, as concurrent requests do)
// leave every path its parent's path and its code, with no cycle, equal
// to a model of parents, on the origin and on a replica; relocations of
// random units between random locations never change the stock, and per
// product the sum over locations = the sum over lots = the stock = the
// ledger (RELOCATIONs moving no stock).
func TestLocationTreeModel(t *testing.T) {
	h := newHarness(t)
	r := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	n, pulled := 0, int64(0)
	rapid.Check(t, func(rt *rapid.T) {
		n++
		parents := map[string]string{} // the model: each location's parent
		codes := []string{}
		for i := range 6 {
			code := fmt.Sprintf("C%d-%d", n, i)
			parent := ""
			if len(codes) > 0 && rapid.Bool().Draw(rt, "nested") {
				parent = rapid.SampledFrom(codes).Draw(rt, "parent")
			}
			tok(h, stock.OpLocationCreate, &stock.CreateLocationInput{Code: code, Parent: parent})
			parents[code], codes = parent, append(codes, code)
		}
		sku := fmt.Sprintf("R%d", n)
		h.create(sku, 30)
		today := stock.DateOf(time.Now().In(time.Local))
		tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: sku, Kind: stock.KindPurchase, Quantity: 10,
			Lot: &stock.LotInput{Code: "L", ExpiresOn: today.AddDays(5)}, Location: codes[0]})
		rt.Repeat(map[string]func(*rapid.T){
			"moves together": func(rt *rapid.T) {
				k := rapid.IntRange(1, 4).Draw(rt, "k")
				jobs := make([][]byte, k)
				ins := make([]stock.UpdateLocationInput, k)
				for i := range jobs {
					code := rapid.SampledFrom(codes).Draw(rt, "code")
					parent := rapid.SampledFrom(append([]string{""}, codes...)).Draw(rt, "to")
					ins[i] = stock.UpdateLocationInput{Code: code, Parent: &parent}
					jobs[i] = encodeJob(rt, stock.OpLocationUpdate, &ins[i])
				}
				for i, raw := range h.s.HandleWrites(jobs) {
					var l stock.Location
					err := stock.DecodeReply(raw, &l)
					under := isUnder(parents, *ins[i].Parent, ins[i].Code)
					switch {
					case under && stock.CodeOf(err) != stock.CodeInvalidInput:
						rt.Fatalf("moving %s under %s, below itself: %v", ins[i].Code, *ins[i].Parent, err)
					case !under && err != nil:
						rt.Fatalf("moving %s under %s: %v", ins[i].Code, *ins[i].Parent, err)
					case !under:
						parents[ins[i].Code] = *ins[i].Parent
					}
				}
			},
			"relocate": func(rt *rapid.T) {
				from := rapid.SampledFrom(append([]string{""}, codes...)).Draw(rt, "from")
				to := rapid.SampledFrom(codes).Draw(rt, "to")
				q := rapid.Int64Range(1, 12).Draw(rt, "q")
				before := h.product(sku).Quantity
				held := int64(0)
				for _, ls := range tok(h, stock.OpProductLines, &stock.ProductRef{SKU: sku}).Lines {
					if ls.Location == from {
						held += ls.Quantity
					}
				}
				mv, e := tdo(h, stock.OpStockRelocate, &stock.RelocateStockInput{SKU: sku, Quantity: q, From: from, To: to})
				switch {
				case from == to && e == nil:
					rt.Fatalf("relocation to where the units are succeeded")
				case from != to && q > held && (e == nil || e.Code != stock.CodeInsufficientStock):
					rt.Fatalf("relocating %d of %d held at %q: %v", q, held, from, e)
				case from != to && q <= held && e != nil:
					rt.Fatalf("relocating %d of %d held at %q: %s %s", q, held, from, e.Code, e.Message)
				case e == nil && (mv.Kind != stock.KindRelocation || mv.Quantity != q || mv.Balance != before):
					rt.Fatalf("relocation %+v: want RELOCATION of %d, balance %d", mv, q, before)
				}
				if after := h.product(sku).Quantity; after != before {
					rt.Fatalf("a relocation changed the stock from %d to %d", before, after)
				}
			},
		})
		checkTree(rt, h, "MAD-1", parents)
		checkSums(rt, h, sku)
		for {
			page := tok(h, stock.OpChanges, &stock.ChangesQuery{Origin: "MAD-1", AfterSeq: pulled, Limit: 500})
			if len(page.Entries) == 0 {
				break
			}
			tok(r, stock.OpApplyChanges, &stock.ChangeBatch{Entries: page.Entries})
			pulled = page.Entries[len(page.Entries)-1].Seq
		}
		a := tok(h, stock.OpLocationList, &stock.LocationQuery{}).Locations
		b := tok(r, stock.OpLocationList, &stock.LocationQuery{Warehouse: "MAD-1"}).Locations
		if !slices.Equal(a, b) {
			rt.Fatalf("replica's locations %+v, origin's %+v", b, a)
		}
	})
}

// isUnder reports whether moving code under parent would put it below
// itself, by the model.
func isUnder(parents map[string]string, parent, code string) bool {
	for p := parent; p != ""; p = parents[p] {
		if p == code {
			return true
		}
	}
	return false
}

// encodeJob encodes a job of op with req.
func encodeJob[Req, Rep any](rt *rapid.T, op stock.Op[Req, Rep], req *Req) []byte {
	job, err := stock.EncodeJob(stock.JobMeta{Op: op.Name, Actor: "tester", Key: fmt.Sprint("k-", time.Now().UnixNano())}, req)
	if err != nil {
		rt.Fatal(err)
	}
	return job
}

// checkTree checks that every location of warehouse has the model's
// parent and the path its ancestors give it.
func checkTree(rt *rapid.T, h *harness, warehouse string, parents map[string]string) {
	for _, l := range tok(h, stock.OpLocationList, &stock.LocationQuery{}).Locations {
		want, ok := parents[l.Code]
		if !ok {
			continue // another case's
		}
		path := l.Code
		for p := want; p != ""; p = parents[p] {
			path = p + "/" + path
		}
		if l.Parent != want || l.Path != path {
			rt.Fatalf("location %s: parent %q path %q, want %q and %q", l.Code, l.Parent, l.Path, want, path)
		}
	}
}

// checkSums checks that the product's units over locations, over lots,
// its stock and its ledger agree.
func checkSums(rt *rapid.T, h *harness, sku string) {
	lines := &stock.StockLines{Lines: tok(h, stock.OpProductLines, &stock.ProductRef{SKU: sku}).Lines}
	var byLoc, byLot, ledger int64
	for _, l := range lines.Locations() {
		byLoc += l.Quantity
	}
	for _, l := range lines.Lots() {
		byLot += l.Quantity
	}
	for _, mv := range h.movements(stock.MovementFilter{SKU: sku}) {
		ledger += mv.StockDelta()
	}
	if q := h.product(sku).Quantity; byLoc != q || byLot != q || ledger != q {
		rt.Fatalf("%s: %d over locations, %d over lots, stock %d, ledger %d", sku, byLoc, byLot, q, ledger)
	}
}
