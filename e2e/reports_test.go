package e2e

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

const movementReport = `query($f: MovementFilter, $g: [ReportGroup!]!, $tz: String) {
	movementReport(filter: $f, groupBy: $g, timeZone: $tz) { keys unitsIn unitsOut net count value } }`

// reportRow is a row of movementReport as JSON.
type reportRow struct {
	Keys                          []string
	UnitsIn, UnitsOut, Net, Count int
	Value                         string
}

// TestReportsOverHTTP: the movements CSV has a header and every movement
// once, quoted as RFC 4180 says (references with commas, quotes, line
// breaks and accents); the summary CSV has the rows movementReport gives;
// movementReport counts the movements made, also after the node was
// killed and restarted; stockAt and lowStock read the ledger and products.
func TestReportsOverHTTP(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "R-1", 20) // 9.99 each
	before := time.Now().UTC()
	time.Sleep(5 * time.Millisecond)
	refs := []string{"plain", `with "quotes"`, "comma, here", "line\nbreak", "añil €"}
	for i, ref := range refs {
		in := map[string]any{"sku": "R-1", "kind": "SALE", "quantity": 1 + i, "reference": ref}
		n.MustGraphQL(t, recordMovement, map[string]any{"in": in})
	}
	// 20 in, 15 out, 6 movements at 9.99.
	want := []reportRow{{Keys: []string{"R-1", "PURCHASE"}, UnitsIn: 20, Net: 20, Count: 1, Value: "199.80"},
		{Keys: []string{"R-1", "SALE"}, UnitsOut: 15, Net: -15, Count: 5, Value: "149.85"}}
	check := func() {
		t.Helper()
		var out struct{ MovementReport []reportRow }
		decode(t, n.MustGraphQL(t, movementReport, map[string]any{"g": []string{"SKU", "KIND"}, "tz": "Europe/Madrid"}), &out)
		if !reflect.DeepEqual(out.MovementReport, want) {
			t.Fatalf("movementReport = %+v, want %+v", out.MovementReport, want)
		}
	}
	check()

	status, ct, body := request(t, n, "GET", "/api/v1/reports/movements.csv?sku=R-1", n.Token, nil, "")
	if status != 200 || !strings.HasPrefix(ct, "text/csv") || !strings.Contains(body, "\r\n") {
		t.Fatalf("movements.csv: %d %q %.300q", status, ct, body)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("movements.csv is not CSV: %v\n%s", err, body)
	}
	if len(rows) != 7 || strings.Join(rows[0], ",") != "id,warehouse,seq,sku,kind,quantity,balance,reference,note,actor,createdAt,lot,expires_on,location,pack" {
		t.Fatalf("movements.csv rows: %q", rows)
	}
	for i, ref := range refs { // newest first
		if got := rows[len(refs)-i][7]; got != ref {
			t.Errorf("row %d reference %q, want %q", len(refs)-i, got, ref)
		}
	}

	status, _, body = request(t, n, "GET", "/api/v1/reports/summary.csv?groupBy=SKU,KIND", n.Token, nil, "")
	wantCSV := "sku,kind,unitsIn,unitsOut,net,count,value\r\nR-1,PURCHASE,20,0,20,1,199.80\r\nR-1,SALE,0,15,-15,5,149.85\r\n"
	if status != 200 || body != wantCSV {
		t.Fatalf("summary.csv: %d %q, want %q", status, body, wantCSV)
	}
	if status, _, body = request(t, n, "GET", "/api/v1/reports/summary.csv?groupBy=YEAR", n.Token, nil, ""); status != 400 || !strings.Contains(body, "INVALID_INPUT") {
		t.Fatalf("summary.csv by YEAR: %d %s", status, body)
	}

	var at struct{ StockAt int }
	decode(t, n.MustGraphQL(t, `query($at: Time!) { stockAt(sku: "R-1", at: $at) }`, map[string]any{"at": before.Format(time.RFC3339Nano)}), &at)
	if at.StockAt != 20 {
		t.Errorf("stockAt before the sales = %d, want 20", at.StockAt)
	}
	n.MustGraphQL(t, `mutation { updateProduct(sku: "R-1", input: {reorderPoint: 5}) { sku } }`, nil)
	var low struct{ LowStock []struct{ SKU string } }
	decode(t, n.MustGraphQL(t, `{ lowStock { sku } }`, nil), &low)
	if fmt.Sprint(low.LowStock) != "[{R-1}]" {
		t.Errorf("lowStock = %+v, want R-1 (5 in stock, reorder point 5)", low.LowStock)
	}

	var hist struct {
		Product struct {
			History []struct {
				Kind    string
				Changed []string
				Actor   *string
			}
		}
	}
	decode(t, n.MustGraphQL(t, `{ product(sku: "R-1") { history { kind changed actor } } }`, nil), &hist)
	if h := hist.Product.History; len(h) != 2 || h[0].Kind != "CREATED" || h[1].Kind != "UPDATED" ||
		fmt.Sprint(h[1].Changed) != "[reorderPoint]" || h[1].Actor == nil || *h[1].Actor == "" {
		t.Errorf("history = %+v, want the creation and the reorder point's update with its actor", h)
	}

	n.Restart(t) // SIGKILL, then start on the same data
	check()
	var page struct {
		Movements struct{ Edges []json.RawMessage }
	}
	decode(t, n.MustGraphQL(t, `{ movements(filter: {reference: "comma, here"}) { edges { node { id } } } }`, nil), &page)
	if len(page.Movements.Edges) != 1 {
		t.Errorf("movements by reference: %d, want 1", len(page.Movements.Edges))
	}
}

