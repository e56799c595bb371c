package store

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestKeysStoredHashed: an idempotency key is stored, logged and
// replicated as its hash only, while a retry still gets the first
// result, another request with it is refused, and the stored hash sent
// as a key is a key of its own.
func TestKeysStoredHashed(t *testing.T) {
	const secret = "order-7f3a-secret-key"
	a, b, _ := trio(t)
	a.create("A", 10)
	first := a.ok(keyedPurchase(secret, 2)).Movement
	tr := tok(a, stock.OpTransferSend, &stock.TransferInput{SKU: "A", To: "BCN-1", Quantity: 1, IdempotencyKey: secret + "-t"})
	pull(a, b, "MAD-1")
	if first.IdempotencyKey != storedKey(secret) || tr.IdempotencyKey != storedKey(secret+"-t") {
		t.Errorf("replies carry keys %q and %q, want their hashes", first.IdempotencyKey, tr.IdempotencyKey)
	}
	for _, e := range readLog(t, b, "MAD-1", 100) {
		if e.Movement != nil && strings.Contains(e.Movement.IdempotencyKey, secret) ||
			e.Transfer != nil && strings.Contains(e.Transfer.IdempotencyKey, secret) {
			t.Errorf("the log carries the key in clear: %+v", e)
		}
	}
	tests := []struct {
		name string
		job  testJob
		code stock.Code
		seq  int64 // of the movement answered; 0: a new one
	}{
		{"retry", keyedPurchase(secret, 2), "", first.Seq},
		{"another request with the key", keyedPurchase(secret, 3), stock.CodeInvalidInput, 0},
		{"the stored hash as a key", keyedPurchase(storedKey(secret), 2), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := a.write(tt.job)[0]
			if code(r) != tt.code || (tt.code == "" && (r.Movement.Seq == tt.seq) != (tt.seq != 0)) {
				t.Errorf("%+v %+v, want code %q and seq %d (0: a new movement)", r.Err, r.Movement, tt.code, tt.seq)
			}
		})
	}
	if again := tok(a, stock.OpTransferSend, &stock.TransferInput{SKU: "A", To: "BCN-1", Quantity: 1, IdempotencyKey: secret + "-t"}); again.ID != tr.ID {
		t.Errorf("a retried transfer made %s, want %s", again.ID, tr.ID)
	}
	a.reopen()
	if r := a.write(keyedPurchase(secret, 2))[0]; code(r) != "" || r.Movement.Seq != first.Seq {
		t.Errorf("retry after a reopen: %+v %+v", r.Err, r.Movement)
	}
	for _, h := range []*harness{a, b} {
		if err := h.s.Close(); err != nil {
			t.Fatal(err)
		}
		grepFiles(t, h.dir, secret)
	}
}

// TestClearKeysOfOlderDatabases: keys an older version stored in clear
// (they stay so: they are in signed log heads) still answer retries, and
// a key that looks hashed is never looked up in clear.
func TestClearKeysOfOlderDatabases(t *testing.T) {
	h := newHarness(t)
	h.create("A", 0)
	old := h.ok(keyedPurchase("legacy-1", 1)).Movement
	h.write(keyedPurchases(0, flushKeysAt)...) // flushed to the key table
	h.ok(keyedPurchase("legacy-2", 1))         // in memory until a flush
	for _, k := range []string{"legacy-1", "legacy-2", "key-0000"} {
		exec := func(q string) {
			if _, err := h.s.wdb.Exec(q, k, storedKey(k)); err != nil {
				t.Fatal(err)
			}
		}
		exec(`UPDATE movements SET idempotency_key = ?1 WHERE idempotency_key = ?2`)
		exec(`UPDATE idempotency_keys SET key = ?1 WHERE key = ?2`)
	}
	hashedLookalike := storedKey("victim")
	for _, q := range []string{`UPDATE movements SET idempotency_key = ? WHERE seq = ?`, `UPDATE idempotency_keys SET key = ? WHERE seq = ?`} {
		if _, err := h.s.wdb.Exec(q, hashedLookalike, old.Seq+2); err != nil {
			t.Fatal(err)
		}
	}
	h.reopen()
	if !h.s.w.clearKeys {
		t.Fatal("the reopened store does not know it holds clear keys")
	}
	before := h.product("A").Quantity
	for _, k := range []string{"legacy-1", "legacy-2", "key-0000"} {
		if r := h.write(keyedPurchase(k, 1))[0]; code(r) != "" || r.Movement.Quantity != 1 {
			t.Errorf("retry of %s: %+v %+v", k, r.Err, r.Movement)
		}
	}
	if q := h.product("A").Quantity; q != before {
		t.Errorf("retries with clear keys moved the stock from %d to %d", before, q)
	}
	if r := h.write(keyedPurchase(hashedLookalike, 1))[0]; code(r) != "" || r.Movement.Seq == old.Seq+2 {
		t.Errorf("a key that looks hashed matched a stored one: %+v %+v", r.Err, r.Movement)
	}
}
