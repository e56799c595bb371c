package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestMain removes the stockmeshd the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	testnode.RemoveBinary()
	os.Exit(code)
}

// decode unmarshals a response's data into v, failing on GraphQL errors.
func decode(t testing.TB, r *testnode.Response, v any) {
	t.Helper()
	if err := decodeErr(r, v); err != nil {
		t.Fatal(err)
	}
}

// decodeErr is decode returning its failure, for goroutines other than the
// test's, which must not stop the test.
func decodeErr(r *testnode.Response, v any) error {
	if len(r.Errors) > 0 {
		return fmt.Errorf("unexpected GraphQL errors: %+v", r.Errors)
	}
	if err := json.Unmarshal(r.Data, v); err != nil {
		return fmt.Errorf("decoding data %s: %v", r.Data, err)
	}
	return nil
}

const createProduct = `mutation($in: CreateProductInput!) { createProduct(input: $in) { sku quantity } }`

// mustCreate creates a product with an initial quantity.
func mustCreate(t testing.TB, n *testnode.Node, sku string, qty int) {
	t.Helper()
	r := n.MustGraphQL(t, createProduct, map[string]any{"in": map[string]any{
		"sku": sku, "name": "Product " + sku, "price": "9.99", "initialQuantity": qty}})
	var out struct{ CreateProduct struct{ Quantity int } }
	decode(t, r, &out)
	if out.CreateProduct.Quantity != qty {
		t.Fatalf("created %s with quantity %d, want %d", sku, out.CreateProduct.Quantity, qty)
	}
}

// quantity returns a product's stock.
func quantity(t testing.TB, n *testnode.Node, sku string) int {
	t.Helper()
	var out struct{ Product struct{ Quantity int } }
	decode(t, n.MustGraphQL(t, `query($s: ID!) { product(sku: $s) { quantity } }`, map[string]any{"s": sku}), &out)
	return out.Product.Quantity
}

// ledgerMovement is a movement as the tests read it.
type ledgerMovement struct {
	ID        string
	Kind      string
	Quantity  int
	Balance   int
	Reference string
}

// ledger returns every movement of sku in the local warehouse, newest
// first, following cursors.
func ledger(t testing.TB, n *testnode.Node, sku string) []ledgerMovement {
	return ledgerOf(t, n, "", sku)
}

// localID returns the id of the warehouse n owns.
func localID(t testing.TB, n *testnode.Node) string {
	t.Helper()
	var out struct{ LocalWarehouse struct{ ID string } }
	decode(t, n.MustGraphQL(t, `{ localWarehouse { id } }`, nil), &out)
	return out.LocalWarehouse.ID
}

// ledgerOf returns every movement of sku in warehouse ("": the one n owns;
// the API without a warehouse would list every warehouse n holds) as n
// holds them, newest first, following cursors.
func ledgerOf(t testing.TB, n *testnode.Node, warehouse, sku string) []ledgerMovement {
	t.Helper()
	var all []ledgerMovement
	if warehouse == "" {
		warehouse = localID(t, n)
	}
	var w, after any = warehouse, nil
	for {
		var out struct {
			Movements struct {
				Edges    []struct{ Node ledgerMovement }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		decode(t, n.MustGraphQL(t, `query($w: ID, $s: ID, $after: String) {
			movements(filter: {warehouse: $w, sku: $s}, first: 500, after: $after) {
				edges { node { id kind quantity balance reference } } pageInfo { hasNextPage endCursor } } }`,
			map[string]any{"w": w, "s": sku, "after": after}), &out)
		for _, e := range out.Movements.Edges {
			all = append(all, e.Node)
		}
		if !out.Movements.PageInfo.HasNextPage {
			return all
		}
		after = out.Movements.PageInfo.EndCursor
	}
}

// checkLedger asserts that sku's stock equals the sum of its movements and
// that each balance is the running sum.
func checkLedger(t testing.TB, n *testnode.Node, sku string) {
	t.Helper()
	checkLedgerOf(t, n, "", sku)
}

// checkLedgerOf asserts that sku's stock in warehouse ("": the one n owns),
// as n holds it, equals the sum of its movements there and that each
// balance is the running sum.
func checkLedgerOf(t testing.TB, n *testnode.Node, warehouse, sku string) {
	t.Helper()
	moves := ledgerOf(t, n, warehouse, sku)
	sum := 0
	for i := len(moves) - 1; i >= 0; i-- {
		sum += moves[i].Quantity
		if moves[i].Balance != sum {
			t.Fatalf("%s of %q: movement %s has balance %d, running sum is %d", sku, warehouse, moves[i].ID, moves[i].Balance, sum)
		}
	}
	var out struct{ Product struct{ Quantity int } }
	var w any
	if warehouse != "" {
		w = warehouse
	}
	decode(t, n.MustGraphQL(t, `query($s: ID!, $w: ID) { product(sku: $s, warehouse: $w) { quantity } }`,
		map[string]any{"s": sku, "w": w}), &out)
	if q := out.Product.Quantity; q != sum {
		t.Fatalf("%s of %q: stock %d, ledger sums to %d", sku, warehouse, q, sum)
	}
}
