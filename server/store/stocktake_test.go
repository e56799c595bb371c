package store

import (
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// The lost-reply cases of the stocktakes' writes (see TestLostReplies).
func init() {
	lostCases[stock.OpStocktakeStart.Name] = lostCase{withProduct, sends(stock.OpStocktakeStart, fixed(&stock.StartStocktakeInput{Note: "weekly"}))}
	lostCases[stock.OpStocktakeCount.Name] = lostCase{withStocktake, sends(stock.OpStocktakeCount,
		fixed(&stock.RecordCountInput{Stocktake: "MAD-1:S3", SKU: "A", Counted: 4}))}
	lostCases[stock.OpStocktakeCounts.Name] = lostCase{withStocktake, sends(stock.OpStocktakeCounts,
		fixed(&stock.CountsInput{Stocktake: "MAD-1:S3", Rows: []stock.CountRow{{Line: 2, SKU: "A", Counted: 4}}}))}
	lostCases[stock.OpStocktakeFinalize.Name] = lostCase{withStocktake, sends(stock.OpStocktakeFinalize, fixed(&stock.FinalizeInput{ID: "MAD-1:S3"}))}
	lostCases[stock.OpStocktakeCancel.Name] = lostCase{withStocktake, sends(stock.OpStocktakeCancel, fixed(&stock.StocktakeRef{ID: "MAD-1:S3"}))}
}

// withStocktake is withProduct with an open stocktake of every product:
// MAD-1:S3.
func withStocktake(t *testing.T) *harness {
	h := withProduct(t)
	if st := tok(h, stock.OpStocktakeStart, &stock.StartStocktakeInput{}); st.ID != "MAD-1:S3" || len(st.Lines) != 1 {
		t.Fatalf("the stocktake is %+v, want MAD-1:S3 of A", st)
	}
	return h
}

// TestStocktakeRules: counts expect the stock as it is when counted,
// finalizing posts the variances, and each refusal changes nothing.
func TestStocktakeRules(t *testing.T) {
	h := withStocktake(t) // A: 5
	tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 2})
	l := tok(h, stock.OpStocktakeCount, &stock.RecordCountInput{Stocktake: "MAD-1:S3", SKU: "A", Counted: 1})
	if *l.Expected != 3 || *l.Variance() != -2 || l.Snapshot != 5 {
		t.Fatalf("the count: %+v", l)
	}
	for _, c := range []struct {
		name string
		run  func() *stock.Error
		code stock.Code
	}{
		{"start with a sku counted elsewhere", func() *stock.Error {
			_, e := tdo(h, stock.OpStocktakeStart, &stock.StartStocktakeInput{SKUs: []string{"A"}})
			return e
		}, stock.CodeInvalidInput},
		{"count of an unknown sku", func() *stock.Error {
			_, e := tdo(h, stock.OpStocktakeCounts, &stock.CountsInput{Stocktake: "MAD-1:S3", Rows: []stock.CountRow{{Line: 2, SKU: "A", Counted: 9}, {Line: 3, SKU: "Z", Counted: 1}}})
			return e
		}, stock.CodeNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			if e := c.run(); e == nil || e.Code != c.code {
				t.Fatalf("got %v, want %s", e, c.code)
			}
			st := tok(h, stock.OpStocktakeGet, &stock.StocktakeRef{ID: "MAD-1:S3"})
			if len(st.Lines) != 1 || *st.Lines[0].Counted != 1 {
				t.Fatalf("after a refusal: %+v", st.Lines)
			}
		})
	}
	st := tok(h, stock.OpStocktakeFinalize, &stock.FinalizeInput{ID: "MAD-1:S3"})
	if st.Status != stock.StocktakeFinalized || h.product("A").Quantity != 1 {
		t.Fatalf("finalized %+v, A = %d", st, h.product("A").Quantity)
	}
	if _, e := tdo(h, stock.OpStocktakeCancel, &stock.StocktakeRef{ID: "MAD-1:S3"}); e == nil || e.Code != stock.CodeInvalidInput {
		t.Fatalf("cancelling a finalized stocktake: %v", e)
	}
	n := tok(h, stock.OpStocktakeStart, &stock.StartStocktakeInput{})
	if c := tok(h, stock.OpStocktakeCancel, &stock.StocktakeRef{ID: n.ID}); c.Status != stock.StocktakeCancelled {
		t.Fatalf("cancelled %+v", c)
	}
	b := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	pull(h, b, "MAD-1")
	got := tok(b, stock.OpStocktakeGet, &stock.StocktakeRef{ID: "MAD-1:S3"})
	want := tok(h, stock.OpStocktakeGet, &stock.StocktakeRef{ID: "MAD-1:S3"})
	if encodedOf(t, got) != encodedOf(t, want) {
		t.Fatalf("the replica holds %+v\nthe origin %+v", got, want)
	}
}
