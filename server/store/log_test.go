package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// richJob is randomJob with the fields it leaves empty filled now and
// then (actor, description, price, reorder point, reference, note), so
// that every value a log entry carries is exercised. It changes nothing
// the model counts: extra product fields come only with a new name, which
// is one product.updated change either way.
func richJob(r *rand.Rand, n int) testJob {
	j := randomJob(r, n)
	j.Actor = []string{"", "ana", `bö "b" <&>`}[r.IntN(3)]
	text := func() string {
		return []string{"", fmt.Sprintf("t%d", n), fmt.Sprintf("ñ \"%d\" \\ <&>\u2028€", n)}[r.IntN(3)]
	}
	switch j.Op {
	case stock.OpProductCreate:
		j.Create.Description, j.Create.Price, j.Create.ReorderPoint = text(), stock.Price(r.Int64N(1e9)), r.Int64N(10)
	case stock.OpProductUpdate:
		if j.Update.Name != nil {
			j.Update.Description, j.Update.Price = ptr(fmt.Sprintf("d%d", n)), ptr(stock.Price(1+r.Int64N(1e9)))
			j.Update.ReorderPoint = ptr(r.Int64N(10))
		}
		j.Update.Note = text()
	case stock.OpStockSet:
		j.Note = text()
	case stock.OpMovementRecord:
		if r.IntN(2) == 0 {
			j.Movement.Reference, j.Movement.Note = text(), text()
		}
	}
	return j
}

// loadRandomly runs rounds of random write batches on h, reopening it
// half-way, checks every reply against the model and returns the jobs
// that succeeded with their replies, and the last seq before the reopen.
func loadRandomly(t *testing.T, h *harness, seed uint64, rounds int) (jobs []testJob, replies []testReply, reopenedAt int64) {
	t.Helper()
	m := &model{live: map[string]int64{}, keys: map[string]keyed{}}
	r := rand.New(rand.NewPCG(seed, 99))
	n := 0
	for round := range rounds {
		if round == rounds/2 {
			h.reopen()
			reopenedAt = m.seq
		}
		batch := make([]testJob, 1+r.IntN(30))
		for i := range batch {
			batch[i] = richJob(r, n)
			n++
		}
		for i, rep := range h.write(batch...) {
			m.check(t, batch[i], rep)
			if rep.Err == nil {
				jobs, replies = append(jobs, batch[i]), append(replies, rep)
			}
		}
	}
	if m.seq < 200 {
		t.Fatalf("the load made only %d changes", m.seq)
	}
	return jobs, replies, reopenedAt
}

// readLog reads origin's whole log from h through log.changes jobs of
// limit entries, checking that each page continues the one before, ends
// at its signed head, and reports the same last seq.
func readLog(t *testing.T, h *harness, origin string, limit int) []stock.LogEntry {
	t.Helper()
	var out []stock.LogEntry
	last := int64(-1)
	for {
		after := int64(len(out))
		p := h.ok(testJob{Op: stock.OpChanges, Changes: &stock.ChangesQuery{Origin: origin, AfterSeq: after, Limit: limit}}).ChangePage
		if last >= 0 && p.LastSeq != last {
			t.Fatalf("page after %d: LastSeq %d, the page before said %d", after, p.LastSeq, last)
		}
		last = p.LastSeq
		// A page ends at a signed head: within the limit when one is, else
		// at the first after it.
		n := len(p.Entries)
		switch {
		case n == 0 && after != last:
			t.Fatalf("page after %d is empty, last seq %d", after, last)
		case n > 0 && (p.Proof == nil || p.Proof.Head == nil || p.Proof.Head.Seq != p.Entries[n-1].Seq):
			t.Fatalf("page after %d (%d entries, limit %d) does not end at its signed head: %+v", after, n, limit, p.Proof)
		}
		for i, e := range p.Entries {
			if e.Origin != origin || e.Seq != after+int64(i)+1 {
				t.Fatalf("page after %d: entry %d is %s:%d, want %s:%d", after, i, e.Origin, e.Seq, origin, after+int64(i)+1)
			}
		}
		if len(p.Entries) == 0 {
			return out
		}
		out = append(out, p.Entries...)
	}
}

