package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestReportsE2E: import (with --dry-run, and refused with its bad lines),
// history with filters and --csv, report by month and sku in English and
// Spanish and to a CSV file, and a product's history, against a real node.
func TestReportsE2E(t *testing.T) {
	node := testnode.Start(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "catalogue.csv")
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(good, []byte("sku,name,price,quantity,reorderPoint\nT-1,Tornillo,0.10,100,5\nT-2,\"Tuerca, M6\",0.05,50,\n"), 0o600)
	os.WriteFile(bad, []byte("sku,name,price\nOK,Fine,1\nNOPE,,1\n"), 0o600)
	comma := filepath.Join(dir, "comma.csv")
	os.WriteFile(comma, []byte("sku,name,price\nC-1,Clavo,\"7,50\"\nC-2,Chapa,1.5.0\nC-3,Codo,abc\n"), 0o600)
	semicolons := filepath.Join(dir, "semicolons.csv")
	os.WriteFile(semicolons, []byte("sku;name;price;quantity\nS-1;Sierra;7,50;3\n"), 0o600)
	dup := filepath.Join(dir, "dup.csv")
	os.WriteFile(dup, []byte("sku,name,price\nD-1,Dado,1\nD-1,Dado,1\n"), 0o600)
	// Faults only the node finds: a repeated sku, a sku with a space, a
	// name too long, a quantity out of range, a price too large.
	nodeOnly := filepath.Join(dir, "node-only.csv")
	os.WriteFile(nodeOnly, []byte("sku,name,price,quantity\nD-1,Dado,1,\nD-1,Dado,1,\n\"A B\",Ab,1,\nL-1,"+
		strings.Repeat("x", 201)+",1,\nQ-1,Q,1,-5\nP-1,P,99999999999999,\n"), 0o600)
	steps := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string
		stderr   []string // a refusal is said once, on stderr: stdout stays empty
	}{
		{"dry run", []string{"import", good, "--dry-run"}, 0, []string{"is valid: 2 products"}, nil},
		{"nothing imported by the dry run", []string{"product", "get", "T-1"}, 1, nil, nil},
		{"import", []string{"import", good}, 0, []string{"2 created, 0 updated, 0 unchanged"}, nil},
		{"import refused", []string{"import", bad}, 1, nil, []string{"was not imported: 1 line is invalid.", "line 3: name"}},
		{"dry run refused", []string{"import", bad, "--dry-run"}, 1, nil, []string{"is not valid: 1 line is invalid (--dry-run: nothing was imported)."}},
		{"prices with a comma, in Spanish", []string{"--lang", "es", "import", comma}, 1, nil, []string{"3 líneas no son válidas",
			`línea 2: precio "7,50": en un fichero CSV los precios se escriben con punto`, ": 7.50.", `línea 3: precio "1.5.0" no es un importe`}},
		{"a file with semicolons", []string{"--lang", "es", "import", semicolons, "--dry-run"}, 1, nil, []string{"separadas por punto y coma", "con punto, por ejemplo 7.50"}},
		{"a refusal of the node's, counted", []string{"import", dup}, 1, nil, []string{"1 line is invalid.", "line 3: "}},
		{"the node's refusals, in Spanish", []string{"--lang", "es", "import", nodeOnly}, 1, nil, []string{
			"5 líneas no son válidas", "línea 3: el sku D-1 también está en la línea 2.",
			`línea 4: sku "A B" contiene espacios o caracteres de control.`, "línea 5: name tiene más de 200 caracteres.",
			"línea 6: quantity: -5 está fuera de rango (de 0 a 2.147.483.647).", `línea 7: price "99999999999999" es demasiado grande.`}},
		{"the node's refusals, in English", []string{"import", nodeOnly}, 1, nil, []string{
			"line 3: sku D-1 is on line 2 too.", "line 6: quantity: -5 is out of range (0 to 2,147,483,647)."}},
		{"sale", []string{"move", "sale", "T-1", "7", "--ref", "ORD-1"}, 0, []string{"now 93"}, nil},
		{"history by reference", []string{"history", "--ref", "ORD-1"}, 0, []string{"T-1", "ORD-1"}, nil},
		{"history from a bad day", []string{"history", "--from", "yesterday"}, 2, nil, nil},
		{"report", []string{"report", "--group-by", "month,sku"}, 0, []string{"MONTH", "T-1", "100", "7", "MOVEMENTS"}, nil},
		{"report in Spanish", []string{"--lang", "es", "report", "--group-by", "kind"}, 0, []string{"TIPO", "ENTRADAS", "venta"}, nil},
		{"report by an unknown group", []string{"report", "--group-by", "year"}, 1, nil, nil},
		{"product history", []string{"product", "history", "T-1"}, 0, []string{"created", "Tornillo"}, nil},
	}
	for _, s := range steps {
		r := runClient(t, node, s.args...)
		if r.code != s.wantCode {
			t.Fatalf("%s: exit %d, want %d\nstdout: %s\nstderr: %s", s.name, r.code, s.wantCode, r.stdout, r.stderr)
		}
		for _, want := range s.stdout {
			if !strings.Contains(r.stdout, want) {
				t.Fatalf("%s: stdout lacks %q:\n%s", s.name, want, r.stdout)
			}
		}
		for _, want := range s.stderr {
			if !strings.Contains(r.stderr, want) || r.stdout != "" {
				t.Fatalf("%s: stderr lacks %q, or stdout is not empty:\nstdout: %s\nstderr: %s", s.name, want, r.stdout, r.stderr)
			}
		}
	}
	for _, c := range []struct {
		args   []string
		header string
	}{
		{[]string{"history", "--sku", "T-1", "--csv"}, "id,warehouse,seq,sku,kind"},
		{[]string{"report", "--group-by", "sku", "--csv"}, "sku,unitsIn,unitsOut,net,count,value"},
	} {
		file := filepath.Join(dir, strings.Join(c.args[:1], "")+".csv")
		if r := runClient(t, node, append(c.args, file)...); r.code != 0 || !strings.Contains(r.stdout, file) {
			t.Fatalf("%v: exit %d %s %s", c.args, r.code, r.stdout, r.stderr)
		}
		b, err := os.ReadFile(file)
		if err != nil || !strings.HasPrefix(string(b), c.header) || !strings.Contains(string(b), "T-1") {
			t.Fatalf("%v wrote %q (%v)", c.args, b, err)
		}
	}
}
