package console

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/client/remote"
)

// TestCheckImport: the console finds the common mistakes of a catalogue
// before sending it, and says them in the person's language.
func TestCheckImport(t *testing.T) {
	tests := []struct {
		name      string
		lang      Lang
		csv       string
		wantFile  string   // part of a refusal of the whole file
		wantLines []string // "LINE: part of its message"
	}{
		{name: "good", csv: "sku,name,price,quantity,reorderPoint\nA,Ant,1.50,3,\nB,\"Bee, big\",0.0001,,2\n"},
		{name: "a header the node names differently", csv: "SKU,Name,Price,Reorder Point\nA,Ant,1,2\n"},
		{name: "semicolons", csv: "sku;name;price\nA;Ant;1,5\n", wantFile: "separated by semicolons"},
		{name: "semicolons, in Spanish", lang: Spanish, csv: "sku;name;price\n", wantFile: "separadas por punto y coma"},
		{name: "unknown column", csv: "sku,name,price,colour\n", wantFile: `unknown column "colour"`},
		{name: "no price column", csv: "sku,name\n", wantFile: "no price column"},
		{name: "lines", csv: "sku,name,price,quantity\nA,,1,\nB,Bee,\"7,50\",\nC,Cat,1.5.0,\nD,Dog,2,three\n",
			wantLines: []string{"2: name is empty", `3: price "7,50": in a CSV file prices are written with a point`, `4: price "1.5.0" is not an amount`,
				`5: quantity: "three" is not a whole number`}},
		{name: "a price with a comma, in Spanish", lang: Spanish, csv: "sku,name,price\nB,Bee,\"7,50\"\n",
			wantLines: []string{`2: precio "7,50": en un fichero CSV los precios se escriben con punto antes de los decimales, en cualquier idioma: 7.50.`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad, err := checkImport(NewPrinter(tt.lang), []byte(tt.csv))
			if tt.wantFile != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantFile) {
					t.Fatalf("error = %v, want one containing %q", err, tt.wantFile)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(bad) != len(tt.wantLines) {
				t.Fatalf("bad lines %+v, want %q", bad, tt.wantLines)
			}
			for i, l := range bad {
				if got := strings.TrimSpace(strings.Join([]string{itoa(l.Line), l.Message}, ": ")); !strings.Contains(got, tt.wantLines[i]) {
					t.Errorf("line %d: %q, want %q", i, got, tt.wantLines[i])
				}
			}
		})
	}
}

// itoa writes n in decimal.
func itoa(n int) string { return FormatInt(English, n) }

// TestNodeLine: a line the node refused is said in the person's language
// from the rule the node names, never in the node's English words.
func TestNodeLine(t *testing.T) {
	const english = "the node's English words"
	tests := []struct {
		name   string
		v      *remote.Violation
		en, es string
	}{
		{"empty", &remote.Violation{Field: "name", Rule: "empty"}, "name is empty.", "name está vacío."},
		{"too long", &remote.Violation{Field: "name", Rule: "tooLong", Max: 200}, "name is longer than 200 characters.", "name tiene más de 200 caracteres."},
		{"characters", &remote.Violation{Field: "sku", Rule: "characters", Value: "A B"}, `sku "A B" contains spaces`, `sku "A B" contiene espacios`},
		{"encoding", &remote.Violation{Field: "description", Rule: "encoding"}, "description is not valid UTF-8", "description no es texto UTF-8 válido"},
		{"range", &remote.Violation{Field: "quantity", Rule: "range", Value: "-5", Min: 0, Max: 2147483647},
			"quantity: -5 is out of range (0 to 2,147,483,647).", "quantity: -5 está fuera de rango (de 0 a 2.147.483.647)."},
		{"decimal with a comma", &remote.Violation{Field: "price", Rule: "decimal", Value: "7,50", Max: 4}, "prices are written with a point", "los precios se escriben con punto"},
		{"too large", &remote.Violation{Field: "price", Rule: "tooLarge", Value: "9e20"}, `price "9e20" is too large.`, `price "9e20" es demasiado grande.`},
		{"whole number", &remote.Violation{Field: "reorderPoint", Rule: "wholeNumber", Value: "x"}, `reorderPoint: "x" is not a whole number.`, `reorderPoint: "x" no es un número entero.`},
		{"duplicate", &remote.Violation{Field: "sku", Rule: "duplicate", Value: "D-1", Line: 2}, "sku D-1 is on line 2 too.", "el sku D-1 también está en la línea 2."},
		{"a rule this console does not know", &remote.Violation{Field: "lot", Rule: "newer"}, english, "el nodo rechazó esta línea"},
		{"no rule (an older node)", nil, english, "el nodo rechazó esta línea"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := remote.LineError{Line: 3, Message: english, Violation: tt.v}
			if got := nodeLine(NewPrinter(English), l); !strings.Contains(got, tt.en) {
				t.Errorf("English: %q, want %q in it", got, tt.en)
			}
			got := nodeLine(NewPrinter(Spanish), l)
			if !strings.Contains(got, tt.es) || strings.Contains(got, english) {
				t.Errorf("Spanish: %q, want %q in it and no English", got, tt.es)
			}
		})
	}
}