// checkEntry checks that e carries the values its type needs, and that a
// movement entry agrees with its movement.
func checkEntry(t *testing.T, e *stock.LogEntry) {
	t.Helper()
	switch {
	case e.At.IsZero():
		t.Fatalf("entry %d has no time", e.Seq)
	case e.Type == stock.EntryMovement:
		m := e.Movement
		if m == nil || e.Product != nil || m.Seq != e.Seq || m.Warehouse != e.Origin ||
			m.ID != stock.MovementID(e.Origin, e.Seq) || !m.CreatedAt.Equal(e.At) {
			t.Fatalf("movement entry %+v carries %+v", e, m)
		}
	case e.Movement != nil || e.Product == nil || e.Product.Seq != e.Seq || !e.Product.UpdatedAt.Equal(e.At):
		t.Fatalf("%s entry %+v carries %+v", e.Type, e, e.Product)
	case (e.Type == stock.EntryProductUpdated) != (len(e.Changed) > 0):
		t.Fatalf("%s entry %d names changed fields %v", e.Type, e.Seq, e.Changed)
	}
}

// foldLog returns, for each seq of log, the state of the product its
// entry changed, right after it, as a replica folding the log has it.
func foldLog(t *testing.T, log []stock.LogEntry) map[int64]stock.Product {
	t.Helper()
	live := map[string]stock.Product{}
	after := map[int64]stock.Product{}
	for _, e := range log {
		var p stock.Product
		if e.Product != nil {
			p = *e.Product
		} else {
			var ok bool
			if p, ok = live[e.Movement.SKU]; !ok {
				t.Fatalf("movement %d of %s, which is not live", e.Seq, e.Movement.SKU)
			}
			p.Quantity, p.Seq, p.UpdatedAt = e.Movement.Balance, e.Seq, e.At
		}
		live[p.SKU] = p
		if e.Type == stock.EntryProductDeleted {
			delete(live, p.SKU)
		}
		after[e.Seq] = p
	}
	return after
}

// TestChangeLogHoldsEveryChange reads the log of a warehouse after a random
// load with deletions, re-creations and a reopen, page by page: it holds
// every seq once and in order, and its entries carry exactly what the
// replies said, the ledger's movements and what was published.
func TestChangeLogHoldsEveryChange(t *testing.T) {
	h := newHarness(t)
	jobs, replies, reopenedAt := loadRandomly(t, h, 1, 50)
	log := readLog(t, h, "MAD-1", 37)
	types, recreated, deleted := map[stock.EntryType]int{}, 0, map[string]bool{}
	for i, e := range log {
		checkEntry(t, &log[i])
		types[e.Type]++
		switch {
		case e.Type == stock.EntryProductDeleted:
			deleted[e.Product.SKU] = true
		case e.Type == stock.EntryProductCreated && deleted[e.Product.SKU]:
			recreated++
		}
	}
	t.Logf("%d entries: %v; %d re-creations", len(log), types, recreated)
	if len(types) != 4 || recreated == 0 {
		t.Fatal("the load did not make every type of change and re-create a product")
	}
	states := foldLog(t, log)
	for i, r := range replies {
		switch {
		case r.Movement != nil:
			if got := log[r.Movement.Seq-1].Movement; !reflect.DeepEqual(got, r.Movement) {
				t.Errorf("%s %+v replied %+v, its entry holds %+v", jobs[i].opName(), jobs[i], r.Movement, got)
			}
		case r.Product != nil:
			if got := states[r.Product.Seq]; !reflect.DeepEqual(got, *r.Product) {
				t.Errorf("%s %+v replied %+v, the log folds to %+v", jobs[i].opName(), jobs[i], r.Product, got)
			}
		default:
			t.Fatalf("%s: a reply without a movement or product", jobs[i].opName())
		}
	}
	var moves []stock.Movement
	for _, e := range log {
		if e.Movement != nil {
			moves = append(moves, *e.Movement)
		}
	}
	listed := h.movements(stock.MovementFilter{})
	slices.Reverse(listed)
	if !reflect.DeepEqual(moves, listed) {
		t.Errorf("the log's %d movements differ from the %d listed", len(moves), len(listed))
	}
	pub := h.pub.published()
	for i := range pub { // published movements say what was reserved then, never the log's
		if e := &pub[i]; e.Movement != nil {
			if e.Reserved == nil || *e.Reserved != 0 {
				t.Fatalf("published movement %d says reserved %v, want 0", e.Seq, e.Reserved)
			}
			e.Reserved = nil
		}
	}
	if !reflect.DeepEqual(pub, log[reopenedAt:]) {
		t.Errorf("published %d entries since the reopen, the log holds %d after seq %d", len(pub), len(log[reopenedAt:]), reopenedAt)
	}
}

