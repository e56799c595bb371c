package store

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// largeImport returns an import of n new products with 10 units each, one
// more row than a chunk when n is stock.ImportChunk+1.
func largeImport(n int, key string) *stock.ProductImport {
	im := &stock.ProductImport{IdempotencyKey: key, Rows: make([]stock.ImportRow, n)}
	for i := range im.Rows {
		q := int64(10)
		im.Rows[i] = stock.ImportRow{Line: i + 2, SKU: fmt.Sprintf("L%05d", i), Name: "Imported", Price: 1_0000, Quantity: &q}
	}
	return im
}

// stagedService returns a Service over h's store without a queue.
func stagedService(h *harness) (*stock.Service, context.Context) {
	return stock.NewService(&dropQueue{s: h.s}), stock.WithActor(auth.AsNode(context.Background()), "importer")
}

// opsQueue is a queue without ZMQ that counts the jobs of each operation.
type opsQueue struct {
	s   *Store
	mu  sync.Mutex
	ops map[string]int
}

func (q *opsQueue) Do(ctx context.Context, class stock.Class, job []byte) ([]byte, error) {
	meta, _, err := stock.DecodeJob(job)
	if err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ops[meta.Op]++
	if class != stock.ClassWrite {
		return q.s.HandleRead(ctx, job), nil
	}
	return q.s.HandleWrites([][]byte{job})[0], nil
}

// stage stages im's rows under id, a chunk per job, without committing.
func stage(t *testing.T, ctx context.Context, svc *stock.Service, id string, im *stock.ProductImport) {
	t.Helper()
	for first := 0; first < len(im.Rows); first += stock.ImportChunk {
		rows := im.Rows[first:min(first+stock.ImportChunk, len(im.Rows))]
		if _, err := stock.Call(ctx, svc, stock.OpImportStage, &stock.ImportStage{ID: id, First: first, Rows: rows}); err != nil {
			t.Fatal(err)
		}
	}
}

