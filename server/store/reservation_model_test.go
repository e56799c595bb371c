package store

import (
	"context"
	"testing"

	"pgregory.net/rapid"

	"github.com/stockmesh/stockmesh/server/stock"
)

// reservationModel is what the writer should hold of product A: its stock
// and the units each active reservation holds, by id.
type reservationModel struct {
	quantity int64
	active   map[string]int64
}

func (m *reservationModel) held() int64 {
	var n int64
	for _, q := range m.active {
		n += q
	}
	return n
}

// TestReservationModel: reservations, fulfilments, releases, expiries,
// sales, purchases and counts interleaved at random keep the writer equal
// to a model: a plain sale or a reservation succeeds exactly when the
// available units cover it, available is never negative and always
// quantity − the active reservations' units, and the ledger sums to the
// stock.
func TestReservationModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t) // its failures end the test; the model's are rapid's to shrink
		defer h.s.Close()
		h.create("A", 20)
		m := &reservationModel{quantity: 20, active: map[string]int64{}}
		pick := func(rt *rapid.T) (string, bool) {
			if len(m.active) == 0 {
				return "", false
			}
			ids := make([]string, 0, len(m.active))
			for id := range m.active {
				ids = append(ids, id)
			}
			return rapid.SampledFrom(sortedStrings(ids)).Draw(rt, "id"), true
		}
		rt.Repeat(map[string]func(*rapid.T){
			"sale": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 15).Draw(rt, "q")
				_, e := tdo(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: q})
				ok := q <= stock.Available(m.quantity, m.held())
				if (e == nil) != ok || (e != nil && e.Code != stock.CodeInsufficientStock) {
					rt.Fatalf("sale of %d with %d in stock, %d held: %v", q, m.quantity, m.held(), e)
				}
				if ok {
					m.quantity -= q
				}
			},
			"purchase": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 10).Draw(rt, "q")
				tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindPurchase, Quantity: q})
				m.quantity += q
			},
			"count": func(rt *rapid.T) {
				q := rapid.Int64Range(0, 25).Draw(rt, "q")
				tok(h, stock.OpStockSet, &stock.StockCount{SKU: "A", Quantity: q})
				m.quantity = q // the shelf is what it is, reservations or not
			},
			"reserve": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 10).Draw(rt, "q")
				r, e := tdo(h, stock.OpReservationReserve, &stock.ReserveStockInput{SKU: "A", Quantity: q})
				ok := q <= stock.Available(m.quantity, m.held())
				if (e == nil) != ok {
					rt.Fatalf("reserving %d with %d in stock, %d held: %v", q, m.quantity, m.held(), e)
				}
				if ok {
					m.active[r.ID] = q
				}
			},
			"release": func(rt *rapid.T) {
				id, ok := pick(rt)
				if !ok {
					rt.Skip("no active reservation")
				}
				if r := tok(h, stock.OpReservationRelease, &stock.ReservationRef{ID: id}); r.Status != stock.ReservationReleased {
					rt.Fatalf("released %+v", r)
				}
				delete(m.active, id)
			},
			"fulfil": func(rt *rapid.T) {
				id, ok := pick(rt)
				if !ok {
					rt.Skip("no active reservation")
				}
				sell := rapid.Int64Range(1, m.active[id]).Draw(rt, "sell")
				r, e := tdo(h, stock.OpReservationFulfil, &stock.FulfilInput{ID: id, Quantity: &sell})
				if (e == nil) != (sell <= m.quantity) {
					rt.Fatalf("fulfilling %d of %s with %d in stock: %v", sell, id, m.quantity, e)
				}
				if e == nil {
					if r.Status != stock.ReservationFulfilled || r.Fulfilled != sell {
						rt.Fatalf("fulfilled %+v", r)
					}
					m.quantity -= sell
					delete(m.active, id)
				}
			},
			"expire": func(rt *rapid.T) {
				id, ok := pick(rt)
				if !ok {
					rt.Skip("no active reservation")
				}
				// Its time passes: the expiry the writer reads is in the past.
				if _, err := h.s.wdb.ExecContext(context.Background(), `UPDATE reservations SET expires_at = 1 WHERE id = ?`, id); err != nil {
					rt.Fatal(err)
				}
				if got := tok(h, stock.OpReservationExpire, &stock.ExpireRequest{}).Reservations; len(got) != 1 || got[0].ID != id || got[0].Status != stock.ReservationExpired {
					rt.Fatalf("expired %+v, want %s", got, id)
				}
				delete(m.active, id)
			},
			"": func(rt *rapid.T) {
				p := h.product("A")
				switch {
				case p.Quantity != m.quantity || p.Reserved != m.held():
					rt.Fatalf("A: %d in stock, %d reserved; the model: %d and %d", p.Quantity, p.Reserved, m.quantity, m.held())
				case p.Available() < 0 || p.Available() != max(0, p.Quantity-p.Reserved):
					rt.Fatalf("available %d of %d with %d reserved", p.Available(), p.Quantity, p.Reserved)
				case p.OverReserved() != max(0, p.Reserved-p.Quantity):
					rt.Fatalf("overReserved %d of %d with %d reserved", p.OverReserved(), p.Quantity, p.Reserved)
				}
				var sum int64
				for _, mv := range h.movements(stock.MovementFilter{SKU: "A"}) {
					sum += mv.Quantity
				}
				if sum != p.Quantity {
					rt.Fatalf("the ledger sums to %d, the stock is %d", sum, p.Quantity)
				}
			},
		})
	})
}

