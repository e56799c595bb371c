package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/mattn/go-sqlite3"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestErrorCodes(t *testing.T) {
	h := newHarness(t)
	h.create("A", 5)
	h.create("FULL", stock.MaxStock)
	write := func(j testJob) []byte { return j.encode(t) }
	tests := []struct {
		name    string
		raw     []byte
		write   bool
		code    stock.Code
		message string // checked when set
	}{
		{"get unknown", write(testJob{Op: stock.OpProductGet, SKU: "NOPE"}), false, stock.CodeNotFound, "product NOPE not found"},
		{"update unknown", write(testJob{Op: stock.OpProductUpdate, SKU: "NOPE", Update: &stock.UpdateProductInput{Name: ptr("x")}}), true, stock.CodeNotFound, "product NOPE not found"},
		{"delete unknown", write(testJob{Op: stock.OpProductDelete, SKU: "NOPE"}), true, stock.CodeNotFound, ""},
		{"movement of unknown", write(sale("NOPE", 1)), true, stock.CodeNotFound, "product NOPE not found"},
		{"set stock of unknown", write(testJob{Op: stock.OpStockSet, SKU: "NOPE", Quantity: 1}), true, stock.CodeNotFound, ""},
		{"token unknown", write(testJob{Op: stock.OpTokenLookup, Token: &stock.Token{Hash: "x"}}), false, stock.CodeNotFound, "token not found"},
		{"duplicate sku", write(testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "A", Name: "A"}}), true, stock.CodeAlreadyExists, "product A already exists"},
		{"sale beyond stock", write(sale("A", 9)), true, stock.CodeInsufficientStock, "not enough stock of A: 5 in stock, 9 requested"},
		{"adjustment below zero", write(move("A", stock.KindAdjustment, -6)), true, stock.CodeInsufficientStock, ""},
		{"stock beyond max", write(move("FULL", stock.KindPurchase, 1)), true, stock.CodeInvalidInput, ""},
		{"transfer kind", write(move("A", stock.KindTransferOut, 1)), true, stock.CodeInvalidInput, ""},
		{"unknown kind", write(move("A", "GIFT", 1)), true, stock.CodeInvalidInput, ""},
		{"zero adjustment", write(move("A", stock.KindAdjustment, 0)), true, stock.CodeInvalidInput, ""},
		{"negative sale", write(sale("A", -1)), true, stock.CodeInvalidInput, ""},
		{"negative set stock", write(testJob{Op: stock.OpStockSet, SKU: "A", Quantity: -1}), true, stock.CodeInvalidInput, ""},
		{"update of nothing", write(testJob{Op: stock.OpProductUpdate, SKU: "A", Update: &stock.UpdateProductInput{}}), true, stock.CodeInvalidInput, ""},
		{"create without name", write(testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "N"}}), true, stock.CodeInvalidInput, ""},
		{"movement without input", write(testJob{Op: stock.OpMovementRecord}), true, stock.CodeInvalidInput, ""},
		{"token without hash", write(testJob{Op: stock.OpTokenEnsure}), true, stock.CodeInvalidInput, ""},
		{"malformed write", []byte(`{"op":`), true, stock.CodeInvalidInput, ""},
		{"malformed read", []byte(`[]`), false, stock.CodeInvalidInput, ""},
		{"unknown op", write(testJob{Op: "product.burn"}), false, stock.CodeInvalidInput, ""},
		{"read sent as write", write(testJob{Op: stock.OpProductGet, SKU: "A"}), true, stock.CodeInvalidInput, ""},
		{"write sent as read", write(sale("A", 1)), false, stock.CodeInvalidInput, ""},
		{"bad product cursor", write(testJob{Op: stock.OpProductList, Products: &stock.ProductQuery{After: "zz"}}), false, stock.CodeInvalidInput, ""},
		{"movement cursor for products", write(testJob{Op: stock.OpProductList, Products: &stock.ProductQuery{After: stock.MovementCursor(&stock.Movement{Warehouse: "W", Seq: 3})}}), false, stock.CodeInvalidInput, ""},
		{"bad movement cursor", write(testJob{Op: stock.OpMovementList, Movements: &stock.MovementQuery{After: stock.ProductCursor("A")}}), false, stock.CodeInvalidInput, ""},
		{"page too large", write(testJob{Op: stock.OpMovementList, Movements: &stock.MovementQuery{First: stock.MaxPageSize + 1}}), false, stock.CodeInvalidInput, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []byte
			if tt.write {
				out = h.s.HandleWrites([][]byte{tt.raw})[0]
			} else {
				out = h.s.HandleRead(context.Background(), tt.raw)
			}
			var r testReply
			if err := stock.DecodeReply(out, new(json.RawMessage)); !errors.As(err, &r.Err) {
				t.Fatalf("reply %s: %v, want an error", out, err)
			}
			if code(r) != tt.code {
				t.Fatalf("reply %s, want code %s", out, tt.code)
			}
			if tt.message != "" && r.Err.Message != tt.message {
				t.Errorf("message %q, want %q", r.Err.Message, tt.message)
			}
		})
	}
	if q := h.product("A").Quantity; q != 5 {
		t.Errorf("failed jobs changed the stock of A to %d", q)
	}
	checkLedger(t, h)
}