// count returns the number of rows of table in h's database.
func (h *harness) count(table string) int {
	h.t.Helper()
	var n int
	if err := h.s.wdb.QueryRow(`SELECT count(*) FROM ` + table).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// TestStagedImport: an import of more rows than a chunk is applied a
// chunk per write job, whole, with its idempotency key (sent again, its
// rows are not staged again: the key is looked up first); rows staged but
// never accepted are dropped at the next start and change nothing; an
// accepted import is applied whole at the next start.
func TestStagedImport(t *testing.T) {
	n := stock.ImportChunk + 1
	tests := []struct {
		name string
		run  func(t *testing.T, h *harness, svc *stock.Service, ctx context.Context)
	}{
		{"applied whole, a chunk per job, once per key", func(t *testing.T, h *harness, svc *stock.Service, ctx context.Context) {
			res, err := svc.ImportProducts(ctx, *largeImport(n, "cat-1"))
			if err != nil || *res != (stock.ImportResult{Created: n}) {
				t.Fatalf("import = %+v, %v; want %d created", res, err, n)
			}
			if got := h.count("products"); got != n {
				t.Fatalf("%d products, want %d", got, n)
			}
			if m := h.movements(stock.MovementFilter{SKU: "L00000", Warehouse: "MAD-1"}); len(m) != 1 || m[0].Actor != "importer" {
				t.Fatalf("L00000's movements: %+v", m)
			}
			q := &opsQueue{s: h.s, ops: map[string]int{}}
			again, err := stock.NewService(q).ImportProducts(ctx, *largeImport(n, "cat-1"))
			if err != nil || *again != *res || h.count("movements") != n {
				t.Fatalf("sent again = %+v, %v (%d movements); want the first result, nothing applied", again, err, h.count("movements"))
			}
			if q.ops[stock.OpImportStage.Name] != 0 || q.ops[stock.OpImportKnown.Name] != 1 {
				t.Errorf("sent again with its key: jobs %v; want the key looked up and no row staged", q.ops)
			}
			other := largeImport(n, "cat-1")
			other.Rows[7].Name = "Other"
			if _, err := svc.ImportProducts(ctx, *other); stock.CodeOf(err) != stock.CodeInvalidInput {
				t.Fatalf("the key with other rows: %v; want INVALID_INPUT", err)
			}
			if h.reopen(); h.count("import_rows") != 0 {
				t.Fatalf("%d staged rows of a refused import left after a restart", h.count("import_rows"))
			}
		}},
		{"staged, never accepted", func(t *testing.T, h *harness, svc *stock.Service, ctx context.Context) {
			stage(t, ctx, svc, "imp-1", largeImport(n, ""))
			if _, err := stock.Call(ctx, svc, stock.OpImportApply, &stock.ImportApply{ID: "imp-1"}); stock.CodeOf(err) != stock.CodeNotFound {
				t.Fatalf("applying an import never accepted: %v; want NOT_FOUND", err)
			}
			if _, err := stock.Call(ctx, svc, stock.OpImportCommit, &stock.ImportCommit{ID: "imp-1", Total: n + 1, Digest: "d"}); stock.CodeOf(err) != stock.CodeInvalidInput {
				t.Fatalf("committing with a row missing: %v; want INVALID_INPUT", err)
			}
			h.reopen()
			if h.count("products") != 0 || h.count("import_rows") != 0 {
				t.Fatalf("after a restart: %d products, %d staged rows; want none", h.count("products"), h.count("import_rows"))
			}
		}},
		{"accepted, applied at the next start", func(t *testing.T, h *harness, svc *stock.Service, ctx context.Context) {
			im := largeImport(n, "")
			stage(t, ctx, svc, "imp-2", im)
			p, err := stock.Call(ctx, svc, stock.OpImportCommit, &stock.ImportCommit{ID: "imp-2", Total: n, Digest: "d"})
			if err != nil || p.Done || h.count("products") != 0 {
				t.Fatalf("commit = %+v, %v, %d products; want accepted, nothing applied yet", p, err, h.count("products"))
			}
			if p, err = stock.Call(ctx, svc, stock.OpImportApply, &stock.ImportApply{ID: "imp-2"}); err != nil || p.Applied != stock.ImportChunk {
				t.Fatalf("apply = %+v, %v; want one chunk applied", p, err)
			}
			h.reopen()
			svc, ctx = stagedService(h)
			if h.count("products") != n || h.count("import_rows") != 0 {
				t.Fatalf("after a restart: %d products, %d staged rows; want %d, none", h.count("products"), h.count("import_rows"), n)
			}
			if m := h.movements(stock.MovementFilter{SKU: fmt.Sprintf("L%05d", n-1), Warehouse: "MAD-1"}); len(m) != 1 || m[0].Actor != "importer" {
				t.Fatalf("the last row's movements: %+v; want one by the import's actor", m)
			}
			if p, err = stock.Call(ctx, svc, stock.OpImportApply, &stock.ImportApply{ID: "imp-2"}); err != nil || !p.Done || p.Result.Created != n {
				t.Fatalf("apply once done = %+v, %v; want its result", p, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			svc, ctx := stagedService(h)
			tt.run(t, h, svc, ctx)
		})
	}
}

// stagedOne returns a store with import imp-1 of one row staged, and
// accepted when commit.
func stagedOne(commit bool) func(t *testing.T) *harness {
	return func(t *testing.T) *harness {
		h := newHarness(t)
		svc, ctx := stagedService(h)
		stage(t, ctx, svc, "imp-1", largeImport(1, ""))
		if commit {
			if _, err := stock.Call(ctx, svc, stock.OpImportCommit, &stock.ImportCommit{ID: "imp-1", Total: 1, Digest: "d"}); err != nil {
				t.Fatal(err)
			}
		}
		return h
	}
}
