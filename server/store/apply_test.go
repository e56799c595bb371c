package store

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// newReplica opens a store in a new temp dir whose local warehouse is
// local, or which has none when local is nil.
func newReplica(t *testing.T, local *stock.Warehouse) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	h.open()
	if local != nil {
		h.ok(testJob{Op: stock.OpWarehouseInit, Warehouse: local})
	}
	return h
}

// applyJob returns the log.apply job of entries.
func applyJob(entries []stock.LogEntry) testJob {
	return testJob{Op: stock.OpApplyChanges, Apply: &stock.ChangeBatch{Entries: entries}}
}

// dumpRows returns the rows query selects from h's database, one line of
// text a row, times in UTC.
func dumpRows(t *testing.T, h *harness, query string, args ...any) []string {
	t.Helper()
	rows, err := h.s.wdb.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for i, v := range vals {
			switch x := v.(type) {
			case []byte:
				v = string(x)
			case time.Time:
				v = x.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(&b, "%s=%q ", cols[i], fmt.Sprint(v))
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// dumpWarehouse returns what a replica of warehouse must hold exactly as
// its origin does: its products and its movements (each with the last
// seq of its product, which tells the incarnations of a sku apart).
func dumpWarehouse(t *testing.T, h *harness, warehouse string) (products, movements []string) {
	t.Helper()
	products = dumpRows(t, h, `SELECT sku, name, description, price, quantity, reorder_point,
		deleted_at IS NOT NULL AS deleted, deleted_at, seq, created_at, updated_at
		FROM products WHERE warehouse_id = ? ORDER BY seq`, warehouse)
	movements = dumpRows(t, h, `SELECT m.seq, m.sku, m.kind, m.quantity, m.balance,
		m.idempotency_key, m.created_at, p.seq AS product
		FROM movements m JOIN products p ON p.id = m.product_id WHERE m.warehouse_id = ? ORDER BY m.seq`, warehouse)
	return products, append(movements, openedFields(t, h, warehouse)...)
}

// openedFields returns the sealed fields of warehouse's movements in
// clear: each node seals them with keys of its own.
func openedFields(t *testing.T, h *harness, warehouse string) []string {
	t.Helper()
	rows, err := h.s.rdb.Query(`SELECT seq, reference, note, actor FROM movements WHERE warehouse_id = ? ORDER BY seq`, warehouse)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		m := stock.Movement{Warehouse: warehouse}
		if err := rows.Scan(&m.Seq, &m.Reference, &m.Note, &m.Actor); err != nil {
			t.Fatal(err)
		}
		if err := h.s.openMovement(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%d reference=%q note=%q actor=%q", m.Seq, m.Reference, m.Note, m.Actor))
	}
	return out
}

// dumpAll returns every row of every table a change touches.
func dumpAll(t *testing.T, h *harness) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT * FROM warehouses ORDER BY id`, `SELECT * FROM products ORDER BY id`,
		`SELECT * FROM movements ORDER BY id`, `SELECT * FROM change_log ORDER BY origin, seq`,
		`SELECT * FROM idempotency_keys ORDER BY warehouse_id, key`,
	} {
		out = append(out, q)
		out = append(out, dumpRows(t, h, q)...)
	}
	return out
}

// diffLines returns the first line where a and b differ, or "".
func diffLines(a, b []string) string {
	for i := range max(len(a), len(b)) {
		switch {
		case i >= len(a):
			return fmt.Sprintf("line %d: missing, want %s", i, b[i])
		case i >= len(b):
			return fmt.Sprintf("line %d: %s, want none", i, a[i])
		case a[i] != b[i]:
			return fmt.Sprintf("line %d:\n got %s\nwant %s", i, a[i], b[i])
		}
	}
	return ""
}

// TestReplayRebuildsWarehouse applies the whole log of a warehouse, after
// a random load, to a second store in batches of random sizes, some of
// them overlapping what it holds, some several to a transaction, with a
// reopen half-way: the replica then holds the origin's products, ledger
// and log exactly, beside its own warehouse when it has one.
func TestReplayRebuildsWarehouse(t *testing.T) {
	origin := newHarness(t)
	loadRandomly(t, origin, 2, 50)
	log := readLog(t, origin, "MAD-1", 37)
	wantProducts, wantMovements := dumpWarehouse(t, origin, "MAD-1")
	cases := []struct {
		name  string
		local *stock.Warehouse
	}{
		{"empty database", nil},
		{"node of another warehouse", &stock.Warehouse{ID: "REPLAY", Name: "Replay"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newReplica(t, c.local)
			if c.local != nil { // its own changes, under the same skus
				h.create("P-1", 5)
				h.ok(sale("P-1", 2))
			}
			r := rand.New(rand.NewPCG(3, 4))
			applied, reopened := 0, false
			for applied < len(log) {
				if !reopened && applied >= len(log)/2 {
					h.reopen()
					reopened = true
				}
				jobs := make([]testJob, 1+r.IntN(3))
				for i := range jobs {
					start := applied - r.IntN(min(applied, 20)+1) // overlapping what is held
					end := min(len(log), start+1+r.IntN(60))
					jobs[i], applied = applyJob(log[start:end]), max(applied, end)
				}
				for _, rep := range h.write(jobs...) {
					if rep.Err != nil {
						t.Fatalf("applying up to %d: %s %s", applied, rep.Err.Code, rep.Err.Message)
					}
				}
			}
			before := dumpAll(t, h)
			h.ok(applyJob(log)) // all of it held: skipped
			if d := diffLines(dumpAll(t, h), before); d != "" {
				t.Fatalf("applying held entries again changed the database: %s", d)
			}
			products, movements := dumpWarehouse(t, h, "MAD-1")
			if d := diffLines(products, wantProducts); d != "" {
				t.Errorf("products differ from the origin's: %s", d)
			}
			if d := diffLines(movements, wantMovements); d != "" {
				t.Errorf("movements differ from the origin's: %s", d)
			}
			if got := readLog(t, h, "MAD-1", 37); !reflect.DeepEqual(got, log) {
				t.Errorf("the replica's log of MAD-1 differs from the origin's")
			}
			checkLedger(t, h)
			if c.local != nil {
				if q := h.product("P-1").Quantity; q != 3 {
					t.Errorf("local P-1 = %d, want 3", q)
				}
				if m := h.ok(sale("P-1", 1)).Movement; m.Seq != 4 || m.Warehouse != "REPLAY" {
					t.Errorf("next local movement = %+v, want REPLAY:4", m)
				}
			}
		})
	}
}

// TestApplyRefusesBadBatches checks that a batch that would leave a gap,
// that rewrites the node's own warehouse, or that is not one origin's
// consecutive, complete entries is refused as INVALID_INPUT and changes
// nothing, and that the next good batch still applies.
func TestApplyRefusesBadBatches(t *testing.T) {
	origin := newHarness(t)
	origin.create("A", 5)
	origin.ok(sale("A", 1))
	origin.ok(testJob{Op: stock.OpProductUpdate, SKU: "A", Update: &stock.UpdateProductInput{Name: ptr("a")}})
	origin.create("B", 0)
	origin.ok(testJob{Op: stock.OpProductDelete, SKU: "B"})
	origin.ok(sale("A", 2))
	log := readLog(t, origin, "MAD-1", 100) // 1 A created, 2-3 movements, 4 A updated, 5 B created, 6 B deleted, 7 movement
	h := newReplica(t, &stock.Warehouse{ID: "REPLAY"})
	h.create("X", 1)
	h.ok(applyJob(log[:3]))

	clone := func(i int) stock.LogEntry { // a deep copy of log[i]
		e := log[i]
		if e.Movement != nil {
			m := *e.Movement
			e.Movement = &m
		}
		if e.Product != nil {
			p := *e.Product
			e.Product = &p
		}
		return e
	}
	entries := func(fns ...func() stock.LogEntry) []stock.LogEntry {
		out := make([]stock.LogEntry, len(fns))
		for i, fn := range fns {
			out[i] = fn()
		}
		return out
	}
	at := func(i int) func() stock.LogEntry { return func() stock.LogEntry { return clone(i) } }
	with := func(i int, change func(*stock.LogEntry)) func() stock.LogEntry {
		return func() stock.LogEntry { e := clone(i); change(&e); return e }
	}
	cases := []struct {
		name    string
		target  *harness
		entries []stock.LogEntry
	}{
		{"gap", h, entries(at(4), at(5))},
		{"own warehouse on a replica", h, entries(with(0, func(e *stock.LogEntry) { e.Origin, e.Product.Warehouse = "REPLAY", "REPLAY" }))},
		{"own warehouse on the origin", origin, entries(at(6))},
		{"seqs not consecutive", h, entries(at(3), at(5))},
		{"seqs repeated", h, entries(at(3), at(3))},
		{"seqs descending", h, entries(at(4), at(3))},
		{"mixed origins", h, entries(at(3), with(4, func(e *stock.LogEntry) { e.Origin = "BCN-1" }))},
		{"no origin", h, entries(with(3, func(e *stock.LogEntry) { e.Origin = "" }))},
		{"seq 0", h, entries(with(3, func(e *stock.LogEntry) { e.Seq = 0 }))},
		{"movement entry without its movement", h, entries(with(6, func(e *stock.LogEntry) { e.Seq, e.Movement = 4, nil }))},
		{"movement entry with a product instead", h, entries(with(6, func(e *stock.LogEntry) {
			e.Seq, e.Movement, e.Product = 4, nil, log[3].Product
		}))},
		{"product entry without its product", h, entries(with(3, func(e *stock.LogEntry) { e.Product = nil }))},
		{"movement values in a product entry", h, entries(with(3, func(e *stock.LogEntry) { e.Product, e.Movement = nil, log[2].Movement }))},
		{"unknown type", h, entries(with(3, func(e *stock.LogEntry) { e.Type = "product.renamed" }))},
		{"movement of a product not held", h, entries(with(6, func(e *stock.LogEntry) { e.Seq, e.Movement.SKU = 4, "NOPE" }))},
		{"good entry then a bad one", h, entries(at(3), with(4, func(e *stock.LogEntry) { e.Type = "product.renamed" }))},
		{"new origin with a gap", h, entries(with(5, func(e *stock.LogEntry) { e.Origin = "BCN-1" }))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := dumpAll(t, c.target)
			r := c.target.write(applyJob(c.entries))[0]
			if code(r) != stock.CodeInvalidInput {
				t.Errorf("reply %+v, want INVALID_INPUT", r)
			}
			if d := diffLines(dumpAll(t, c.target), before); d != "" {
				t.Errorf("the refused batch changed the database: %s", d)
			}
		})
	}
	h.ok(applyJob(log[2:]))
	if got := readLog(t, h, "MAD-1", 3); !reflect.DeepEqual(got, log) {
		t.Errorf("after the refusals the replica's log is %+v, want %+v", got, log)
	}
	if m := h.ok(sale("X", 1)).Movement; m.Seq != 3 {
		t.Errorf("next local movement has seq %d, want 3", m.Seq)
	}
	checkLedger(t, h)
}

// TestRestoredHistoryCarriesOn: a data folder that restored its
// warehouse's log from the network before it set up (a wiped node
// rejoining under its id) continues that log: same epoch, the next seq
// after the last restored, and its idempotency keys still answer with the
// first result.
func TestRestoredHistoryCarriesOn(t *testing.T) {
	origin := newHarness(t)
	origin.create("A", 10)
	keyed := sale("A", 2)
	keyed.Movement.IdempotencyKey = "k-1"
	first := origin.ok(keyed).Movement
	origin.ok(sale("A", 1))
	epoch := origin.ok(testJob{Op: stock.OpWarehouseGet}).Warehouse.Epoch
	log := readLog(t, origin, "MAD-1", 100)

	wiped := &harness{t: t, dir: t.TempDir()}
	wiped.open()
	j := applyJob(log)
	j.Apply.Epoch = epoch
	wiped.ok(j)
	w := wiped.ok(testJob{Op: stock.OpWarehouseInit, Warehouse: &stock.Warehouse{ID: "MAD-1", Name: "Madrid"}}).Warehouse
	if !w.Local || w.Epoch != epoch {
		t.Fatalf("warehouse after restoring = %+v, want local with epoch %s", w, epoch)
	}
	if m := wiped.ok(sale("A", 1)).Movement; m.Seq != log[len(log)-1].Seq+1 || m.Balance != 6 {
		t.Fatalf("first movement after restoring = %+v, want seq %d and balance 6", m, log[len(log)-1].Seq+1)
	}
	if again := wiped.ok(keyed).Movement; again.ID != first.ID {
		t.Fatalf("replayed key k-1 = %+v, want the first movement %s", again, first.ID)
	}
	wiped.reopen()
	if m := wiped.ok(sale("A", 1)).Movement; m.Seq != log[len(log)-1].Seq+2 {
		t.Fatalf("after a reopen the log continues at %d, want %d", m.Seq, log[len(log)-1].Seq+2)
	}
	checkLedger(t, wiped)
}
