package console

import (
	"strings"
	"testing"
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
