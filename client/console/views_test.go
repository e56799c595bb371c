package console

import (
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
)

// TestNetworkViews checks the tables of stock levels and warehouses in
// both languages, and that what a node did not send (a replica, a time)
// leaves its cells blank instead of failing.
func TestNetworkViews(t *testing.T) {
	at := time.Date(2026, 1, 2, 10, 15, 0, 0, time.UTC)
	when := FormatTime(at, time.Now())
	levels := []remote.StockLevel{
		{Warehouse: remote.Warehouse{ID: "MAD-1", Local: true}, Quantity: 1234, AsOf: &at},
		{Warehouse: remote.Warehouse{ID: "BCN-1"}, Quantity: 7, InTransit: 1500, AsOf: &at},
		{Warehouse: remote.Warehouse{ID: "VLC-1"}, Quantity: 0},
		{Warehouse: remote.Warehouse{ID: "ZAR-1"}, Quantity: 1, AsOf: &at},
		{Warehouse: remote.Warehouse{ID: "SEV-1"}, Quantity: 2, AsOf: &at},
		{Warehouse: remote.Warehouse{ID: "GIJ-1"}, Quantity: 3, AsOf: &at},
	}
	warehouses := []remote.Warehouse{
		{ID: "MAD-1", Name: "Madrid", Local: true, Replica: &remote.Replica{Seq: 12345, Digest: "0123456789abcdef0123", AsOf: &at}},
		{ID: "BCN-1", Name: "Barcelona", Online: true, LastSeen: &at, Behind: 3},
		{ID: "VLC-1", Name: "Valencia", Departed: true},
		{ID: "SEV-1", Name: "Sevilla"},
	}
	known := map[string]remote.Warehouse{}
	for _, w := range append(warehouses, remote.Warehouse{ID: "ZAR-1", Online: true}) {
		known[w.ID] = w
	}
	cases := []struct {
		name  string
		lang  Lang
		write func(out *strings.Builder, p Printer)
		want  []string // lines, with runs of spaces collapsed
	}{
		{"levels en", English, func(out *strings.Builder, p Printer) { writeStockLevels(out, p, false, "A1", levels, known) },
			[]string{"WAREHOUSE QUANTITY IN TRANSIT AS OF", "MAD-1 (this node) 1,234 0 now", "BCN-1 7 1,500 " + when + " (online, 3 changes behind)",
				"VLC-1 0 0 (departed)", "ZAR-1 1 0 now (online)", "SEV-1 2 0 " + when + " (offline)", "GIJ-1 3 0 " + when}},
		{"levels es", Spanish, func(out *strings.Builder, p Printer) { writeStockLevels(out, p, false, "A1", levels, known) },
			[]string{"ALMACÉN CANTIDAD EN TRÁNSITO A FECHA DE", "MAD-1 (este nodo) 1234 0 ahora", "BCN-1 7 1500 " + when + " (en línea, faltan 3 cambios)",
				"VLC-1 0 0 (salió de la red)", "ZAR-1 1 0 ahora (en línea)", "SEV-1 2 0 " + when + " (sin conexión)", "GIJ-1 3 0 " + when}},
		{"levels without the warehouses", English, func(out *strings.Builder, p Printer) { writeStockLevels(out, p, false, "A1", levels, nil) },
			[]string{"WAREHOUSE QUANTITY IN TRANSIT AS OF", "MAD-1 (this node) 1,234 0 now", "BCN-1 7 1,500 " + when, "VLC-1 0 0",
				"ZAR-1 1 0 " + when, "SEV-1 2 0 " + when, "GIJ-1 3 0 " + when}},
		{"no levels en", English, func(out *strings.Builder, p Printer) { writeStockLevels(out, p, false, "A1", nil, known) },
			[]string{"No warehouse this node holds has A1."}},
		{"no levels es", Spanish, func(out *strings.Builder, p Printer) { writeStockLevels(out, p, false, "A1", nil, known) },
			[]string{"Ningún almacén de este nodo tiene A1."}},
		{"warehouses en", English, func(out *strings.Builder, p Printer) { writeWarehouses(out, p, false, warehouses) },
			[]string{"ID NAME STATUS LAST SEEN BEHIND SEQ AS OF DIGEST", "MAD-1 Madrid this node 12,345 " + when + " 0123456789ab",
				"BCN-1 Barcelona online " + when + " 3", "VLC-1 Valencia departed 0", "SEV-1 Sevilla offline 0"}},
		{"warehouses es", Spanish, func(out *strings.Builder, p Printer) { writeWarehouses(out, p, false, warehouses) },
			[]string{"ID NOMBRE ESTADO VISTO PENDIENTES SEC A FECHA DE RESUMEN", "MAD-1 Madrid este nodo 12.345 " + when + " 0123456789ab",
				"BCN-1 Barcelona en línea " + when + " 3", "VLC-1 Valencia salió de la red 0", "SEV-1 Sevilla sin conexión 0"}},
	}
	troubled := []remote.Warehouse{
		{ID: "MAD-1", Name: "Madrid", Local: true},
		{ID: "BCN-1", Name: "Barcelona", Replica: &remote.Replica{Seq: 9, Digest: "ab", Problem: &remote.ReplicaProblem{
			Kind: "FORK", ServedBy: "VLC-1", Since: at}}},
		{ID: "VLC-1", Name: "Valencia", Replica: &remote.Replica{Seq: 2, Digest: "cd", Problem: &remote.ReplicaProblem{
			Kind: "UNVERIFIABLE", ServedBy: "SEV-1", Since: at, Detail: "chain"}}},
	}
	cases = append(cases, []struct {
		name  string
		lang  Lang
		write func(out *strings.Builder, p Printer)
		want  []string
	}{
		{"replica problems en", English, func(out *strings.Builder, p Printer) { writeWarehouses(out, p, false, troubled) },
			[]string{"ID NAME STATUS LAST SEEN BEHIND SEQ AS OF DIGEST", "MAD-1 Madrid this node", "BCN-1 Barcelona offline 0 9 ab",
				"VLC-1 Valencia offline 0 2 cd",
				"BCN-1 signed two different histories (a restored backup or a copied data folder writing again): this node no longer applies its log (found in what VLC-1 served, " + when + "). See the README's Signed histories.",
				"The log of VLC-1 that SEV-1 served failed verification (" + when + ": chain): it was refused and is fetched from another member."}},
		{"replica problems es", Spanish, func(out *strings.Builder, p Printer) { writeWarehouses(out, p, false, troubled[1:2]) },
			[]string{"ID NOMBRE ESTADO VISTO PENDIENTES SEC A FECHA DE RESUMEN", "BCN-1 Barcelona sin conexión 0 9 ab",
				"BCN-1 firmó dos historiales distintos (una copia de seguridad restaurada o una carpeta de datos copiada que vuelve a escribir): este nodo ya no aplica su registro (visto en lo que sirvió VLC-1, " + when + "). Véase «Signed histories» en el README."}},
	}...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			c.write(&out, NewPrinter(c.lang))
			var got []string
			for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
				got = append(got, strings.Join(strings.Fields(line), " "))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestProductListMarksReorder: the list marks products at or below their
// reorder point in plain text too (not only in reverse video), as
// `product get` does, and says what the mark means.
func TestProductListMarksReorder(t *testing.T) {
	ps := []remote.Product{
		{SKU: "A1", Name: "Bolt", Price: "1", Quantity: 40, ReorderPoint: 5},
		{SKU: "B2", Name: "Nut", Price: "1", Quantity: 5, ReorderPoint: 5, BelowReorderPoint: true},
	}
	cases := []struct {
		lang Lang
		want []string
	}{
		{English, []string{"A1 Bolt 40 1.00 5", "B2 Nut 5 ! 1.00 5", "Products: 2.", "! at or below its reorder point (1)."}},
		{Spanish, []string{"A1 Bolt 40 1,00 5", "B2 Nut 5 ! 1,00 5", "Productos: 2.", "! en su punto de pedido o por debajo (1)."}},
	}
	for _, c := range cases {
		var out strings.Builder
		writeProducts(&out, NewPrinter(c.lang), false, ps)
		var got []string
		for _, line := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n")[1:] {
			got = append(got, strings.Join(strings.Fields(line), " "))
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
		}
	}
	var out strings.Builder
	writeProducts(&out, NewPrinter(English), false, ps[:1])
	if strings.Contains(out.String(), "!") {
		t.Errorf("a list with nothing to reorder shows the mark:\n%s", out.String())
	}
}

// TestReportViewsWriteLanguagePrices: a report's value and a product
// history's price use the language's decimal mark and thousands
// separator, as the product list does.
func TestReportViewsWriteLanguagePrices(t *testing.T) {
	rows := []remote.ReportRow{{Keys: []string{"A1"}, UnitsIn: 1200, UnitsOut: 3, Net: 1197, Count: 2, Value: "12345.6"}}
	changes := []remote.ProductChange{{Kind: "CREATED", Name: "Bolt", Price: "9.99", ReorderPoint: 20, At: time.Now()}}
	cases := []struct {
		lang          Lang
		report, price string
	}{
		{English, "A1 1,200 3 +1,197 2 12,345.60", "Bolt 9.99 20"},
		{Spanish, "A1 1200 3 +1197 2 12.345,60", "Bolt 9,99 20"},
	}
	for _, c := range cases {
		var out strings.Builder
		writeReport(&out, NewPrinter(c.lang), false, []string{"SKU"}, rows)
		if got := lastLine(out.String()); got != c.report {
			t.Errorf("%v report row = %q, want %q", c.lang, got, c.report)
		}
		out.Reset()
		writeProductHistory(&out, NewPrinter(c.lang), false, changes)
		if got := lastLine(out.String()); !strings.Contains(got, c.price) {
			t.Errorf("%v product history row = %q, want it to hold %q", c.lang, got, c.price)
		}
	}
}

// lastLine returns the last line of a table, its cells separated by one space.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(strings.Fields(lines[len(lines)-1]), " ")
}
