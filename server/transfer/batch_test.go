package transfer

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// TestBatchedGets: concurrent Gets, as a GraphQL list's rows make them,
// are read in one TransfersByID job (or a few, past stock.MaxPageSize);
// each caller gets its own transfer, NOT_FOUND for one the node does not
// know, and is refused alone for a malformed id or a missing role. It runs
// on synctest's clock, so the batch's wait ends only once every lookup
// has joined, however slowly the machine starts them.
func TestBatchedGets(t *testing.T) { synctest.Test(t, testBatchedGets) }

func testBatchedGets(t *testing.T) {
	var jobs atomic.Int32
	b := &batcher{wait: time.Second, read: func(_ context.Context, ids []string) ([]stock.Transfer, error) {
		jobs.Add(1)
		var out []stock.Transfer
		for _, id := range ids {
			if id != "MAD-1:404" {
				out = append(out, stock.Transfer{ID: id})
			}
		}
		return out, nil
	}}
	viewer := auth.WithPrincipal(context.Background(), auth.Principal{Name: "v", Role: auth.RoleViewer})
	tests := []struct {
		name string
		ctx  context.Context
		id   string
		code stock.Code // "" for found
	}{
		{"known", viewer, "MAD-1:7", ""},
		{"unknown", viewer, "MAD-1:404", stock.CodeNotFound},
		{"malformed", viewer, "", stock.CodeInvalidInput},
		{"without a role", context.Background(), "MAD-1:8", stock.CodeUnauthenticated},
	}
	const rows = 600 // past one page of ids
	var wg sync.WaitGroup
	errs := make(chan error, rows+len(tests))
	for i := range rows {
		wg.Go(func() {
			id := fmt.Sprintf("MAD-1:%d", 1000+i)
			if tr, err := b.get(viewer, id); err != nil || tr.ID != id {
				errs <- fmt.Errorf("row %d: %+v, %v", i, tr, err)
			}
		})
	}
	for _, tt := range tests {
		wg.Go(func() {
			tr, err := b.get(tt.ctx, tt.id)
			if stock.CodeOf(err) != tt.code || (tt.code == "" && tr.ID != tt.id) {
				errs <- fmt.Errorf("%s: %+v, %v; want %q", tt.name, tr, err, tt.code)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := jobs.Load(); n > 3 { // a full page at once, the rest within the wait
		t.Errorf("%d jobs for %d lookups; want them batched", n, rows+2)
	}
	t.Logf("%d lookups in %d jobs", rows+2, jobs.Load())
}
