package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/stockmesh/stockmesh/server/stock"
)

// lotKey names a lot in the model: "" code for the stock of no lot.
type lotKey struct {
	code    string
	expires stock.Date
}

// lotModel is what the writer should hold of product A, by lot.
type lotModel map[lotKey]int64

func (m lotModel) total() int64 {
	var n int64
	for _, q := range m {
		n += q
	}
	return n
}

// fefo returns what a sale of q should take, lot by lot, computed apart
// from stock.Allocate: dated lots not expired on today by date, then
// undated lots by code, then the stock of no lot; nil when they hold too
// few.
func (m lotModel) fefo(q int64, today stock.Date) map[lotKey]int64 {
	var keys []lotKey
	for k, n := range m {
		if n > 0 && !(k.expires != "" && k.expires < today) {
			keys = append(keys, k)
		}
	}
	rank := func(k lotKey) string {
		switch {
		case k.code == "":
			return "3"
		case k.expires == "":
			return "2" + k.code
		}
		return "1" + string(k.expires) + k.code
	}
	slices.SortFunc(keys, func(a, b lotKey) int {
		ra, rb := rank(a), rank(b)
		if ra < rb {
			return -1
		} else if ra > rb {
			return 1
		}
		return 0
	})
	out := map[lotKey]int64{}
	for _, k := range keys {
		if q == 0 {
			break
		}
		n := min(q, m[k])
		out[k], q = n, q-n
	}
	if q > 0 {
		return nil
	}
	return out
}

// TestLotModel: purchases into lots and into no lot, sales naming a lot or
// none (FEFO), and counts interleaved at random keep the writer equal to a
// model: a sale naming no lot takes the soonest-expiring lots not expired,
// then lots without expiry, then the stock of no lot, and is refused with
// EXPIRED only when expired lots alone could make it up; per product the
// sum over lots = the stock = the ledger; and a replica that applies the
// log holds the same lots.
func TestLotModel(t *testing.T) {
	h := newHarness(t) // one store for every case: a product of its own each
	r := newReplica(t, &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
	n, pulled := 0, int64(0)
	rapid.Check(t, func(rt *rapid.T) {
		n++
		sku := fmt.Sprintf("A%d", n)
		h.create(sku, 5)
		m := lotModel{{}: 5}
		today := stock.DateOf(time.Now().In(time.Local))
		dates := []stock.Date{today.AddDays(-3), today.AddDays(-1), today, today.AddDays(2), today.AddDays(9), ""}
		drawLot := func(rt *rapid.T) lotKey {
			return lotKey{rapid.SampledFrom([]string{"L1", "L2", "L3"}).Draw(rt, "code"), rapid.SampledFrom(dates).Draw(rt, "expires")}
		}
		rt.Repeat(map[string]func(*rapid.T){
			"purchase into a lot": func(rt *rapid.T) {
				k, q := drawLot(rt), rapid.Int64Range(1, 9).Draw(rt, "q")
				in := &stock.MovementInput{SKU: sku, Kind: stock.KindPurchase, Quantity: q,
					Lot: &stock.LotInput{Code: k.code, ExpiresOn: k.expires}}
				mv := tok(h, stock.OpMovementRecord, in)
				if len(mv.Lots) != 1 || mv.Lots[0].Code != k.code || mv.Lots[0].ExpiresOn != k.expires || mv.Lots[0].Quantity != q {
					rt.Fatalf("purchase of %d into %v made lots %+v", q, k, mv.Lots)
				}
				m[k] += q
			},
			"plain purchase": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 9).Draw(rt, "q")
				tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: sku, Kind: stock.KindPurchase, Quantity: q})
				m[lotKey{}] += q
			},
			"sale by FEFO": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 20).Draw(rt, "q")
				want := m.fefo(q, today)
				mv, e := tdo(h, stock.OpMovementRecord, &stock.MovementInput{SKU: sku, Kind: stock.KindSale, Quantity: q})
				switch {
				case want == nil && e == nil:
					rt.Fatalf("sale of %d from %v succeeded: %+v", q, m, mv.Lots)
				case want == nil && q <= m.total() && e.Code != stock.CodeExpired:
					rt.Fatalf("sale of %d covered only by expired lots of %v: %s, want EXPIRED", q, m, e.Code)
				case want == nil && q > m.total() && e.Code != stock.CodeInsufficientStock:
					rt.Fatalf("sale of %d beyond %v: %s, want INSUFFICIENT_STOCK", q, m, e.Code)
				case want == nil:
					return
				case e != nil:
					rt.Fatalf("sale of %d from %v refused: %s %s", q, m, e.Code, e.Message)
				}
				got := map[lotKey]int64{}
				for _, l := range mv.LotsOrNoLot() {
					got[lotKey{l.Code, l.ExpiresOn}] += l.Quantity
				}
				for k, n := range want {
					if got[k] != n {
						rt.Fatalf("sale of %d from %v took %v, want %v", q, m, got, want)
					}
					m[k] -= n
				}
				if len(got) != len(want) {
					rt.Fatalf("sale of %d from %v took %v, want %v", q, m, got, want)
				}
			},
			"sale naming a lot": func(rt *rapid.T) {
				// A code without expiry names every lot of that code.
				k, q := drawLot(rt), rapid.Int64Range(1, 5).Draw(rt, "q")
				admin := rapid.Bool().Draw(rt, "admin")
				mv, e := tdo(h, stock.OpMovementRecord, &stock.MovementInput{SKU: sku, Kind: stock.KindSale, Quantity: q,
					Lot: &stock.LotInput{Code: k.code, ExpiresOn: k.expires}, Admin: admin})
				named := lotModel{}
				for l, n := range m {
					if l.code == k.code && (k.expires == "" || l.expires == k.expires) {
						named[l] = n
					}
				}
				day := today
				if admin {
					day = "" // nothing is expired to an admin naming the lot
				}
				want := named.fefo(q, day)
				switch {
				case want == nil && e == nil:
					rt.Fatalf("sale of %d from lots %v succeeded", q, named)
				case want == nil && q <= named.total() && e.Code != stock.CodeExpired:
					rt.Fatalf("sale of %d from expired lots %v by a non-admin: %v, want EXPIRED", q, named, e)
				case want == nil && q > named.total() && e.Code != stock.CodeInsufficientStock:
					rt.Fatalf("sale of %d beyond lots %v: %v, want INSUFFICIENT_STOCK", q, named, e)
				case want == nil:
					return
				case e != nil:
					rt.Fatalf("sale of %d from lots %v: %s %s", q, named, e.Code, e.Message)
				}
				for _, l := range mv.Lots {
					if want[lotKey{l.Code, l.ExpiresOn}] != l.Quantity {
						rt.Fatalf("sale of %d from lots %v took %+v, want %v", q, named, mv.Lots, want)
					}
					m[lotKey{l.Code, l.ExpiresOn}] -= l.Quantity
				}
			},
			"count": func(rt *rapid.T) {
				q := rapid.Int64Range(0, m.total()+5).Draw(rt, "q")
				tok(h, stock.OpStockSet, &stock.StockCount{SKU: sku, Quantity: q})
				if q >= m.total() {
					m[lotKey{}] += q - m.total()
					return
				}
				// A count down takes FEFO, expired lots first.
				left := m.total() - q
				for _, k := range sortedKeys(m) {
					n := min(left, m[k])
					m[k], left = m[k]-n, left-n
				}
			},
		})
		checkLots(rt, h, sku, m)
		for {
			page := tok(h, stock.OpChanges, &stock.ChangesQuery{Origin: "MAD-1", AfterSeq: pulled, Limit: 500})
			if len(page.Entries) == 0 {
				break
			}
			tok(r, stock.OpApplyChanges, &stock.ChangeBatch{Entries: page.Entries})
			pulled = page.Entries[len(page.Entries)-1].Seq
		}
		if a, b := tok(h, stock.OpProductLines, &stock.ProductRef{SKU: sku}), tok(r, stock.OpProductLines, &stock.ProductRef{SKU: sku, Warehouse: "MAD-1"}); !slices.Equal(a.Lines, b.Lines) {
			rt.Fatalf("replica holds %+v, origin %+v", b.Lines, a.Lines)
		}
	})
}

