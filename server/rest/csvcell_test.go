package rest

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestNeutralCells: text cells that a spreadsheet would run as formulas
// are exported behind an apostrophe, and every value, those included,
// imports back unchanged.
func TestNeutralCells(t *testing.T) {
	tests := []struct{ value, exported string }{
		{"", ""},
		{"Widget", "Widget"},
		{"=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"'=1", "''=1"}, // an apostrophe the import would remove
		{"''x", "'''x"}, // likewise
		{"'quoted'", "'quoted'"},
		{"'", "'"},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		got := neutral(tt.value)
		if got != tt.exported {
			t.Errorf("neutral(%q) = %q, want %q", tt.value, got, tt.exported)
		}
		if got != "" && formulaStart(got[0]) {
			t.Errorf("neutral(%q) = %q starts a formula", tt.value, got)
		}
		if back := textCell(got); back != tt.value {
			t.Errorf("textCell(%q) = %q, want %q back", got, back, tt.value)
		}
	}
}

// rowsOf is an importer that keeps the rows and refusals it is given.
type rowsOf struct {
	Rows []stock.ImportRow
	bad  []stock.LineError
}

func (r *rowsOf) Add(row stock.ImportRow)  { r.Rows = append(r.Rows, row) }
func (r *rowsOf) Refuse(e stock.LineError) { r.bad = append(r.bad, e) }

// TestCatalogueRoundTrip: a catalogue exported as products.csv writes
// it, with formula-like names, imports back as the same rows.
func TestCatalogueRoundTrip(t *testing.T) {
	desc := "=1+1"
	products := []stock.Product{
		{SKU: "A-1", Name: "=HYPERLINK(\"x\")", Description: desc, Price: 19_9900, Quantity: 4, ReorderPoint: 1, MaxStock: 12},
		{SKU: "B-2", Name: "'+quoted", Description: "", Price: 1, Quantity: 0},
		{SKU: "C-3", Name: "@home", Description: "-minus", Price: 0, Quantity: 7},
	}
	var buf bytes.Buffer
	c := csv.NewWriter(&buf)
	c.Write(productColumns)
	for _, p := range products {
		c.Write(productRecord(&p))
	}
	c.Flush()
	im := &rowsOf{}
	if err := readImport(&buf, im); err != nil || len(im.bad) > 0 {
		t.Fatalf("readImport: %v %+v", err, im.bad)
	}
	for i, p := range products {
		d := &p.Description
		if p.Description == "" {
			d = nil
		}
		want := stock.ImportRow{Line: i + 2, SKU: p.SKU, Name: p.Name, Description: d, Price: p.Price,
			Quantity: &products[i].Quantity, ReorderPoint: &products[i].ReorderPoint, MaxStock: &products[i].MaxStock}
		if !reflect.DeepEqual(im.Rows[i], want) {
			t.Errorf("row %d = %+v, want %+v", i, im.Rows[i], want)
		}
	}
}