// TestLowStockAlert: a product whose stock falls to or below its reorder
// point fires one alert, changes that stay below fire none, and the change
// that takes it back above fires one more; products without a reorder
// point never fire; a change of the reorder point that crosses the stock
// fires at once, without a stock change.
func TestLowStockAlert(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "L1", 10)
	mustCreate(t, n, "L2", 10) // no reorder point
	n.MustGraphQL(t, `mutation { updateProduct(sku: "L1", input: {reorderPoint: 4}) { sku } }`, nil)
	w, err := dialWS(t, n, "graphql-transport-ws", n.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer w.c.Close()
	w.subscribe("1", `subscription { lowStockAlert { warehouse { id } sku low quantity reorderPoint product { quantity } } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 1)
	for _, m := range []map[string]any{mv("L2", "SALE", 9), mv("L1", "SALE", 5), mv("L1", "SALE", 2), mv("L1", "SALE", 1),
		mv("L1", "PURCHASE", 1), mv("L1", "PURCHASE", 1), mv("L1", "PURCHASE", 3)} {
		n.MustGraphQL(t, recordMovement, m)
	}
	// 10 → 5 (above 4), → 3 (low), → 2, → 3, → 4 (still low), → 7 (recovered).
	want := []string{"L1 true 3", "L1 false 7"}
	for i, w0 := range want {
		a := w.next()["lowStockAlert"].(map[string]any)
		got := fmt.Sprintf("%v %v %v", a["sku"], a["low"], a["quantity"])
		if i == 0 && got == "L1 false 10" {
			// L1's creation (0 → 10, above its reorder point) reached the
			// hub after the subscription opened: events are published
			// after the commit, asynchronously, so a busy node may.
			a = w.next()["lowStockAlert"].(map[string]any)
			got = fmt.Sprintf("%v %v %v", a["sku"], a["low"], a["quantity"])
		}
		if got != w0 || a["reorderPoint"] != 4.0 || a["warehouse"].(map[string]any)["id"] != "MAD-1" {
			t.Fatalf("alert %d = %v, want %s", i, a, w0)
		}
	}
	// Nothing more: the next alert is this one.
	n.MustGraphQL(t, recordMovement, mv("L1", "SALE", 5))
	if a := w.next()["lowStockAlert"].(map[string]any); a["low"] != true || a["quantity"] != 2.0 {
		t.Fatalf("alert after falling again = %v", a)
	}
	// A change of the reorder point fires at once when it puts the stock
	// on the other side: 2 stays low at 3 (nothing), recovers at 1, is
	// low again at 5.
	for _, c := range []struct {
		point int
		want  string
	}{{3, ""}, {1, "false 2 1"}, {5, "true 2 5"}} {
		n.MustGraphQL(t, `mutation($p: Int!) { updateProduct(sku: "L1", input: {reorderPoint: $p}) { sku } }`, map[string]any{"p": c.point})
		if c.want == "" {
			continue
		}
		a := w.next()["lowStockAlert"].(map[string]any)
		if got := fmt.Sprintf("%v %v %v", a["low"], a["quantity"], a["reorderPoint"]); got != c.want {
			t.Fatalf("alert after the reorder point became %d = %v, want %s", c.point, a, c.want)
		}
	}
}

// TestImportExportProducts: a catalogue imports from CSV (a spreadsheet's
// BOM, quoted cells, accents), quantities as movements; a file with bad
// lines is refused naming each and changes nothing; the export imports
// back unchanged.
func TestImportExportProducts(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "OLD", 4)
	csvFile := "\ufeffSKU,Name,Description,Price,Quantity,Reorder Point\r\n" +
		"OLD,Old one,,2.50,6,1\r\n" +
		`NEW-1,"Tornillo, 5 mm","dice ""hola""",0.1250,100,10` + "\r\n" +
		"NEW-2,Ñandú,\"two\nlines\",3,,\r\n"
	status, _, body := request(t, n, "POST", "/api/v1/products/import", n.Token, map[string]string{"Content-Type": "text/csv"}, csvFile)
	if status != 200 || body != "{\"created\":2,\"updated\":1,\"unchanged\":0}\n" {
		t.Fatalf("import: %d %s", status, body)
	}
	if q := quantity(t, n, "OLD"); q != 6 {
		t.Errorf("OLD quantity %d, want 6", q)
	}
	if m := ledger(t, n, "NEW-1"); len(m) != 1 || m[0].Quantity != 100 {
		t.Errorf("NEW-1's ledger %+v, want its 100 as a movement", m)
	}

	bad := "sku,name,price,quantity\nGOOD,Fine,1,1\nBAD,,1,1\nWORSE,Name,-3,1\nNUM,Name,1,many\nGOOD,Again,1,1\n"
	status, _, body = request(t, n, "POST", "/api/v1/products/import", n.Token, nil, bad)
	var refused struct {
		Error struct{ Code string }
		Lines []struct {
			Line      int
			Message   string
			Violation *struct{ Field, Rule, Value string }
		}
	}
	if err := json.Unmarshal([]byte(body), &refused); err != nil || status != 400 || refused.Error.Code != "INVALID_INPUT" {
		t.Fatalf("bad import: %d %s", status, body)
	}
	var lines []int
	for _, l := range refused.Lines {
		lines = append(lines, l.Line)
	}
	if fmt.Sprint(lines) != "[3 4 5 6]" {
		t.Errorf("bad lines %v (%s), want 3 4 5 6", lines, body)
	}
	// Each line names the rule it broke, so that a client can word it in
	// its user's language.
	want := []string{"name empty ", "price decimal -3", "quantity wholeNumber many", "sku duplicate GOOD"}
	for i, l := range refused.Lines {
		if v := l.Violation; i < len(want) && (v == nil || v.Field+" "+v.Rule+" "+v.Value != want[i]) {
			t.Errorf("line %d's violation %+v, want %q", l.Line, v, want[i])
		}
	}
	if r, _ := n.GraphQL(t.Context(), `{ product(sku: "GOOD") { sku } }`, nil); r.Code() != "NOT_FOUND" {
		t.Errorf("a refused import created GOOD")
	}

	status, ct, export := request(t, n, "GET", "/api/v1/products.csv", n.Token, nil, "")
	if status != 200 || !strings.HasPrefix(ct, "text/csv") || !strings.HasPrefix(export, "sku,name,description,price,quantity,reorderPoint,maxStock\r\n") {
		t.Fatalf("export: %d %q %q", status, ct, export)
	}
	status, _, body = request(t, n, "POST", "/api/v1/products/import", n.Token, nil, export)
	if status != 200 || body != "{\"created\":0,\"updated\":0,\"unchanged\":3}\n" {
		t.Fatalf("importing the export back: %d %s", status, body)
	}
	if _, _, again := request(t, n, "GET", "/api/v1/products.csv", n.Token, nil, ""); again != export {
		t.Errorf("the export changed after importing it:\n%s\nthen\n%s", export, again)
	}
	status, _, body = request(t, n, "POST", "/api/v1/products/import?dryRun=true", n.Token, nil, "sku,name,price\nDRY,Run,1\n")
	if status != 200 || !strings.Contains(body, `"valid":true`) {
		t.Fatalf("dry run: %d %s", status, body)
	}
	if r, _ := n.GraphQL(t.Context(), `{ product(sku: "DRY") { sku } }`, nil); r.Code() != "NOT_FOUND" {
		t.Errorf("a dry run created DRY")
	}
}