// sortedKeys returns the lots of m in FEFO order, expired ones included.
func sortedKeys(m lotModel) []lotKey {
	lines := make([]stock.StockLine, 0, len(m))
	for k := range m {
		lines = append(lines, stock.StockLine{Code: k.code, ExpiresOn: k.expires})
	}
	var out []lotKey
	for _, l := range stock.SortLines(lines) {
		out = append(out, lotKey{l.Code, l.ExpiresOn})
	}
	return out
}

// checkLots checks that h holds m: its lines by lot, its stock and its
// ledger's sum.
func checkLots(rt *rapid.T, h *harness, sku string, m lotModel) {
	lots := (&stock.StockLines{Lines: tok(h, stock.OpProductLines, &stock.ProductRef{SKU: sku}).Lines}).Lots()
	got := lotModel{}
	var sum int64
	for _, l := range lots {
		got[lotKey{l.Code, l.ExpiresOn}] += l.Quantity
		sum += l.Quantity
	}
	for k, n := range m {
		if got[k] != n {
			rt.Fatalf("lots %v, want %v", got, m)
		}
	}
	p := h.product(sku)
	var ledger int64
	for _, mv := range h.movements(stock.MovementFilter{SKU: sku}) {
		ledger += mv.Quantity
	}
	if sum != p.Quantity || ledger != p.Quantity || p.Quantity != m.total() {
		rt.Fatalf("lots sum to %d, ledger to %d, stock %d, model %d", sum, ledger, p.Quantity, m.total())
	}
}