// TestOutcomeOfKeyedJobs checks that a job.outcome query finds the changes
// a write job with that key appended (its first seq and how many), and
// that a failed job, a job that changed nothing and an unknown key read as
// not applied, before and after a reopen.
func TestOutcomeOfKeyedJobs(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	type step struct {
		job   testJob    // with its Key
		count int        // entries it appends; 0: not applied
		code  stock.Code // of its reply
	}
	keyed := func(j testJob, key string) testJob { j.Key = key; return j }
	batches := []struct {
		name  string
		steps []step // one batch
	}{
		{"create with initial stock", []step{{testJob{Op: stock.OpProductCreate, Key: "k1",
			Create: &stock.CreateProductInput{SKU: "B", Name: "B", InitialQuantity: 4}}, 2, ""}}},
		{"create without stock", []step{{testJob{Op: stock.OpProductCreate, Key: "k-c",
			Create: &stock.CreateProductInput{SKU: "C", Name: "C"}}, 1, ""}}},
		{"sale", []step{{keyed(sale("A", 1), "k-sale"), 1, ""}}},
		{"sale beyond stock", []step{{keyed(sale("A", 99), "k2"), 0, stock.CodeInsufficientStock}}},
		{"update of name and quantity", []step{{testJob{Op: stock.OpProductUpdate, SKU: "A", Key: "k-upd",
			Update: &stock.UpdateProductInput{Name: ptr("new"), Quantity: ptr(int64(10))}}, 2, ""}}},
		{"update that changes nothing", []step{{testJob{Op: stock.OpProductUpdate, SKU: "A", Key: "k-same",
			Update: &stock.UpdateProductInput{Name: ptr("new")}}, 0, ""}}},
		{"delete with stock left", []step{{testJob{Op: stock.OpProductDelete, SKU: "B", Key: "k-del"}, 2, ""}}},
		{"failed job between applied ones", []step{
			{keyed(sale("A", 1), "b1"), 1, ""},
			{keyed(sale("A", 999), "b2"), 0, stock.CodeInsufficientStock},
			{keyed(testJob{Op: stock.OpStockSet, SKU: "A", Quantity: 3}, "b3"), 1, ""},
			{keyed(testJob{Op: stock.OpProductDelete, SKU: "nope"}, "b4"), 0, stock.CodeNotFound},
		}},
	}
	want := map[string]stock.Outcome{"unknown": {}}
	check := func(t *testing.T, key string) {
		t.Helper()
		got, w := h.ok(testJob{Op: stock.OpOutcome, Key: key}).Outcome, want[key]
		if got.Applied != w.Applied || got.Seq != w.Seq || got.Count != w.Count || (w.Applied && got.Origin != w.Origin) {
			t.Errorf("outcome of %s = %+v, want %+v", key, *got, w)
		}
	}
	for _, b := range batches {
		t.Run(b.name, func(t *testing.T) {
			seq := lastSeqOf(t, h, "MAD-1")
			jobs := make([]testJob, len(b.steps))
			for i, s := range b.steps {
				jobs[i] = s.job
			}
			for i, r := range h.write(jobs...) {
				s := b.steps[i]
				if code(r) != s.code {
					t.Fatalf("%s: reply %+v, want code %q", s.job.Key, r.Err, s.code)
				}
				want[s.job.Key] = stock.Outcome{}
				if s.count > 0 {
					want[s.job.Key] = stock.Outcome{Applied: true, Origin: "MAD-1", Seq: seq + 1, Count: s.count}
				}
				seq += int64(s.count)
			}
			if last := lastSeqOf(t, h, "MAD-1"); last != seq {
				t.Fatalf("the log ends at %d, want %d", last, seq)
			}
			for _, s := range b.steps {
				check(t, s.job.Key)
			}
		})
	}
	check(t, "unknown")
	h.reopen()
	for key := range want {
		check(t, key)
	}
}

