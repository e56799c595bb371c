package store

import (
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestWarehouseInit(t *testing.T) {
	tests := []struct {
		name     string
		steps    []stock.Warehouse // warehouse.init calls before the checked one
		in       stock.Warehouse
		reopen   bool
		want     stock.Warehouse
		wantCode stock.Code
	}{
		{name: "default on first start", in: stock.Warehouse{},
			want: stock.Warehouse{ID: "WH-1", Name: "Warehouse 1", Local: true}},
		{name: "explicit id and name", in: stock.Warehouse{ID: "MAD-1", Name: "Madrid"},
			want: stock.Warehouse{ID: "MAD-1", Name: "Madrid", Local: true}},
		{name: "id without name names it by id", in: stock.Warehouse{ID: "BCN-2"},
			want: stock.Warehouse{ID: "BCN-2", Name: "BCN-2", Local: true}},
		{name: "empty keeps stored values", steps: []stock.Warehouse{{ID: "MAD-1", Name: "Madrid"}},
			reopen: true, in: stock.Warehouse{},
			want: stock.Warehouse{ID: "MAD-1", Name: "Madrid", Local: true}},
		{name: "same id renames", steps: []stock.Warehouse{{ID: "MAD-1", Name: "Madrid"}},
			in:   stock.Warehouse{ID: "MAD-1", Name: "Madrid Norte"},
			want: stock.Warehouse{ID: "MAD-1", Name: "Madrid Norte", Local: true}},
		{name: "other id refused", steps: []stock.Warehouse{{ID: "MAD-1", Name: "Madrid"}},
			reopen: true, in: stock.Warehouse{ID: "BCN-1"}, wantCode: stock.CodeInvalidInput},
		{name: "id with spaces refused", in: stock.Warehouse{ID: "MAD 1"}, wantCode: stock.CodeInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &harness{t: t, dir: t.TempDir()}
			h.open()
			if r := h.read(testJob{Op: stock.OpWarehouseGet}); code(r) != stock.CodeUnavailable {
				t.Fatalf("warehouse.get before init = %+v, want UNAVAILABLE, as writes answer", r)
			}
			if r := h.write(sale("X", 1))[0]; code(r) != stock.CodeUnavailable {
				t.Fatalf("movement before init = %+v, want UNAVAILABLE", r)
			}
			for _, w := range tt.steps {
				h.ok(testJob{Op: stock.OpWarehouseInit, Warehouse: &w})
			}
			if tt.reopen {
				h.reopen()
			}
			in := tt.in
			r := h.write(testJob{Op: stock.OpWarehouseInit, Warehouse: &in})[0]
			if code(r) != tt.wantCode {
				t.Fatalf("warehouse.init = %+v, want code %q", r.Err, tt.wantCode)
			}
			if tt.wantCode != "" {
				if tt.reopen && r.Err.Message != "this data belongs to warehouse MAD-1, not BCN-1" {
					t.Errorf("message = %q", r.Err.Message)
				}
				return
			}
			epoch := r.Warehouse.Epoch
			if r.Warehouse.Epoch = ""; *r.Warehouse != tt.want || len(epoch) != 24 {
				t.Errorf("warehouse.init = %+v (epoch %q), want %+v with an epoch", *r.Warehouse, epoch, tt.want)
			}
			h.reopen()
			got := *h.ok(testJob{Op: stock.OpWarehouseGet}).Warehouse
			if got.Epoch != epoch {
				t.Errorf("epoch %q after reopen, was %q", got.Epoch, epoch)
			}
			if got.Epoch = ""; got != tt.want {
				t.Errorf("warehouse.get after reopen = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestTokens(t *testing.T) {
	h := newHarness(t)
	h.ok(testJob{Op: stock.OpTokenEnsure, Token: &stock.Token{Hash: "h1", Name: "admin", Role: "admin"}})
	h.ok(testJob{Op: stock.OpTokenEnsure, Token: &stock.Token{Hash: "h1", Name: "other", Role: "viewer"}})
	got := h.ok(testJob{Op: stock.OpTokenLookup, Token: &stock.Token{Hash: "h1"}}).Token
	if got.Hash != "h1" || got.Name != "admin" || got.Role != "admin" {
		t.Errorf("token = %+v, want h1 admin admin (ensure must not overwrite)", *got)
	}
	if _, err := h.direct().Token.Update().SetRevokedAt(time.Now().UTC()).Save(t.Context()); err != nil {
		t.Fatal(err)
	}
	for _, hash := range []string{"h1", "unknown"} {
		if r := h.read(testJob{Op: stock.OpTokenLookup, Token: &stock.Token{Hash: hash}}); code(r) != stock.CodeNotFound {
			t.Errorf("lookup of %s = %+v, want NOT_FOUND", hash, r)
		}
	}
}
