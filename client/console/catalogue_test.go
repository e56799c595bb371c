package console

import (
	"regexp"
	"strings"
	"testing"
)

// TestWriteCatalogue: products --warehouse all shows a row per sku, a
// column per warehouse (- where it has none, ! at its reorder point) and
// the units in transit to each, in both languages.
func TestWriteCatalogue(t *testing.T) {
	ids := []string{"MAD-1", "BCN-1"}
	rows := []catalogueRow{
		{SKU: "A1", Name: "Bolt", Warehouses: map[string]catalogueEntry{"MAD-1": {Quantity: 1234}, "BCN-1": {Quantity: 2, ReorderPoint: 5, BelowReorderPoint: true}},
			InTransit: map[string]int{"BCN-1": 3}},
		{SKU: "B2", Name: "Nut", Warehouses: map[string]catalogueEntry{"BCN-1": {Quantity: 7}}},
	}
	tests := []struct {
		name string
		lang Lang
		rows []catalogueRow
		want []string // lines, runs of spaces collapsed
	}{
		{name: "en", rows: rows, want: []string{"SKU NAME MAD-1 BCN-1 IN TRANSIT", "A1 Bolt 1,234 2 ! 3 to BCN-1", "B2 Nut - 7",
			"Products: 2.", "! at or below its reorder point in that warehouse (1)."}},
		{name: "es", lang: Spanish, rows: rows, want: []string{"SKU NOMBRE MAD-1 BCN-1 EN TRÁNSITO", "A1 Bolt 1234 2 ! 3 a BCN-1", "B2 Nut - 7",
			"Productos: 2.", "! en su punto de pedido o por debajo en ese almacén (1)."}},
		{name: "none", want: []string{"No products."}},
	}
	spaces := regexp.MustCompile(` +`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			writeCatalogue(&out, NewPrinter(tt.lang), false, ids, tt.rows)
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				got = append(got, strings.TrimSpace(spaces.ReplaceAllString(line, " ")))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}