// TestUnexpectedErrorIsInternal breaks the schema behind the store's back:
// the job fails alone as INTERNAL, and the cause is logged once.
func TestUnexpectedErrorIsInternal(t *testing.T) {
	h := newHarness(t)
	var logs bytes.Buffer
	h.s.log = slog.New(slog.NewTextHandler(&logs, nil))
	h.create("A", 5)
	if _, err := h.s.wdb.Exec(`CREATE TRIGGER boom BEFORE INSERT ON movements WHEN NEW.reference_hash = ` + h.refHash("boom") + `
		BEGIN SELECT RAISE(ABORT, 'boom'); END`); err != nil {
		t.Fatal(err)
	}
	bad := sale("A", 1)
	bad.Movement.Reference = "boom"
	r := h.write(sale("A", 1), bad, sale("A", 1))
	if code(r[0]) != "" || code(r[2]) != "" {
		t.Fatalf("neighbours failed: %+v %+v", r[0].Err, r[2].Err)
	}
	if code(r[1]) != stock.CodeInternal || r[1].Err.Message != "internal error" {
		t.Fatalf("reply %+v, want INTERNAL internal error", r[1].Err)
	}
	if n := strings.Count(logs.String(), "boom"); n != 1 {
		t.Errorf("cause logged %d times, want once:\n%s", n, logs.String())
	}
	if r[2].Movement.Seq != r[0].Movement.Seq+1 {
		t.Errorf("seqs %d then %d: the failed job left a gap", r[0].Movement.Seq, r[2].Movement.Seq)
	}
	checkLedger(t, h)
}

// TestFailedCommitFailsBatch makes COMMIT fail through a deferred foreign
// key: every job of the batch fails as UNAVAILABLE, nothing is published,
// and the sequence continues as if the batch never ran.
func TestFailedCommitFailsBatch(t *testing.T) {
	h := newHarness(t)
	h.s.log = slog.New(slog.DiscardHandler)
	h.create("A", 5)
	h.failCommitsOf("dangle")
	published := len(h.pub.changes())
	bad := sale("A", 1)
	bad.Movement.Reference = "dangle"
	for i, r := range h.write(sale("A", 1), bad, testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{SKU: "B", Name: "B"}}) {
		if code(r) != stock.CodeUnavailable {
			t.Errorf("job %d: %+v, want UNAVAILABLE", i, r)
		}
	}
	if n := len(h.pub.changes()); n != published {
		t.Errorf("%d changes published by a failed batch", n-published)
	}
	if q := h.product("A").Quantity; q != 5 {
		t.Errorf("A = %d after a failed batch, want 5", q)
	}
	if m := h.ok(sale("A", 1)).Movement; m.Seq != 3 {
		t.Errorf("seq after the failed batch = %d, want 3", m.Seq)
	}
	checkLedger(t, h)
}

// TestDiskFull: the errors SQLite and the OS give for a full disk are
// recognised, wrapped or not, and nothing else is.
func TestDiskFull(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"SQLITE_FULL", sqlite3.Error{Code: sqlite3.ErrFull}, true},
		{"I/O error with ENOSPC, wrapped", fmt.Errorf("committing: %w", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.ENOSPC}), true},
		{"ENOSPC from the OS", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, true},
		{"other I/O error", sqlite3.Error{Code: sqlite3.ErrIoErr, SystemErrno: syscall.EIO}, false},
		{"constraint", sqlite3.Error{Code: sqlite3.ErrConstraint}, false},
		{"plain error", errors.New("boom"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := diskFull(c.err); got != c.want {
				t.Errorf("diskFull(%v) = %v, want %v", c.err, got, c.want)
			}
		})
	}
}
