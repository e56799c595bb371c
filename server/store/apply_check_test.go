package store

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestApplyRefusesForgedEntries: each entry of a forged run (a field
// beyond the API's rules, an unknown kind or type, a balance that does not
// follow from the replica's stock, a transfer no writer makes) is refused
// as stock.ErrInvalidEntry and changes nothing on the replica (products,
// ledger, change log), and the origin's true entries still apply after.
func TestApplyRefusesForgedEntries(t *testing.T) {
	origin := newHarness(t)
	origin.create("A", 5)
	origin.ok(sale("A", 1))
	origin.create("B", 3)
	origin.ok(testJob{Op: stock.OpProductUpdate, SKU: "A", Update: &stock.UpdateProductInput{Name: ptr("a")}})
	origin.ok(testJob{Op: stock.OpProductDelete, SKU: "B"})
	origin.ok(sale("A", 2))
	// 1 A created, 2 its PURCHASE, 3 SALE, 4 B created, 5 its PURCHASE,
	// 6 A updated, 7 B's ADJUSTMENT to 0, 8 B deleted, 9 SALE of A
	log := readLog(t, origin, "MAD-1", 100)
	if len(log) != 9 {
		t.Fatalf("the origin's log has %d entries, want 9", len(log))
	}
	h := newReplica(t, &stock.Warehouse{ID: "REPLAY"})
	h.ok(applyJob(log[:2]))

	forge := func(i int, change func(*stock.LogEntry)) []stock.LogEntry {
		run := make([]stock.LogEntry, 0, len(log)-2)
		for j := 2; j <= i; j++ {
			e := log[j]
			if e.Movement != nil {
				m := *e.Movement
				e.Movement = &m
			}
			if e.Product != nil {
				p := *e.Product
				e.Product = &p
			}
			run = append(run, e)
		}
		change(&run[len(run)-1])
		return run
	}
	movement := func(change func(*stock.Movement)) func(*stock.LogEntry) {
		return func(e *stock.LogEntry) { change(e.Movement) }
	}
	product := func(change func(*stock.Product)) func(*stock.LogEntry) {
		return func(e *stock.LogEntry) { change(e.Product) }
	}
	cases := []struct {
		name string
		run  []stock.LogEntry
	}{
		{"sale with a negative balance", forge(2, movement(func(m *stock.Movement) { m.Quantity, m.Balance = -6, -2 }))},
		{"purchase of 2^63-1", forge(2, movement(func(m *stock.Movement) {
			m.Kind, m.Quantity, m.Balance = stock.KindPurchase, 1<<63-1, 1<<63-1
		}))},
		{"purchase beyond the stock a product holds", forge(2, movement(func(m *stock.Movement) {
			m.Kind, m.Quantity, m.Balance = stock.KindPurchase, stock.MaxStock, stock.MaxStock+4
		}))},
		{"note over the limit", forge(2, movement(func(m *stock.Movement) { m.Note = strings.Repeat("x", stock.MaxNoteLen+1) }))},
		{"note with a control character", forge(2, movement(func(m *stock.Movement) { m.Note = "a\x00b" }))},
		{"reference over the limit", forge(2, movement(func(m *stock.Movement) { m.Reference = strings.Repeat("r", stock.MaxReferenceLen+1) }))},
		{"actor over the limit", forge(2, movement(func(m *stock.Movement) { m.Actor = strings.Repeat("a", stock.MaxTokenNameLen+1) }))},
		{"idempotency key of invalid UTF-8", forge(2, movement(func(m *stock.Movement) { m.IdempotencyKey = "k\xff" }))},
		{"unknown kind", forge(2, movement(func(m *stock.Movement) { m.Kind = "THEFT" }))},
		{"sale of positive quantity", forge(2, movement(func(m *stock.Movement) { m.Quantity, m.Balance = 1, 5 }))},
		{"balance that does not follow", forge(2, movement(func(m *stock.Movement) { m.Balance = 400 }))},
		{"movement of another warehouse", forge(2, movement(func(m *stock.Movement) { m.Warehouse = "BCN-1" }))},
		{"movement of another seq", forge(2, movement(func(m *stock.Movement) { m.Seq = 99 }))},
		{"movement of a product not held", forge(2, movement(func(m *stock.Movement) { m.SKU, m.Balance = "NOPE", 0 }))},
		{"sku with spaces", forge(2, movement(func(m *stock.Movement) { m.SKU = " A" }))},
		{"zero time", forge(2, func(e *stock.LogEntry) { e.At, e.Movement.CreatedAt = time.Time{}, time.Time{} })},
		{"unknown type", forge(3, func(e *stock.LogEntry) { e.Type = "product.renamed" })},
		{"product created with stock", forge(3, product(func(p *stock.Product) { p.Quantity = 1000 }))},
		{"product created twice", forge(3, product(func(p *stock.Product) { p.SKU = "A" }))},
		{"name over the limit", forge(3, product(func(p *stock.Product) { p.Name = strings.Repeat("n", stock.MaxNameLen+1) }))},
		{"reorder point beyond the stock a product holds", forge(3, product(func(p *stock.Product) { p.ReorderPoint = stock.MaxStock + 1 }))},
		{"update of an unknown field", forge(5, func(e *stock.LogEntry) { e.Changed = []string{"quantity"} })},
		{"deletion of a product with stock", forge(7, func(e *stock.LogEntry) {
			*e = log[7]
			e.Seq = 7 // B's ADJUSTMENT to 0 (seq 7) left out
		})},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := dumpAll(t, h)
			r := h.write(applyJob(c.run))[0]
			if r.Err == nil || !errors.Is(r.Err, stock.ErrInvalidEntry) {
				t.Errorf("reply %+v, want an invalid entry", r.Err)
			} else if !strings.Contains(r.Err.Message, fmt.Sprintf(":%d: ", c.run[len(c.run)-1].Seq)) {
				t.Errorf("message %q does not name the entry", r.Err.Message)
			}
			if d := diffLines(dumpAll(t, h), before); d != "" {
				t.Errorf("the refused run changed the replica: %s", d)
			}
		})
	}
	h.ok(applyJob(log[2:]))
	if got := readLog(t, h, "MAD-1", 100); !reflect.DeepEqual(got, log) {
		t.Errorf("after the refusals the replica's log differs from the origin's")
	}
	checkLedger(t, h)
}