// TestStocktakeModel: a stocktake counted while sales, purchases and
// recounts go on, then finalized, ends with the stock equal to the last
// count plus the movements after it; one whose final stock would be
// negative is refused and changes nothing.
func TestStocktakeModel(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := newHarness(t)
		defer h.s.Close()
		h.create("A", 20)
		st := tok(h, stock.OpStocktakeStart, &stock.StartStocktakeInput{SKUs: []string{"A"}})
		quantity, counted, after := int64(20), int64(-1), int64(0) // after: the movements since the last count
		rt.Repeat(map[string]func(*rapid.T){
			"sale": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 8).Draw(rt, "q")
				if _, e := tdo(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: q}); e == nil {
					quantity, after = quantity-q, after-q
				}
			},
			"purchase": func(rt *rapid.T) {
				q := rapid.Int64Range(1, 8).Draw(rt, "q")
				tok(h, stock.OpMovementRecord, &stock.MovementInput{SKU: "A", Kind: stock.KindPurchase, Quantity: q})
				quantity, after = quantity+q, after+q
			},
			"count": func(rt *rapid.T) {
				c := rapid.Int64Range(0, 30).Draw(rt, "counted")
				l := tok(h, stock.OpStocktakeCount, &stock.RecordCountInput{Stocktake: st.ID, SKU: "A", Counted: c})
				if *l.Expected != quantity || *l.Variance() != c-quantity {
					rt.Fatalf("counted %d with %d in stock: %+v", c, quantity, l)
				}
				counted, after = c, 0
			},
		})
		_, e := tdo(h, stock.OpStocktakeFinalize, &stock.FinalizeInput{ID: st.ID})
		want := quantity
		if counted >= 0 {
			want = counted + after
		}
		switch {
		case want < 0 && (e == nil || e.Code != stock.CodeInsufficientStock):
			rt.Fatalf("finalizing to %d answered %v", want, e)
		case want < 0:
			want = quantity // refused: nothing changed
		case e != nil:
			rt.Fatalf("finalizing: %v", e)
		}
		if got := h.product("A").Quantity; got != want {
			rt.Fatalf("A = %d after finalizing, want %d (counted %d, %d after)", got, want, counted, after)
		}
	})
}

// sortedStrings returns s sorted, so that a draw from it replays.
func sortedStrings(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}
