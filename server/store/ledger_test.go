package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stockmesh/stockmesh/ent/movement"
	"github.com/stockmesh/stockmesh/ent/product"
	"github.com/stockmesh/stockmesh/server/stock"
)

// checkLedger asserts that every product's quantity (deleted ones too)
// equals the sum of its movements, that each movement's balance is the
// running sum, that change sequences are unique per warehouse, and that
// for every sku the sum of all its movements, across deletions and
// re-creations, equals the stock of its live product (0 when it has none).
func checkLedger(t testing.TB, h *harness) {
	t.Helper()
	ctx := t.Context()
	c := h.direct()
	products, err := c.Product.Query().Order(product.ByID()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	moves, err := c.Movement.Query().Order(movement.BySeq()).All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[int]int64{}
	type whSeq struct {
		warehouse string
		seq       int64
	}
	seqs := map[whSeq]bool{}
	for _, m := range moves {
		sums[m.ProductID] += m.Quantity
		if m.Balance != sums[m.ProductID] {
			t.Fatalf("movement %d of %s: balance %d, running sum %d", m.Seq, m.Sku, m.Balance, sums[m.ProductID])
		}
		if seqs[whSeq{m.WarehouseID, m.Seq}] {
			t.Fatalf("seq %s:%d used twice", m.WarehouseID, m.Seq)
		}
		seqs[whSeq{m.WarehouseID, m.Seq}] = true
	}
	bySKU, live := map[string]int64{}, map[string]int64{}
	for _, m := range moves {
		bySKU[m.WarehouseID+"/"+m.Sku] += m.Quantity
	}
	for _, p := range products {
		if p.Quantity != sums[p.ID] {
			t.Fatalf("product %s (id %d): quantity %d, movements sum to %d", p.Sku, p.ID, p.Quantity, sums[p.ID])
		}
		if p.DeletedAt == nil {
			live[p.WarehouseID+"/"+p.Sku] = p.Quantity
		} else if p.Quantity != 0 {
			t.Fatalf("deleted product %s (id %d) kept %d units", p.Sku, p.ID, p.Quantity)
		}
	}
	for sku, sum := range bySKU {
		if sum != live[sku] {
			t.Fatalf("%s: its movements sum to %d, its stock is %d", sku, sum, live[sku])
		}
	}
}

// model is what the store should do, kept in memory.
type model struct {
	seq  int64
	live map[string]int64 // sku → quantity
	keys map[string]keyed // idempotency key → first request and reply
}

type keyed struct {
	in    stock.MovementInput
	reply testReply
}

// randomJob returns a random write job over a few skus.
func randomJob(r *rand.Rand, n int) testJob {
	sku := fmt.Sprintf("P-%d", r.IntN(6))
	switch x := r.IntN(20); {
	case x < 2:
		return testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: sku, Name: sku, InitialQuantity: r.Int64N(3) * 5}}
	case x < 3:
		return testJob{Op: stock.OpProductDelete, SKU: sku}
	case x < 4:
		return testJob{Op: stock.OpStockSet, SKU: sku, Quantity: r.Int64N(20)}
	case x < 5:
		in := &stock.UpdateProductInput{Quantity: ptr(r.Int64N(20))}
		if r.IntN(2) == 0 {
			in.Name = ptr(fmt.Sprintf("name %d", n))
		}
		return testJob{Op: stock.OpProductUpdate, SKU: sku, Update: in}
	}
	kinds := []stock.Kind{stock.KindPurchase, stock.KindSale, stock.KindSale, stock.KindReturn, stock.KindAdjustment}
	in := &stock.MovementInput{SKU: sku, Kind: kinds[r.IntN(len(kinds))], Quantity: 1 + r.Int64N(6)}
	if in.Kind == stock.KindAdjustment && r.IntN(2) == 0 {
		in.Quantity = -in.Quantity
	}
	if r.IntN(4) == 0 {
		in.IdempotencyKey = fmt.Sprintf("k-%d", r.IntN(10))
	}
	return testJob{Op: stock.OpMovementRecord, Movement: in}
}