// TestApplyRefusesForgedTransfers: transfer entries that no sender or
// receiver writes are refused as stock.ErrInvalidEntry, changing nothing.
func TestApplyRefusesForgedTransfers(t *testing.T) {
	h := newReplica(t, &stock.Warehouse{ID: "REPLAY"})
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	good := func() stock.LogEntry {
		return stock.LogEntry{Origin: "MAD-1", Seq: 1, At: at, Type: stock.EntryTransferCreated, Transfer: &stock.Transfer{
			ID: "MAD-1:T1", Status: stock.TransferInTransit, SKU: "A", Quantity: 5, From: "MAD-1", To: "REPLAY",
			CreatedAt: at, OutMovement: "MAD-1:1"}}
	}
	cases := []struct {
		name   string
		change func(*stock.LogEntry)
	}{
		{"negative quantity", func(e *stock.LogEntry) { e.Transfer.Quantity = -5 }},
		{"quantity beyond a movement's", func(e *stock.LogEntry) { e.Transfer.Quantity = stock.MaxQuantity + 1 }},
		{"unknown status", func(e *stock.LogEntry) { e.Transfer.Status = "LOST" }},
		{"status its facts do not make", func(e *stock.LogEntry) { e.Transfer.Status = stock.TransferReceived }},
		{"to itself", func(e *stock.LogEntry) { e.Transfer.To = "MAD-1" }},
		{"created by the receiver", func(e *stock.LogEntry) { e.Origin = "REPLAY" }},
		{"received without a receipt", func(e *stock.LogEntry) { e.Type = stock.EntryTransferReceived }},
		{"id of another sender", func(e *stock.LogEntry) { e.Transfer.ID = "BCN-1:T1" }},
		{"out movement of another seq", func(e *stock.LogEntry) { e.Transfer.OutMovement = "MAD-1:2" }},
		{"note over the limit", func(e *stock.LogEntry) { e.Transfer.Note = strings.Repeat("n", stock.MaxNoteLen+1) }},
		{"warehouse id with '..'", func(e *stock.LogEntry) { e.Transfer.To = "../etc" }},
		{"zero creation time", func(e *stock.LogEntry) { e.Transfer.CreatedAt = time.Time{} }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := good()
			c.change(&e)
			before := dumpAll(t, h)
			r := h.write(applyJob([]stock.LogEntry{e}))[0]
			if r.Err == nil || !errors.Is(r.Err, stock.ErrInvalidEntry) {
				t.Errorf("reply %+v, want an invalid entry", r.Err)
			}
			if d := diffLines(dumpAll(t, h), before); d != "" {
				t.Errorf("the refused run changed the replica: %s", d)
			}
		})
	}
	h.ok(applyJob([]stock.LogEntry{good()}))
}

