package store

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// keyedPurchase is a purchase of qty of A with idempotency key key.
func keyedPurchase(key string, qty int64) testJob {
	j := move("A", stock.KindPurchase, qty)
	j.Movement.IdempotencyKey, j.Movement.Reference = key, "po"
	return j
}

// keyedPurchases returns a purchase of 1 for each key from key-<from> to
// key-<to-1>.
func keyedPurchases(from, to int) []testJob {
	var jobs []testJob
	for i := from; i < to; i++ {
		jobs = append(jobs, keyedPurchase(fmt.Sprintf("key-%04d", i), 1))
	}
	return jobs
}

// keyRows counts the rows of the key table.
func (h *harness) keyRows() int {
	h.t.Helper()
	var n int
	if err := h.s.wdb.QueryRow(`SELECT COUNT(*) FROM idempotency_keys`).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// checkReplays sends each key's request again, expecting the movement
// first recorded with it and no new change, and then a different request
// with the key, expecting INVALID_INPUT.
func checkReplays(t *testing.T, h *harness, first map[string]int64) {
	t.Helper()
	before := h.product("A").Quantity
	for key, seq := range first {
		r := h.write(keyedPurchase(key, 1), keyedPurchase(key, 2))
		if code(r[0]) != "" || r[0].Movement.Seq != seq {
			t.Errorf("replay of %s: %+v %+v, want the movement with seq %d", key, r[0].Err, r[0].Movement, seq)
		}
		if code(r[1]) != stock.CodeInvalidInput {
			t.Errorf("other request with %s: %+v, want INVALID_INPUT", key, r[1].Err)
		}
	}
	if q := h.product("A").Quantity; q != before {
		t.Errorf("replays moved the stock from %d to %d", before, q)
	}
}

func TestIdempotencyKeysAcrossFlushAndRestart(t *testing.T) {
	h := newHarness(t)
	h.create("A", 0)
	first := map[string]int64{}
	record := func(jobs []testJob) {
		for i, r := range h.write(jobs...) {
			if r.Err != nil {
				t.Fatalf("job %d: %+v", i, r.Err)
			}
			first[jobs[i].Movement.IdempotencyKey] = r.Movement.Seq
		}
	}
	n := flushKeysAt + 100
	for from := 0; from < n; from += 300 { // the batch reaching flushKeysAt keys flushes them all
		record(keyedPurchases(from, min(from+300, n)))
	}
	record(keyedPurchases(n, n+50)) // these stay in memory
	if rows, mem := h.keyRows(), len(h.s.w.keys); rows != n || mem != 50 {
		t.Fatalf("%d keys in the table and %d in memory, want %d and 50", rows, mem, n)
	}
	checkReplays(t, h, first)

	h.reopen()
	if rows, mem := h.keyRows(), len(h.s.w.keys); rows != n || mem != 50 {
		t.Fatalf("after reopening: %d keys in the table and %d in memory, want %d and 50", rows, mem, n)
	}
	checkReplays(t, h, first)
	if q := h.product("A").Quantity; q != int64(n+50) {
		t.Errorf("stock = %d, want %d", q, n+50)
	}
	checkLedger(t, h)
}

// TestKeyFlushUndoneByAFailedCommit checks that when the batch that flushes
// the keys does not commit, the keys stay in memory and the table empty,
// and the next batch flushes them.
func TestKeyFlushUndoneByAFailedCommit(t *testing.T) {
	h := newHarness(t)
	h.create("A", 0)
	h.failCommitsOf("boom")
	h.write(keyedPurchases(0, flushKeysAt-10)...)
	boom := move("A", stock.KindPurchase, 1)
	boom.Movement.Reference = "boom"
	failing := append(keyedPurchases(flushKeysAt-10, flushKeysAt+10), boom)
	for i, r := range h.write(failing...) {
		if code(r) != stock.CodeUnavailable {
			t.Fatalf("job %d of the failing batch: %+v, want UNAVAILABLE", i, r.Err)
		}
	}
	if rows, mem := h.keyRows(), len(h.s.w.keys); rows != 0 || mem != flushKeysAt-10 {
		t.Fatalf("after the failed flush: %d keys in the table and %d in memory, want 0 and %d", rows, mem, flushKeysAt-10)
	}
	retried := h.write(keyedPurchases(flushKeysAt-10, flushKeysAt+10)...)
	if rows, mem := h.keyRows(), len(h.s.w.keys); rows != flushKeysAt+10 || mem != 0 {
		t.Fatalf("after the retry: %d keys in the table and %d in memory, want %d and 0", rows, mem, flushKeysAt+10)
	}
	firstRetried := fmt.Sprintf("key-%04d", flushKeysAt-10)
	checkReplays(t, h, map[string]int64{"key-0000": 2, firstRetried: retried[0].Movement.Seq})
	checkLedger(t, h)
}

// TestOldKeyIndexIsDropped checks that a database made before the key
// table loses the unique index on movements' keys, whose upkeep the key
// table avoids, and that its keys, all after keys_seq, still count.
func TestOldKeyIndexIsDropped(t *testing.T) {
	h := newHarness(t)
	h.create("A", 0)
	r := h.write(keyedPurchase("old", 1))
	if _, err := h.s.wdb.Exec(`CREATE UNIQUE INDEX movement_warehouse_id_idempotency_key
		ON movements (warehouse_id, idempotency_key) WHERE idempotency_key IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	h.reopen()
	var n int
	if err := h.s.wdb.QueryRow(`SELECT COUNT(*) FROM sqlite_master
		WHERE type = 'index' AND name = 'movement_warehouse_id_idempotency_key'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("old index count = %d (%v), want 0", n, err)
	}
	checkReplays(t, h, map[string]int64{"old": r[0].Movement.Seq})
}

// TestUnusualKeysSurviveTheFlush checks that keys with quotes, escapes,
// HTML characters, line breaks and non-ASCII text come back unchanged from
// the bulk insert's JSON.
func TestUnusualKeysSurviveTheFlush(t *testing.T) {
	h := newHarness(t)
	h.create("A", 0)
	unusual := []string{`a"b`, `c\d`, "ñandú", "<&>", "tab\there", "line\nbreak", "😀", strings.Repeat("k", stock.MaxKeyLen)}
	jobs := keyedPurchases(0, flushKeysAt-len(unusual))
	for _, k := range unusual {
		jobs = append(jobs, keyedPurchase(k, 1))
	}
	first := map[string]int64{}
	for i, r := range h.write(jobs...) {
		if r.Err != nil {
			t.Fatalf("job %d: %+v", i, r.Err)
		}
		if i >= flushKeysAt-len(unusual) {
			first[jobs[i].Movement.IdempotencyKey] = r.Movement.Seq
		}
	}
	if rows, mem := h.keyRows(), len(h.s.w.keys); rows != flushKeysAt || mem != 0 {
		t.Fatalf("%d keys in the table and %d in memory, want %d and 0", rows, mem, flushKeysAt)
	}
	checkReplays(t, h, first)
}
