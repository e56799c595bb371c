package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestSubcommandsE2E runs the script commands against a real node, in
// order, checking exit codes, sentences and --json output.
func TestSubcommandsE2E(t *testing.T) {
	node := testnode.Start(t)
	steps := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string // substrings of stdout
		stderr   []string // substrings of stderr
		check    func(t *testing.T, stdout string)
	}{
		{name: "add", args: []string{"product", "add", "--sku", "A1", "--name", "Bolt M6", "--price", "9.99", "--quantity", "10"},
			stdout: []string{"Created A1.", "Bolt M6", "9.99"}},
		{name: "add again", args: []string{"product", "add", "--sku", "A1", "--name", "Other", "--price", "1"},
			wantCode: 1, stderr: []string{"already exists"}},
		{name: "add without price", args: []string{"product", "add", "--sku", "B1", "--name", "Nut"}, wantCode: 2},
		{name: "get json", args: []string{"product", "get", "A1", "--json"}, check: func(t *testing.T, out string) {
			var p struct {
				SKU      string
				Price    string
				Quantity int
			}
			decode(t, out, &p)
			if p.SKU != "A1" || p.Price != "9.99" || p.Quantity != 10 {
				t.Fatalf("product %+v, want A1 at 9.99 with 10", p)
			}
		}},
		{name: "stock set", args: []string{"stock", "set", "A1", "40"}, stdout: []string{"Stock of A1 is now 40."}},
		{name: "sale json", args: []string{"move", "sale", "A1", "3", "--ref", "ORD-7", "--json"}, check: func(t *testing.T, out string) {
			var m struct {
				Kind      string
				Quantity  int
				Balance   int
				Reference string
			}
			decode(t, out, &m)
			if m.Kind != "SALE" || m.Quantity != -3 || m.Balance != 37 || m.Reference != "ORD-7" {
				t.Fatalf("movement %+v, want a sale of 3 leaving 37, ref ORD-7", m)
			}
		}},
		{name: "sale beyond stock", args: []string{"move", "sale", "A1", "1000"}, wantCode: 1, stderr: []string{"Not enough stock of A1: 37 in stock, 1000 requested."}},
		{name: "sale beyond stock json", args: []string{"--json", "move", "sale", "A1", "1000"}, wantCode: 1,
			stdout: []string{`"code": "INSUFFICIENT_STOCK"`}},
		{name: "letter for quantity", args: []string{"move", "sale", "A1", "abc"}, wantCode: 2, stderr: []string{"not a whole number"}},
		{name: "unknown kind", args: []string{"move", "gift", "A1", "1"}, wantCode: 2},
		{name: "keyed sale", args: []string{"move", "sale", "A1", "2", "--key", "e2e-key-1"}, stdout: []string{"now 35"}},
		{name: "same key applies once", args: []string{"move", "sale", "A1", "2", "--key", "e2e-key-1"}, stdout: []string{"now 35"}},
		{name: "adjustment", args: []string{"move", "adjustment", "A1", "-5", "--note", "broken"}, stdout: []string{"now 30"}},
		{name: "history json", args: []string{"history", "--sku", "A1", "--json"}, check: func(t *testing.T, out string) {
			var ms []struct {
				Kind    string
				Balance int
			}
			decode(t, out, &ms)
			if len(ms) != 5 || ms[0].Kind != "ADJUSTMENT" || ms[0].Balance != 30 || ms[len(ms)-1].Balance != 10 {
				t.Fatalf("history %+v, want 5 movements newest first, 30 back to 10", ms)
			}
		}},
		{name: "history table", args: []string{"history", "--sku", "A1"}, stdout: []string{"sale", "ORD-7", "adjustment"}},
		{name: "products json", args: []string{"products", "--json"}, check: func(t *testing.T, out string) {
			var ps []struct {
				SKU      string
				Quantity int
			}
			decode(t, out, &ps)
			if len(ps) != 1 || ps[0].SKU != "A1" || ps[0].Quantity != 30 {
				t.Fatalf("products %+v, want A1 with 30", ps)
			}
		}},
		{name: "price with a thousands separator", args: []string{"product", "update", "A1", "--price", "1,000"},
			wantCode: 2, stderr: []string{`--price: "1,000" is ambiguous as a price`, "such as 1234.50"}},
		{name: "price with a spanish decimal in english", args: []string{"product", "update", "A1", "--price", "10,50"},
			wantCode: 2, stderr: []string{`"10,50" is ambiguous`}},
		{name: "a price pasted as the console shows it", args: []string{"product", "update", "A1", "--price", "12,345.50"},
			stdout: []string{"Updated A1.", "12,345.50"}},
		{name: "a price pasted as the console shows it, in Spanish", args: []string{"--lang", "es", "product", "update", "A1", "--price", "1.234.567,25"},
			stdout: []string{"Actualizado A1.", "1.234.567,25"}},
		{name: "update", args: []string{"product", "update", "A1", "--price", "10.50", "--name", "Bolt M6 zinc"},
			stdout: []string{"Updated A1.", "Bolt M6 zinc", "10.50"}},
		{name: "warehouses json", args: []string{"warehouses", "--json"}, check: func(t *testing.T, out string) {
			var ws []struct {
				Local   bool
				Replica *struct {
					Seq    int
					Digest string
				}
			}
			decode(t, out, &ws)
			if len(ws) != 1 || !ws[0].Local || ws[0].Replica == nil || ws[0].Replica.Seq != 9 || len(ws[0].Replica.Digest) != 64 {
				t.Fatalf("warehouses %+v, want the local one at seq 9 with a digest", ws)
			}
		}},
		{name: "warehouses table", args: []string{"warehouses"}, stdout: []string{"SEQ", "DIGEST", "WH-1"}},
		{name: "stock levels", args: []string{"stock", "levels", "A1"}, stdout: []string{"WAREHOUSE", "AS OF", "WH-1 (this node)", "30", "now"}},
		{name: "stock levels json", args: []string{"stock", "levels", "A1", "--json"}, check: func(t *testing.T, out string) {
			var ls []struct {
				Warehouse struct{ ID string }
				Quantity  int
				AsOf      *string
			}
			decode(t, out, &ls)
			if len(ls) != 1 || ls[0].Warehouse.ID != "WH-1" || ls[0].Quantity != 30 || ls[0].AsOf == nil {
				t.Fatalf("levels %+v, want WH-1 with 30, as of now", ls)
			}
		}},
		{name: "stock levels of nothing", args: []string{"--lang", "es", "stock", "levels", "NOPE"}, stdout: []string{"Ningún almacén de este nodo tiene NOPE."}},
		{name: "products of the local warehouse", args: []string{"products", "--warehouse", "WH-1"}, stdout: []string{"A1", "Products: 1."}},
		{name: "products of a warehouse not held", args: []string{"products", "--warehouse", "BCN-1"}, wantCode: 1,
			stderr: []string{"This node holds nothing of warehouse BCN-1."}},
		{name: "products of a warehouse not held, spanish", args: []string{"--lang", "es", "products", "--warehouse", "BCN-1"}, wantCode: 1,
			stderr: []string{"Este nodo no tiene nada del almacén BCN-1."}},
		{name: "spanish thousands refused", args: []string{"--lang", "es", "product", "add", "--sku", "P2", "--name", "Tuerca", "--price", "1.500"},
			wantCode: 2, stderr: []string{`"1.500" es ambiguo como precio`, "por ejemplo 1234,50", "--lang en"}},
		{name: "refused price created nothing", args: []string{"product", "get", "P2"}, wantCode: 1},
		{name: "spanish price", args: []string{"--lang", "es", "product", "add", "--sku", "P2", "--name", "Tuerca", "--price", "1500,5"},
			stdout: []string{"Creado P2.", "PRECIO       1500,50"}},
		{name: "spanish price stored exactly", args: []string{"product", "get", "P2", "--json"}, stdout: []string{`"price": "1500.50"`}},
		{name: "add below its reorder point", args: []string{"product", "add", "--sku", "P3", "--name", "Washer", "--price", "0.05", "--quantity", "2", "--reorder", "5"},
			stdout: []string{"2 (below reorder point)"}},
		{name: "list marks the reorder point", args: []string{"products", "--search", "P"}, check: func(t *testing.T, out string) {
			if !regexp.MustCompile(`(?m)^P3\s+Washer\s+2 !\s+0\.05\s+5$`).MatchString(out) || !strings.Contains(out, "! at or below its reorder point (1).") {
				t.Fatalf("the list does not mark P3, 2 with a reorder point of 5:\n%s", out)
			}
		}},
		{name: "sku in another case", args: []string{"product", "get", "p2"}, wantCode: 1, stderr: []string{"No product p2; did you mean P2?"}},
		{name: "sale of a sku in another case", args: []string{"--lang", "es", "move", "sale", "p3", "1"}, wantCode: 1,
			stderr: []string{"No hay ningún producto p3; ¿quería decir P3?"}},
		{name: "get missing", args: []string{"product", "get", "NOPE"}, wantCode: 1, stderr: []string{"Product not found."}},
		{name: "get missing json", args: []string{"product", "get", "NOPE", "--json"}, wantCode: 1, stdout: []string{`"code": "NOT_FOUND"`}},
		{name: "get missing spanish", args: []string{"--lang", "es", "product", "get", "NOPE"}, wantCode: 1, stderr: []string{"Producto no encontrado."}},
		{name: "delete", args: []string{"product", "delete", "A1", "--yes"}, stdout: []string{"Deleted A1."}},
		{name: "gone", args: []string{"product", "get", "A1"}, wantCode: 1},
		{name: "bad token", args: []string{"products", "--token", "not-a-token"}, wantCode: 1, stderr: []string{"Not allowed"}},
		{name: "unreachable", args: []string{"products", "--server", "https://127.0.0.1:1"}, wantCode: 3, stderr: []string{"unreachable"}},
		{name: "transfer to an unknown warehouse", args: []string{"transfer", "A1", "1", "--to", "NOPE-1"}, wantCode: 1, stderr: []string{"NOPE-1"}},
		{name: "transfers of none", args: []string{"transfers", "--incoming"}, stdout: []string{"No transfers."}},
		{name: "version", args: []string{"version"}, stdout: []string{"stockmesh "}},
		{name: "group", args: []string{"product"}, wantCode: 2, stderr: []string{"stockmesh product needs one of these commands:", "product update SKU"}},
		{name: "update with nothing to change", args: []string{"product", "update", "P2"}, wantCode: 2,
			stderr: []string{"product update P2: nothing to change"}},
		{name: "usage", args: []string{"frobnicate"}, wantCode: 2, stderr: []string{"unknown command"}},
	}
	for _, st := range steps {
		r := runClient(t, node, st.args...)
		if r.code != st.wantCode {
			t.Fatalf("%s: stockmesh %s exited %d, want %d\nstdout: %s\nstderr: %s",
				st.name, strings.Join(st.args, " "), r.code, st.wantCode, r.stdout, r.stderr)
		}
		for _, w := range st.stdout {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: stdout lacks %q:\n%s", st.name, w, r.stdout)
			}
		}
		for _, w := range st.stderr {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", st.name, w, r.stderr)
			}
		}
		if st.check != nil {
			st.check(t, r.stdout)
		}
	}
}

// decode unmarshals the client's --json output.
func decode(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("decoding %q: %v", out, err)
	}
}
