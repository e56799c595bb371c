package store

import (
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
// running sum, and that change sequences are unique.
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
	seqs := map[int64]bool{}
	for _, m := range moves {
		sums[m.ProductID] += m.Quantity
		if m.Balance != sums[m.ProductID] {
			t.Fatalf("movement %d of %s: balance %d, running sum %d", m.Seq, m.Sku, m.Balance, sums[m.ProductID])
		}
		if seqs[m.Seq] {
			t.Fatalf("seq %d used twice", m.Seq)
		}
		seqs[m.Seq] = true
	}
	for _, p := range products {
		if p.Quantity != sums[p.ID] {
			t.Fatalf("product %s (id %d): quantity %d, movements sum to %d", p.Sku, p.ID, p.Quantity, sums[p.ID])
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
	reply stock.Reply
}

// randomJob returns a random write job over a few skus.
func randomJob(r *rand.Rand, n int) stock.Job {
	sku := fmt.Sprintf("P-%d", r.IntN(6))
	switch x := r.IntN(20); {
	case x < 2:
		return stock.Job{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: sku, Name: sku, InitialQuantity: r.Int64N(3) * 5}}
	case x < 3:
		return stock.Job{Op: stock.OpProductDelete, SKU: sku}
	case x < 4:
		return stock.Job{Op: stock.OpStockSet, SKU: sku, Quantity: r.Int64N(20)}
	case x < 5:
		in := &stock.UpdateProductInput{Quantity: ptr(r.Int64N(20))}
		if r.IntN(2) == 0 {
			in.Name = ptr(fmt.Sprintf("name %d", n))
		}
		return stock.Job{Op: stock.OpProductUpdate, SKU: sku, Update: in}
	}
	kinds := []stock.Kind{stock.KindPurchase, stock.KindSale, stock.KindSale, stock.KindReturn, stock.KindAdjustment}
	in := &stock.MovementInput{SKU: sku, Kind: kinds[r.IntN(len(kinds))], Quantity: 1 + r.Int64N(6)}
	if in.Kind == stock.KindAdjustment && r.IntN(2) == 0 {
		in.Quantity = -in.Quantity
	}
	if r.IntN(4) == 0 {
		in.IdempotencyKey = fmt.Sprintf("k-%d", r.IntN(10))
	}
	return stock.Job{Op: stock.OpMovementRecord, Movement: in}
}

// check compares a reply with what the model expects and advances the model.
func (m *model) check(t *testing.T, j stock.Job, r stock.Reply) {
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
func (m *model) expect(j stock.Job) (stock.Code, int64) {
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
		return "", 1
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
		jobs := make([]stock.Job, 1+r.IntN(30))
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
					raw[i] = mustJSON(t, randomJob(r, i))
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
			jobs := []stock.Job{
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
				var r stock.Reply
				if err := json.Unmarshal(h.s.HandleRead(mustJSON(t, jobs[i%len(jobs)])), &r); err != nil {
					errs <- err
					return
				}
				if c := code(r); c != "" && c != stock.CodeNotFound {
					errs <- fmt.Errorf("read %s: %s %s", jobs[i%len(jobs)].Op, c, r.Err.Message)
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
