package store

import (
	"encoding/json"
	"log/slog"
	"sync"
	"testing"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/stockmesh/stockmesh/ent"

	"github.com/stockmesh/stockmesh/server/stock"
)

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu   sync.Mutex
	msgs []stock.Change
}

func (r *recorder) Publish(msg []byte) {
	var c stock.Change
	if err := json.Unmarshal(msg, &c); err != nil {
		panic(err)
	}
	r.mu.Lock()
	r.msgs = append(r.msgs, c)
	r.mu.Unlock()
}

func (r *recorder) changes() []stock.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stock.Change(nil), r.msgs...)
}

// harness is an open store in a temp dir with helpers that encode jobs.
type harness struct {
	t   testing.TB
	dir string
	s   *Store
	pub *recorder
}

// newHarness opens a store in a new temp dir and initialises warehouse
// MAD-1.
func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	h.open()
	h.ok(stock.Job{Op: stock.OpWarehouseInit, Warehouse: &stock.Warehouse{ID: "MAD-1", Name: "Madrid"}})
	return h
}

func (h *harness) open() {
	h.t.Helper()
	h.pub = &recorder{}
	s, err := Open(h.dir, Options{Readers: 3, Publisher: h.pub, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		h.t.Fatalf("Open: %v", err)
	}
	h.s = s
	h.t.Cleanup(func() { s.Close() })
}

func (h *harness) reopen() {
	h.t.Helper()
	if err := h.s.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
	h.open()
}

// write runs jobs as one batch and decodes the replies.
func (h *harness) write(jobs ...stock.Job) []stock.Reply {
	h.t.Helper()
	raw := make([][]byte, len(jobs))
	for i, j := range jobs {
		raw[i] = mustJSON(h.t, j)
	}
	out := h.s.HandleWrites(raw)
	if len(out) != len(jobs) {
		h.t.Fatalf("HandleWrites returned %d replies for %d jobs", len(out), len(jobs))
	}
	replies := make([]stock.Reply, len(out))
	for i, b := range out {
		if err := json.Unmarshal(b, &replies[i]); err != nil {
			h.t.Fatalf("decoding reply %q: %v", b, err)
		}
	}
	return replies
}

// read runs one read job.
func (h *harness) read(job stock.Job) stock.Reply {
	h.t.Helper()
	var r stock.Reply
	if err := json.Unmarshal(h.s.HandleRead(mustJSON(h.t, job)), &r); err != nil {
		h.t.Fatalf("decoding reply: %v", err)
	}
	return r
}

// ok runs one job (a write or a read) and fails the test on an error reply.
func (h *harness) ok(job stock.Job) stock.Reply {
	h.t.Helper()
	var r stock.Reply
	if job.Op.Writes() {
		r = h.write(job)[0]
	} else {
		r = h.read(job)
	}
	if r.Err != nil {
		h.t.Fatalf("%s: %s %s", job.Op, r.Err.Code, r.Err.Message)
	}
	return r
}

func (h *harness) create(sku string, qty int64) *stock.Product {
	h.t.Helper()
	return h.ok(stock.Job{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{
		SKU: sku, Name: "Product " + sku, Price: 19_9900, InitialQuantity: qty}}).Product
}

func (h *harness) product(sku string) *stock.Product {
	h.t.Helper()
	return h.ok(stock.Job{Op: stock.OpProductGet, SKU: sku}).Product
}

// movements returns every movement matching f, newest first, paging
// through the listing.
func (h *harness) movements(f stock.MovementFilter) []stock.Movement {
	h.t.Helper()
	var out []stock.Movement
	q := stock.MovementQuery{Filter: f, First: 7}
	for {
		p := h.ok(stock.Job{Op: stock.OpMovementList, Movements: &q}).MovementPage
		out = append(out, p.Movements...)
		if !p.HasNext {
			return out
		}
		q.After = stock.MovementCursor(p.Movements[len(p.Movements)-1].Seq)
	}
}

func move(sku string, kind stock.Kind, qty int64) stock.Job {
	return stock.Job{Op: stock.OpMovementRecord, Movement: &stock.MovementInput{SKU: sku, Kind: kind, Quantity: qty}}
}

func sale(sku string, qty int64) stock.Job { return move(sku, stock.KindSale, qty) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	return b
}

// failCommitsOf makes every COMMIT fail, through a deferred foreign key,
// once the transaction holds a movement noted note.
func (h *harness) failCommitsOf(note string) {
	h.t.Helper()
	for _, q := range []string{
		`CREATE TABLE dangling (p INTEGER REFERENCES products(id) DEFERRABLE INITIALLY DEFERRED)`,
		`CREATE TRIGGER dangle AFTER INSERT ON movements WHEN NEW.note = '` + note + `'
			BEGIN INSERT INTO dangling VALUES (-1); END`,
	} {
		if _, err := h.s.wdb.Exec(q); err != nil {
			h.t.Fatal(err)
		}
	}
}

// direct returns an ent client on the writer connection, to inspect or
// change the database behind the store's back; never while a job runs.
func (h *harness) direct() *ent.Client {
	return ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, h.s.wdb)))
}

// code returns the error code of a reply, "" for success.
func code(r stock.Reply) stock.Code {
	if r.Err == nil {
		return ""
	}
	return r.Err.Code
}
