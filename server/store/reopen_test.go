package store

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestReopenKeepsEverything(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	h.ok(sale("A", 2))
	before := h.movements(stock.MovementFilter{})
	h.reopen()
	if _, err := os.Stat(filepath.Join(h.dir, FileName)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(h.dir, FileName+"-wal")); err == nil && fi.Size() != 0 {
		t.Errorf("WAL not checkpointed at Close: %d bytes", fi.Size())
	}
	after := h.movements(stock.MovementFilter{})
	if string(mustJSON(t, before)) != string(mustJSON(t, after)) {
		t.Fatalf("movements changed across reopen:\n%+v\n%+v", before, after)
	}
	if q := h.product("A").Quantity; q != 3 {
		t.Errorf("A = %d, want 3", q)
	}
	if m := h.ok(sale("A", 1)).Movement; m.Seq != 4 || m.ID != "MAD-1:4" || m.Balance != 2 {
		t.Errorf("next movement = %+v, want seq 4 balance 2", m)
	}
	if err := h.s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := h.s.Close(); err != ErrClosed {
		t.Errorf("second Close = %v, want ErrClosed", err)
	}
}

func TestOpenCreatesPrivateDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode %v, want 0700", fi.Mode().Perm())
	}
	var mode string
	if err := s.wdb.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q (%v), want wal", mode, err)
	}
	var sync, fk int
	if err := s.wdb.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil || sync != 2 {
		t.Errorf("synchronous = %d (%v), want 2 (FULL)", sync, err)
	}
	if err := s.wdb.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v), want 1", fk, err)
	}
	if _, err := s.rdb.Exec("DELETE FROM products"); err == nil {
		t.Error("reader connection accepted a write")
	}
}

func TestPublisherGetsCommittedChangesInOrder(t *testing.T) {
	h := newHarness(t)
	h.create("A", 3)
	h.write(sale("A", 1), sale("A", 9), testJob{Op: stock.OpStockSet, SKU: "A", Quantity: 7},
		testJob{Op: stock.OpProductUpdate, SKU: "A", Update: &stock.UpdateProductInput{Name: ptr("x")}}, sale("A", 2))
	got := h.pub.changes()
	want := []stock.Change{
		{Warehouse: "MAD-1", SKU: "A", Quantity: 3, Delta: 3, MovementID: "MAD-1:2", Kind: stock.KindPurchase, Note: "initial stock", Reserved: ptr(int64(0)), Seq: 2},
		{Warehouse: "MAD-1", SKU: "A", Quantity: 2, Delta: -1, MovementID: "MAD-1:3", Kind: stock.KindSale, Reserved: ptr(int64(0)), Seq: 3},
		{Warehouse: "MAD-1", SKU: "A", Quantity: 7, Delta: 5, MovementID: "MAD-1:4", Kind: stock.KindAdjustment, Reserved: ptr(int64(0)), Seq: 4},
		{Warehouse: "MAD-1", SKU: "A", Quantity: 5, Delta: -2, MovementID: "MAD-1:6", Kind: stock.KindSale, Reserved: ptr(int64(0)), Seq: 6},
	}
	if len(got) != len(want) {
		t.Fatalf("published %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].At.IsZero() {
			t.Errorf("change %d has no time", i)
		}
		got[i].At = want[i].At
		if got[i].Reserved == nil || *got[i].Reserved != *want[i].Reserved {
			t.Errorf("change %d says reserved %v, want %d", i, got[i].Reserved, *want[i].Reserved)
		}
		got[i].Reserved = want[i].Reserved
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