// lastSeqOf returns the last seq of origin's log held by h.
func lastSeqOf(t *testing.T, h *harness, origin string) int64 {
	t.Helper()
	return h.ok(testJob{Op: stock.OpChanges, Changes: &stock.ChangesQuery{Origin: origin, Limit: 1}}).ChangePage.LastSeq
}

// TestReadStopsAtItsDeadline: a read whose caller's deadline has passed
// is interrupted and answered UNAVAILABLE, not run to its end.
func TestReadStopsAtItsDeadline(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, j := range []testJob{
		{Op: stock.OpChanges, Changes: &stock.ChangesQuery{Origin: "MAD-1"}},
		{Op: stock.OpMovementList},
		{Op: stock.OpProductList},
	} {
		r := decodeReply(t, j, h.s.HandleRead(ctx, j.encode(t)))
		if code(r) != stock.CodeUnavailable {
			t.Errorf("%s with its deadline gone: %+v, want UNAVAILABLE", j.opName(), r)
		}
	}
}

// TestHeadsOfEveryLog checks the heads (the last entry of every log held,
// the local one first) against a plain GROUP BY over the whole log, on an
// empty database and on one holding its own log and part of another's.
func TestHeadsOfEveryLog(t *testing.T) {
	origin := newHarness(t)
	loadRandomly(t, origin, 7, 20)
	log := readLog(t, origin, "MAD-1", 50)
	cases := []struct {
		name    string
		local   *stock.Warehouse
		applied int // entries of MAD-1's log applied
	}{
		{"empty database", nil, 0},
		{"only a replica", nil, len(log)},
		{"own log and part of a replica", &stock.Warehouse{ID: "ZED-9", Name: "Zed"}, len(log) / 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newReplica(t, c.local)
			if c.local != nil {
				h.create("P-1", 5)
				h.ok(sale("P-1", 2))
			}
			if c.applied > 0 {
				h.ok(testJob{Op: stock.OpApplyChanges, Apply: &stock.ChangeBatch{Epoch: "e-1", Entries: log[:c.applied]}})
			}
			got, err := h.s.heads(context.Background(), &stock.Empty{})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := h.s.rdb.Query(`SELECT l.origin, l.seq, l.at FROM change_log l
				JOIN (SELECT origin, MAX(seq) AS seq FROM change_log GROUP BY origin) h ON h.origin = l.origin AND h.seq = l.seq`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			want := map[string]stock.Head{}
			for rows.Next() {
				var hd stock.Head
				var at int64
				if err := rows.Scan(&hd.Origin, &hd.LastSeq, &at); err != nil {
					t.Fatal(err)
				}
				want[hd.Origin] = hd
			}
			if len(got.Heads) != len(want) {
				t.Fatalf("heads = %+v, want the origins of %+v", got.Heads, want)
			}
			for i, hd := range got.Heads {
				if w := want[hd.Origin]; hd.LastSeq != w.LastSeq {
					t.Errorf("head of %s at %d, want %d", hd.Origin, hd.LastSeq, w.LastSeq)
				}
				if c.local != nil && (i == 0) != (hd.Origin == c.local.ID) {
					t.Errorf("heads %+v do not list the local warehouse first", got.Heads)
				}
			}
			if c.applied > 0 {
				if hd, _ := got.Head("MAD-1"); hd.LastSeq != log[c.applied-1].Seq || hd.Epoch != "e-1" {
					t.Errorf("head of MAD-1 = %+v, want seq %d of epoch e-1", hd, log[c.applied-1].Seq)
				}
			}
		})
	}
}
