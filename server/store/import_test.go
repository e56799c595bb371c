package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// writeOp runs one write job of op on h's store and returns its reply or
// error.
func writeOp[Req, Rep any](t *testing.T, h *harness, op stock.Op[Req, Rep], req *Req) (*Rep, *stock.Error) {
	t.Helper()
	job, err := stock.EncodeJob(stock.JobMeta{Op: op.Name, Key: "k"}, req)
	if err != nil {
		t.Fatal(err)
	}
	rep := new(Rep)
	if err := stock.DecodeReply(h.s.HandleWrites([][]byte{job})[0], rep); err != nil {
		var e *stock.Error
		if !errors.As(err, &e) {
			t.Fatalf("%s: %v", op.Name, err)
		}
		return nil, e
	}
	return rep, nil
}

// TestImportAllOrNothing: an import creates the products it names and
// updates those that exist (a new quantity as an ADJUSTMENT); one that
// fails midway leaves nothing behind.
func TestImportAllOrNothing(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	q := func(n int64) *int64 { return &n }
	im := &stock.ProductImport{Rows: []stock.ImportRow{
		{Line: 2, SKU: "A", Name: "Renamed", Price: 19_9900, Quantity: q(8)},
		{Line: 3, SKU: "B", Name: "New", Price: 1_0000, Quantity: q(3), ReorderPoint: q(1)},
		{Line: 4, SKU: "C", Name: "Same", Price: 1_0000},
	}}
	calls := 0
	h.s.hooks.write = func() error { // the second movement fails
		if calls++; calls == 2 {
			return errors.New("disk on fire")
		}
		return nil
	}
	if _, err := writeOp(t, h, stock.OpProductImport, im); err == nil {
		t.Fatal("an import whose second movement failed succeeded")
	}
	if p := h.product("A"); p.Name != "Product A" || p.Quantity != 5 {
		t.Fatalf("a failed import changed A: %+v", p)
	}
	if r := h.read(testJob{Op: stock.OpProductGet, SKU: "B"}); r.Err == nil || r.Err.Code != stock.CodeNotFound {
		t.Fatalf("a failed import created B: %+v", r)
	}
	h.s.hooks.write = nil
	res, err := writeOp(t, h, stock.OpProductImport, im)
	if err != nil || *res != (stock.ImportResult{Created: 2, Updated: 1}) {
		t.Fatalf("import = %+v, %v; want 2 created, 1 updated", res, err)
	}
	if p := h.product("A"); p.Name != "Renamed" || p.Quantity != 8 {
		t.Fatalf("A after the import: %+v", p)
	}
	if m := h.movements(stock.MovementFilter{SKU: "A", Warehouse: "MAD-1"}); m[0].Kind != stock.KindAdjustment || m[0].Quantity != 3 || m[0].Note != stock.ImportNote {
		t.Fatalf("A's import movement: %+v", m[0])
	}
	if res, err = writeOp(t, h, stock.OpProductImport, im); err != nil || *res != (stock.ImportResult{Unchanged: 3}) {
		t.Fatalf("the same import again = %+v, %v; want 3 unchanged", res, err)
	}
}

// TestImportIdempotencyKey: an import sent again with its key answers the
// first result and changes nothing, even after the stock moved and across
// a reopen; the key with other rows is refused.
func TestImportIdempotencyKey(t *testing.T) {
	h := newHarness(t)
	ten, three := int64(10), int64(3)
	im := func(key string, qty *int64) *stock.ProductImport {
		return &stock.ProductImport{IdempotencyKey: key, Rows: []stock.ImportRow{
			{Line: 2, SKU: "A", Name: "A", Price: 1, Quantity: qty}, {Line: 3, SKU: "B", Name: "B", Price: 2}}}
	}
	first, e := writeOp(t, h, stock.OpProductImport, im("cat-1", &ten))
	if e != nil || first.Created != 2 {
		t.Fatalf("first import: %+v %v", first, e)
	}
	h.ok(sale("A", 4))
	tests := []struct {
		name   string
		im     *stock.ProductImport
		code   stock.Code
		result *stock.ImportResult
	}{
		{"sent again", im("cat-1", &ten), "", first},
		{"the key with other rows", im("cat-1", &three), stock.CodeInvalidInput, nil},
		{"without a key", im("", &ten), "", &stock.ImportResult{Updated: 1, Unchanged: 1}},
	}
	for _, reopen := range []bool{false, true} {
		if reopen {
			h.reopen()
			h.ok(sale("A", 4))
		}
		for _, tt := range tests {
			t.Run(fmt.Sprint(tt.name, " reopened ", reopen), func(t *testing.T) {
				seq := lastSeqOf(t, h, "MAD-1")
				got, e := writeOp(t, h, stock.OpProductImport, tt.im)
				if code := codeOf(e); code != tt.code || (tt.result != nil && *got != *tt.result) {
					t.Fatalf("import: %+v %v, want %+v %q", got, e, tt.result, tt.code)
				}
				if tt.im.IdempotencyKey != "" && lastSeqOf(t, h, "MAD-1") != seq {
					t.Errorf("an import with a used key changed the log")
				}
			})
		}
	}
}

// codeOf returns e's code, "" for nil.
func codeOf(e *stock.Error) stock.Code {
	if e == nil {
		return ""
	}
	return e.Code
}
