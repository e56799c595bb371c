package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

const recordMovement = `mutation($in: MovementInput!) { recordMovement(input: $in) { id kind quantity balance reference } }`

// TestConcurrentSales: 200 concurrent one-unit sales against 50 in stock,
// over the real HTTPS server, give exactly 50 successes.
func TestConcurrentSales(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "HOT-1", 50)
	var ok, refused, other atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			r, err := n.GraphQL(context.Background(), recordMovement, map[string]any{"in": map[string]any{
				"sku": "HOT-1", "kind": "SALE", "quantity": 1, "reference": fmt.Sprintf("ORD-%d", i)}})
			switch {
			case err != nil:
				t.Errorf("sale %d: %v", i, err)
				other.Add(1)
			case len(r.Errors) == 0:
				ok.Add(1)
			case r.Code() == "INSUFFICIENT_STOCK":
				refused.Add(1)
			default:
				t.Errorf("sale %d: unexpected error %+v", i, r.Errors)
				other.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 50 || refused.Load() != 150 || other.Load() != 0 {
		t.Fatalf("got %d sales, %d refused, %d other; want 50, 150, 0", ok.Load(), refused.Load(), other.Load())
	}
	if q := quantity(t, n, "HOT-1"); q != 0 {
		t.Fatalf("stock after the sales is %d, want 0", q)
	}
	checkLedger(t, n, "HOT-1")

	// A refusal says what was missing, for clients to word it themselves.
	r := n.MustGraphQL(t, recordMovement, map[string]any{"in": map[string]any{"sku": "HOT-1", "kind": "SALE", "quantity": 4}})
	if len(r.Errors) == 0 {
		t.Fatal("a sale from an empty stock was accepted")
	}
	ext := r.Errors[0].Extensions
	if r.Code() != "INSUFFICIENT_STOCK" || ext["sku"] != "HOT-1" || ext["inStock"] != 0.0 || ext["requested"] != 4.0 {
		t.Fatalf("refusal extensions = %v, want sku HOT-1, inStock 0, requested 4", ext)
	}
}

// TestIdempotency: the same key applies once and returns the first result;
// the same key with another request is refused and changes nothing.
func TestIdempotency(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "IDEM", 10)
	sale := map[string]any{"sku": "IDEM", "kind": "SALE", "quantity": 3, "reference": "ORD-1", "idempotencyKey": "k-1"}
	var first, second struct{ RecordMovement ledgerMovement }
	decode(t, n.MustGraphQL(t, recordMovement, map[string]any{"in": sale}), &first)
	decode(t, n.MustGraphQL(t, recordMovement, map[string]any{"in": sale}), &second)
	if first != second {
		t.Fatalf("a repeated request returned %+v, the first returned %+v", second, first)
	}
	sale["quantity"] = 4
	r := n.MustGraphQL(t, recordMovement, map[string]any{"in": sale})
	if r.Code() != "INVALID_INPUT" {
		t.Fatalf("reusing a key for another request: got %+v, want INVALID_INPUT", r.Errors)
	}
	if q := quantity(t, n, "IDEM"); q != 7 {
		t.Fatalf("stock %d, want 7 (one sale of 3)", q)
	}
	// Concurrent retries of one request apply once too.
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			n.MustGraphQL(t, recordMovement, map[string]any{"in": map[string]any{
				"sku": "IDEM", "kind": "SALE", "quantity": 1, "idempotencyKey": "k-2"}})
		})
	}
	wg.Wait()
	if q := quantity(t, n, "IDEM"); q != 6 {
		t.Fatalf("stock %d after 20 concurrent retries of one sale, want 6", q)
	}
	checkLedger(t, n, "IDEM")
}