// check compares a reply with what the model expects and advances the model.
func (m *model) check(t *testing.T, j testJob, r testReply) {
	t.Helper()
	want, seqs := m.expect(j)
	if code(r) != want {
		t.Fatalf("%s %+v: got %+v, want code %q", j.Op, j, r.Err, want)
	}
	if want != "" {
		return
	}
	switch j.Op {
	case stock.OpMovementRecord:
		if k := j.Movement.IdempotencyKey; k != "" {
			if prev, ok := m.keys[k]; ok {
				if string(mustJSON(t, r)) != string(mustJSON(t, prev.reply)) {
					t.Fatalf("replay of key %s = %+v, want %+v", k, r.Movement, prev.reply.Movement)
				}
				return
			}
			m.keys[k] = keyed{*j.Movement, r}
		}
		fallthrough
	case stock.OpStockSet:
		m.live[r.Movement.SKU] = r.Movement.Balance
	}
	m.seq += seqs
	got := int64(0)
	if r.Movement != nil {
		got = r.Movement.Seq
	} else if r.Product != nil {
		got = r.Product.Seq
	}
	if seqs > 0 && got != m.seq {
		t.Fatalf("%s %+v: seq %d, want %d", j.Op, j, got, m.seq)
	}
}

// expect returns the code the model expects for j and how many change
// sequences it takes, and applies the product changes of j to the model.
func (m *model) expect(j testJob) (stock.Code, int64) {
	switch j.Op {
	case stock.OpProductCreate:
		if _, ok := m.live[j.Create.SKU]; ok {
			return stock.CodeAlreadyExists, 0
		}
		m.live[j.Create.SKU] = j.Create.InitialQuantity
		return "", 1 + min(j.Create.InitialQuantity, 1)
	case stock.OpMovementRecord:
		in := j.Movement
		if prev, ok := m.keys[in.IdempotencyKey]; ok && in.IdempotencyKey != "" {
			if prev.in != *in {
				return stock.CodeInvalidInput, 0
			}
			return "", 0
		}
		q, ok := m.live[in.SKU]
		if !ok {
			return stock.CodeNotFound, 0
		}
		if q+in.Kind.Delta(in.Quantity) < 0 {
			return stock.CodeInsufficientStock, 0
		}
		return "", 1
	}
	q, ok := m.live[j.SKU]
	if !ok {
		return stock.CodeNotFound, 0
	}
	switch j.Op {
	case stock.OpProductDelete:
		delete(m.live, j.SKU)
		return "", 1 + min(q, 1) // units left in stock leave through an ADJUSTMENT first
	case stock.OpProductUpdate:
		n := int64(0)
		if j.Update.Name != nil {
			n++
		}
		if *j.Update.Quantity != q {
			m.live[j.SKU] = *j.Update.Quantity
			n++
		}
		return "", n
	}
	return "", 1 // stock.set
}

// TestRandomLoadMatchesModel runs random batches and checks every reply,
// every change sequence and the ledger against an in-memory model, across
// a reopen.
func TestRandomLoadMatchesModel(t *testing.T) {
	h := newHarness(t)
	m := &model{live: map[string]int64{}, keys: map[string]keyed{}}
	r := rand.New(rand.NewPCG(1, 2))
	n := 0
	for round := range 40 {
		if round == 20 {
			h.reopen()
		}
		jobs := make([]testJob, 1+r.IntN(30))
		for i := range jobs {
			jobs[i] = randomJob(r, n)
			n++
		}
		for i, rep := range h.write(jobs...) {
			m.check(t, jobs[i], rep)
		}
	}
	checkLedger(t, h)
	for sku, q := range m.live {
		if got := h.product(sku).Quantity; got != q {
			t.Errorf("%s: quantity %d, model %d", sku, got, q)
		}
	}
}

// TestConcurrentLoad builds batches in several goroutines, serialized
// through a mutex like the single writer, while readers list and get.
func TestConcurrentLoad(t *testing.T) {
	h := newHarness(t)
	for i := range 6 {
		h.create(fmt.Sprintf("P-%d", i), 20)
	}
	var writer sync.Mutex
	var wg, readers sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 16)
	for g := range 4 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 7))
			for range 15 {
				raw := make([][]byte, 1+r.IntN(20))
				for i := range raw {
					raw[i] = randomJob(r, i).encode(t)
				}
				writer.Lock()
				out := h.s.HandleWrites(raw)
				writer.Unlock()
				if len(out) != len(raw) {
					errs <- fmt.Errorf("%d replies for %d jobs", len(out), len(raw))
				}
			}
		})
	}
	for g := range 3 {
		readers.Go(func() {
			jobs := []testJob{
				{Op: stock.OpProductList, Products: &stock.ProductQuery{Search: "p-"}},
				{Op: stock.OpMovementList, Movements: &stock.MovementQuery{First: 100}},
				{Op: stock.OpProductGet, SKU: fmt.Sprintf("P-%d", g)},
			}
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				j := jobs[i%len(jobs)]
				err := stock.DecodeReply(h.s.HandleRead(context.Background(), j.encode(t)), new(json.RawMessage))
				if c := stock.CodeOf(err); err != nil && c != stock.CodeNotFound {
					errs <- fmt.Errorf("read %s: %w", j.opName(), err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkLedger(t, h)
}