// randomValidLog returns a log of origin of n entries that Validate
// accepts and whose balances follow, with quantities anywhere in the API's
// bounds (up to MaxStock) and prices up to maxPrice.
func randomValidLog(t *testing.T, r *rand.Rand, origin string, n int, maxPrice stock.Price) []stock.LogEntry {
	t.Helper()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var log []stock.LogEntry
	stockOf := map[string]int64{}
	skus := []string{"S-0", "S-1", "S-2"}
	for len(log) < n {
		seq := int64(len(log) + 1)
		at = at.Add(time.Duration(r.Int64N(int64(3 * time.Hour))))
		sku := skus[r.IntN(len(skus))]
		e := stock.LogEntry{Origin: origin, Seq: seq, At: at}
		q, held := stockOf[sku]
		if !held {
			e.Type = stock.EntryProductCreated
			e.Product = &stock.Product{Warehouse: origin, SKU: sku, Name: "N", Price: stock.Price(r.Int64N(int64(maxPrice) + 1)),
				ReorderPoint: r.Int64N(stock.MaxStock + 1), Seq: seq, CreatedAt: at, UpdatedAt: at}
			stockOf[sku] = 0
		} else {
			k := stock.Kinds[r.IntN(len(stock.Kinds)-1)] // not RELOCATION, which moves lots between locations
			var d int64
			switch {
			case k == stock.KindAdjustment:
				d = r.Int64N(stock.MaxStock+1) - q
			case k.Delta(1) < 0:
				d = -min(q, 1+r.Int64N(stock.MaxQuantity))
			case k == stock.KindPurchase:
				d = min(stock.MaxStock-q, 1+r.Int64N(stock.MaxStock))
			default:
				d = min(stock.MaxStock-q, 1+r.Int64N(stock.MaxQuantity))
			}
			if d == 0 && k != stock.KindAdjustment {
				continue
			}
			stockOf[sku] = q + d
			e.Type = stock.EntryMovement
			e.Movement = &stock.Movement{ID: stock.MovementID(origin, seq), Warehouse: origin, Seq: seq, SKU: sku, Kind: k,
				Quantity: d, Balance: q + d, Note: strings.Repeat("n", r.IntN(stock.MaxNoteLen+1)), CreatedAt: at}
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("generated entry %+v: %v", e, err)
		}
		log = append(log, e)
	}
	return log
}

// TestApplyValidEntriesAnywhereInBounds: random runs of entries that
// ChangeBatch.Normalize accepts, with quantities anywhere in the API's
// bounds (MaxStock units), apply without error, keep the ledger equal to
// the stock, and every report over them answers: the bounds keep the
// units' sums far from overflowing. Prices stay low enough that the value
// of all of it (600 movements of MaxStock units) is at most MaxPrice: a
// report's value is a sum of units times price, a stock.Price, which the
// API's bounds alone do not keep within MaxPrice (or an int64).
func TestApplyValidEntriesAnywhereInBounds(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	h := newReplica(t, &stock.Warehouse{ID: "REPLAY"})
	for _, origin := range []string{"MAD-1", "BCN-1"} {
		log := randomValidLog(t, r, origin, 300, stock.MaxPrice/(600*stock.MaxStock))
		for i := 0; i < len(log); {
			end := min(len(log), i+1+r.IntN(50))
			h.ok(applyJob(log[i:end]))
			i = end
		}
	}
	checkLedger(t, h)
	groups := [][]stock.ReportGroup{{stock.GroupSKU}, {stock.GroupWarehouse}, {stock.GroupKind, stock.GroupMonth},
		{stock.GroupWarehouse, stock.GroupSKU, stock.GroupDay}}
	for _, g := range groups {
		q := stock.ReportQuery{GroupBy: g}
		if _, err := call(t, h, stock.OpMovementReport, &q); err != nil {
			t.Errorf("report by %v: %s %s", g, err.Code, err.Message)
		}
	}
}