// TestProductLifecycle covers create, duplicate, update with a quantity,
// setStock, delete with history kept, and creating the sku again.
func TestProductLifecycle(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	mustCreate(t, n, "A1", 10)
	if r := n.MustGraphQL(t, createProduct, map[string]any{"in": map[string]any{"sku": "A1", "name": "x", "price": "1"}}); r.Code() != "ALREADY_EXISTS" {
		t.Fatalf("duplicate sku: got %+v, want ALREADY_EXISTS", r.Errors)
	}
	var upd struct {
		UpdateProduct struct {
			Name, Price string
			Quantity    int
			Warehouse   struct{ ID string }
		}
	}
	decode(t, n.MustGraphQL(t, `mutation { updateProduct(sku: "A1", input: {name: "Renamed", price: "12.5", quantity: 4, note: "count"}) {
		name price quantity warehouse { id } } }`, nil), &upd)
	if u := upd.UpdateProduct; u.Name != "Renamed" || u.Price != "12.50" || u.Quantity != 4 || u.Warehouse.ID != "MAD-1" {
		t.Fatalf("updateProduct returned %+v", u)
	}
	var set struct{ SetStock ledgerMovement }
	decode(t, n.MustGraphQL(t, `mutation { setStock(sku: "A1", quantity: 9, note: "recount") { id kind quantity balance } }`, nil), &set)
	if s := set.SetStock; s.Kind != "ADJUSTMENT" || s.Quantity != 5 || s.Balance != 9 || !strings.HasPrefix(s.ID, "MAD-1:") {
		t.Fatalf("setStock returned %+v, want an ADJUSTMENT of +5 to 9", s)
	}
	checkLedger(t, n, "A1")
	history := ledger(t, n, "A1")
	if len(history) != 3 {
		t.Fatalf("A1 has %d movements, want 3 (initial, update, setStock): %+v", len(history), history)
	}
	if r := n.MustGraphQL(t, `mutation { deleteProduct(sku: "A1") { sku } }`, nil); len(r.Errors) > 0 {
		t.Fatalf("delete: %+v", r.Errors)
	}
	if r := n.MustGraphQL(t, `{ product(sku: "A1") { sku } }`, nil); r.Code() != "NOT_FOUND" {
		t.Fatalf("deleted product: got %+v, want NOT_FOUND", r.Errors)
	}
	// Deleting records the 9 units leaving, so the sku's ledger still sums
	// to its stock (none).
	if got := ledger(t, n, "A1"); len(got) != 4 || got[0].Kind != "ADJUSTMENT" || got[0].Quantity != -9 || got[0].Balance != 0 {
		t.Fatalf("history after delete = %+v, want 4 movements, the last an ADJUSTMENT of -9 to 0", got)
	}
	mustCreate(t, n, "A1", 2)
	if got := ledger(t, n, "A1"); len(got) != 5 {
		t.Fatalf("history after re-creating has %d movements, want 5", len(got))
	}
}

// TestBadInputChangesNothing: each bad request gets INVALID_INPUT and the
// ledger and stock stay as they were.
func TestBadInputChangesNothing(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "B1", 5)
	long := strings.Repeat("x", 300)
	cases := []struct {
		name  string
		query string
		vars  map[string]any
	}{
		{"zero quantity", recordMovement, mv("B1", "SALE", 0)},
		{"negative quantity", recordMovement, mv("B1", "PURCHASE", -2)},
		{"unknown kind", recordMovement, mv("B1", "STEAL", 1)},
		{"transfer kind", recordMovement, mv("B1", "TRANSFER_IN", 1)},
		{"empty sku", recordMovement, mv("", "SALE", 1)},
		{"oversized sku", recordMovement, mv(long, "SALE", 1)},
		{"sku with spaces", recordMovement, mv("B 1", "SALE", 1)},
		{"quantity beyond Int", recordMovement, mv("B1", "PURCHASE", 1<<40)},
		{"malformed price", createProduct, cp("B2", "x", "12,50")},
		{"negative price", createProduct, cp("B2", "x", "-1")},
		{"price as number", createProduct, map[string]any{"in": map[string]any{"sku": "B2", "name": "x", "price": 1.5}}},
		{"empty name", createProduct, cp("B2", "  ", "1")},
		{"oversized name", createProduct, cp("B2", long, "1")},
		{"negative setStock", `mutation { setStock(sku: "B1", quantity: -1) { id } }`, nil},
		{"page too large", `{ products(first: 100000) { totalCount } }`, nil},
		{"bad cursor", `{ movements(after: "nonsense") { pageInfo { hasNextPage } } }`, nil},
		{"syntax error", `mutation { recordMovement(`, nil},
	}
	// extensions.violation.rule, where the node names the rule broken
	rules := map[string]string{
		"zero quantity":   "range",
		"empty sku":       "empty",
		"oversized sku":   "tooLong",
		"sku with spaces": "characters",
		"malformed price": "decimal",
		"empty name":      "empty",
		"oversized name":  "tooLong",
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := n.MustGraphQL(t, c.query, c.vars)
			if r.Code() != "INVALID_INPUT" {
				t.Fatalf("got %+v, want INVALID_INPUT", r.Errors)
			}
			if r.Errors[0].Message == "" || r.Errors[0].Message == "internal error" {
				t.Fatalf("message %q does not explain the problem", r.Errors[0].Message)
			}
			if v, _ := r.Errors[0].Extensions["violation"].(map[string]any); rules[c.name] != "" && (v["rule"] != rules[c.name] || v["field"] == "") {
				t.Fatalf("extensions.violation %v (%+v), want rule %q and its field, so clients can word it", v, r.Errors, rules[c.name])
			}
		})
	}
	if got := ledger(t, n, "B1"); len(got) != 1 || quantity(t, n, "B1") != 5 {
		t.Fatalf("bad input changed B1: %d movements, stock %d", len(got), quantity(t, n, "B1"))
	}
	var out struct{ Products struct{ TotalCount int } }
	decode(t, n.MustGraphQL(t, `{ products { totalCount } }`, nil), &out)
	if out.Products.TotalCount != 1 {
		t.Fatalf("bad input created products: %d exist, want 1", out.Products.TotalCount)
	}
}

func mv(sku, kind string, q int) map[string]any {
	return map[string]any{"in": map[string]any{"sku": sku, "kind": kind, "quantity": q}}
}

func cp(sku, name, price string) map[string]any {
	return map[string]any{"in": map[string]any{"sku": sku, "name": name, "price": price}}
}
