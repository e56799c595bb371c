package store

import (
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestImportedLikeCreated: products an import creates together (multi-row
// INSERTs) are what product.create makes one at a time: the log reads back
// with every entry sound and folds to the stored products, the signed
// heads cover it, a replica accepts it with the origin's digest, what was
// published is what the log holds, and the initial stock is a PURCHASE by
// the import's actor.
func TestImportedLikeCreated(t *testing.T) {
	a, b, _ := signedTrio(t)
	a.create("P0", 4)
	q := func(n int64) *int64 { return &n }
	im := &stock.ProductImport{Rows: []stock.ImportRow{
		{Line: 2, SKU: "P0", Name: "Renamed", Price: 2_0000, Quantity: q(6)},
		{Line: 3, SKU: "P1", Name: "One", Price: 1_5000, Quantity: q(4), ReorderPoint: q(2)},
		{Line: 4, SKU: "P2", Name: "Two", Price: 1_0000},
		{Line: 5, SKU: "P3", Name: "Three", Price: 1_0000, Quantity: q(0)},
	}}
	job, err := stock.EncodeJob(stock.JobMeta{Op: stock.OpProductImport.Name, Key: "k", Actor: "ana"}, im)
	if err != nil {
		t.Fatal(err)
	}
	res := &stock.ImportResult{}
	if err := stock.DecodeReply(a.s.HandleWrites([][]byte{job})[0], res); err != nil || *res != (stock.ImportResult{Created: 3, Updated: 1}) {
		t.Fatalf("import = %+v, %v", res, err)
	}
	log := readLog(t, a, "MAD-1", 1000)
	for i := range log {
		checkEntry(t, &log[i])
	}
	folded := foldLog(t, log)
	for _, sku := range []string{"P0", "P1", "P2", "P3"} {
		p := a.product(sku)
		if f := folded[p.Seq]; f.SKU != sku || f.Quantity != p.Quantity || f.ReorderPoint != p.ReorderPoint || f.Name != p.Name {
			t.Errorf("%s stored as %+v; the log folds to %+v", sku, p, f)
		}
	}
	if p := a.product("P1"); p.Quantity != 4 || p.ReorderPoint != 2 || p.Price != 1_5000 {
		t.Errorf("P1 = %+v", p)
	}
	m := a.movements(stock.MovementFilter{SKU: "P1", Warehouse: "MAD-1"})
	if len(m) != 1 || m[0].Kind != stock.KindPurchase || m[0].Note != initialNote || m[0].Actor != "ana" || m[0].Balance != 4 {
		t.Errorf("P1's movements: %+v", m)
	}
	if n := len(a.movements(stock.MovementFilter{SKU: "P2", Warehouse: "MAD-1"})); n != 0 {
		t.Errorf("P2, imported without stock, has %d movements", n)
	}
	if pub := a.pub.published(); len(pub) != len(log) {
		t.Errorf("published %d entries, the log holds %d", len(pub), len(log))
	}
	checkSignedHeads(t, a, "MAD-1")
	if r := applySigned(b, page(a, "MAD-1", 0)); r != nil {
		t.Fatalf("BCN-1 refused MAD-1's log: %+v", r)
	}
	wantSeq, want := replicaOf(a, "MAD-1")
	if seq, got := replicaOf(b, "MAD-1"); seq != wantSeq || got != want {
		t.Errorf("replica of MAD-1 at %d %s, want %d %s", seq, got, wantSeq, want)
	}
}
