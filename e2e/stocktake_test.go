package e2e

import (
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// gqlStocktake is a stocktake as the tests read it.
type gqlStocktake struct {
	ID            string
	Warehouse     struct{ ID string }
	Status        string
	Note          string
	VarianceValue string
	FinalizedAt   *time.Time
	Lines         []gqlLine
}

// gqlLine is a stocktake line as the tests read it.
type gqlLine struct {
	SKU                         string
	Snapshot                    int
	Counted, Expected, Variance *int
	CountedBy                   *string
}

const stocktakeFields = `id warehouse { id } status note createdAt finalizedAt varianceValue
	lines { sku snapshot counted expected variance countedAt countedBy }`

func startStocktake(t *testing.T, n *testnode.Node, in map[string]any) (gqlStocktake, string, string) {
	t.Helper()
	var st gqlStocktake
	code, ext := gqlCall(t, n, `mutation($in: StartStocktakeInput!) { r: startStocktake(input: $in) { `+stocktakeFields+` } }`,
		map[string]any{"in": in}, &st)
	msg, _ := ext["message"].(string)
	return st, code, msg
}

func count(t *testing.T, n *testnode.Node, id, sku string, counted int) (gqlLine, string) {
	t.Helper()
	var l gqlLine
	code, _ := gqlCall(t, n, `mutation($in: RecordCountInput!) { r: recordCount(input: $in) { sku snapshot counted expected variance countedAt countedBy } }`,
		map[string]any{"in": map[string]any{"stocktake": id, "sku": sku, "counted": counted}}, &l)
	return l, code
}

func stocktakeCall(t *testing.T, n *testnode.Node, op, id string) (gqlStocktake, string) {
	t.Helper()
	var st gqlStocktake
	code, _ := gqlCall(t, n, `mutation($id: ID!) { r: `+op+`(id: $id) { `+stocktakeFields+` } }`, map[string]any{"id": id}, &st)
	return st, code
}

func stocktakeOn(t *testing.T, n *testnode.Node, id string) (gqlStocktake, string) {
	t.Helper()
	var st gqlStocktake
	code, _ := gqlCall(t, n, `query($id: ID!) { r: stocktake(id: $id) { `+stocktakeFields+` } }`, map[string]any{"id": id}, &st)
	return st, code
}

func stLine(st gqlStocktake, sku string) gqlLine {
	for _, l := range st.Lines {
		if l.SKU == sku {
			return l
		}
	}
	return gqlLine{}
}

func intIs(p *int, want int) bool { return p != nil && *p == want }

// TestStocktakeSalesDuringCount: sales before and after a line's count
// never show up as variances; finalizing posts one ADJUSTMENT per line
// with a variance, referencing the stocktake, so the stock ends at the
// count plus the movements after it; the admin threshold and bad input
// hold.
func TestStocktakeSalesDuringCount(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1", "--stocktake-admin-above", "5.00")
	for sku, q := range map[string]int{"T1": 10, "T2": 5, "T3": 7} {
		mustCreate(t, n, sku, q)
	}
	st, code, _ := startStocktake(t, n, map[string]any{"skus": []string{"T1", "T2"}, "note": "weekly"})
	if code != "" || st.Status != "OPEN" || len(st.Lines) != 2 || stLine(st, "T1").Snapshot != 10 || stLine(st, "T1").Counted != nil {
		t.Fatalf("startStocktake: %s %+v", code, st)
	}
	for _, c := range []struct {
		name string
		in   map[string]any
		code string
	}{
		{"sku in an open stocktake", map[string]any{"skus": []string{"T3", "T1"}}, "INVALID_INPUT"},
		{"every product while one is open", map[string]any{}, "INVALID_INPUT"},
		{"unknown sku", map[string]any{"skus": []string{"NOPE"}}, "NOT_FOUND"},
		{"sku twice", map[string]any{"skus": []string{"T3", "T3"}}, "INVALID_INPUT"},
		{"empty list", map[string]any{"skus": []string{}}, "INVALID_INPUT"},
	} {
		if _, code, _ := startStocktake(t, n, c.in); code != c.code {
			t.Errorf("%s: startStocktake answered %q, want %s", c.name, code, c.code)
		}
	}
	n.MustGraphQL(t, recordMovement, mv("T1", "SALE", 3)) // during the count, before T1's
	l, code := count(t, n, st.ID, "T1", 6)
	if code != "" || !intIs(l.Expected, 7) || !intIs(l.Variance, -1) || l.CountedBy == nil || *l.CountedBy != "admin" && *l.CountedBy == "" {
		t.Fatalf("count of T1: %s %+v", code, l)
	}
	n.MustGraphQL(t, recordMovement, mv("T1", "SALE", 2)) // after T1's count
	if l, code = count(t, n, st.ID, "T2", 9); code != "" || !intIs(l.Variance, 4) {
		t.Fatalf("count of T2: %s %+v", code, l)
	}
	if l, code = count(t, n, st.ID, "T2", 7); code != "" || !intIs(l.Variance, 2) { // a recount replaces it
		t.Fatalf("recount of T2: %s %+v", code, l)
	}
	if l, code = count(t, n, st.ID, "T3", 7); code != "" || l.Snapshot != 7 || !intIs(l.Variance, 0) { // added to the sheet
		t.Fatalf("count of T3, not on the sheet: %s %+v", code, l)
	}
	for _, c := range []struct {
		name, id, sku string
		counted       int
		code          string
	}{
		{"unknown sku", st.ID, "NOPE", 1, "NOT_FOUND"},
		{"negative", st.ID, "T1", -1, "INVALID_INPUT"},
		{"unknown stocktake", "MAD-1:S999", "T1", 1, "NOT_FOUND"},
	} {
		if _, code := count(t, n, c.id, c.sku, c.counted); code != c.code {
			t.Errorf("%s: recordCount answered %q, want %s", c.name, code, c.code)
		}
	}
	got, _ := stocktakeOn(t, n, st.ID)
	if len(got.Lines) != 3 || got.VarianceValue != "9.99" || !intIs(stLine(got, "T1").Counted, 6) {
		t.Fatalf("the stocktake before finalizing: %+v", got)
	}
	ps := issueTokens(t, n)
	if _, code := stocktakeCall(t, as(n, ps["viewer"]), "finalizeStocktake", st.ID); code != "FORBIDDEN" {
		t.Fatalf("viewer finalizing: %q", code)
	}
	if _, code := stocktakeCall(t, as(n, ps["operator"]), "finalizeStocktake", st.ID); code != "FORBIDDEN" {
		t.Fatalf("operator finalizing a variance value of 9.99 above 5.00: %q", code)
	}
	if q := quantity(t, n, "T1"); q != 5 {
		t.Fatalf("a refused finalize changed T1 to %d", q)
	}
	fin, code := stocktakeCall(t, n, "finalizeStocktake", st.ID)
	if code != "" || fin.Status != "FINALIZED" || fin.FinalizedAt == nil || fin.VarianceValue != "9.99" {
		t.Fatalf("admin finalizing: %s %+v", code, fin)
	}
	for sku, want := range map[string]int{"T1": 4, "T2": 7, "T3": 7} { // counted + movements after the count
		if q := quantity(t, n, sku); q != want {
			t.Errorf("%s = %d after finalizing, want %d", sku, q, want)
		}
	}
	if m := ledger(t, n, "T1")[0]; m.Kind != "ADJUSTMENT" || m.Quantity != -1 || m.Reference != st.ID {
		t.Fatalf("T1's adjustment: %+v", m)
	}
	if m := ledger(t, n, "T3")[0]; m.Kind == "ADJUSTMENT" {
		t.Fatalf("T3 had no variance but got %+v", m)
	}
	if again, code := stocktakeCall(t, n, "finalizeStocktake", st.ID); code != "" || again.Status != "FINALIZED" {
		t.Fatalf("finalizing again: %s %+v", code, again)
	}
	if _, code := stocktakeCall(t, n, "cancelStocktake", st.ID); code != "INVALID_INPUT" {
		t.Fatalf("cancelling a finalized stocktake: %q", code)
	}
	for _, sku := range []string{"T1", "T2", "T3"} {
		checkLedger(t, n, sku)
	}
	// Its skus are free again; a cancelled stocktake posts nothing.
	c, code, _ := startStocktake(t, n, map[string]any{})
	if code != "" || len(c.Lines) != 3 {
		t.Fatalf("a stocktake of every product: %s %+v", code, c)
	}
	count(t, n, c.ID, "T1", 0)
	if x, code := stocktakeCall(t, as(n, ps["operator"]), "cancelStocktake", c.ID); code != "" || x.Status != "CANCELLED" {
		t.Fatalf("cancelling: %s %+v", code, x)
	}
	if q := quantity(t, n, "T1"); q != 4 {
		t.Fatalf("a cancelled stocktake changed T1 to %d", q)
	}
	var list struct{ Edges []struct{ Node gqlStocktake } }
	if code, _ := gqlCall(t, n, `query { r: stocktakes(status: FINALIZED) { edges { node { `+stocktakeFields+` } } } }`, nil, &list); code != "" ||
		len(list.Edges) != 1 || list.Edges[0].Node.ID != st.ID {
		t.Fatalf("stocktakes(status: FINALIZED): %s %+v", code, list)
	}
}

// TestStocktakeSheetCSV: the count sheet downloads as CSV, and counts come
// back in the same format, all or nothing.
func TestStocktakeSheetCSV(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	mustCreate(t, n, "C1", 4)
	mustCreate(t, n, "C2", 8)
	st, code, _ := startStocktake(t, n, map[string]any{})
	if code != "" {
		t.Fatal(code)
	}
	do := func(method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, n.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+n.Token)
		resp, err := n.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, sheet := do("GET", "/api/v1/stocktakes/"+st.ID+".csv", "")
	recs, err := csv.NewReader(strings.NewReader(sheet)).ReadAll()
	if status != 200 || err != nil || len(recs) != 3 || strings.Join(recs[0], ",") != "sku,snapshot,counted,expected,variance,countedBy" ||
		strings.Join(recs[1], ",") != "C1,4,,,," {
		t.Fatalf("the count sheet: %d %v\n%s", status, err, sheet)
	}
	if status, body := do("POST", "/api/v1/stocktakes/"+st.ID+"/counts", "sku,counted\nC1,3\nNOPE,1\n"); status != 400 || !strings.Contains(body, `"line":3`) {
		t.Fatalf("counts with an unknown sku: %d %s", status, body)
	}
	if status, body := do("POST", "/api/v1/stocktakes/"+st.ID+"/counts", "sku,counted\nC1,3\nC2,x\nC1,y\n"); status != 400 || !strings.Contains(body, `"line":3`) || !strings.Contains(body, `"line":4`) {
		t.Fatalf("counts with a bad number: %d %s", status, body)
	}
	if got, _ := stocktakeOn(t, n, st.ID); stLine(got, "C1").Counted != nil {
		t.Fatalf("a refused counts file recorded %+v", stLine(got, "C1"))
	}
	if status, body := do("POST", "/api/v1/stocktakes/"+st.ID+"/counts", "sku,snapshot,counted\nC1,4,3\nC2,8,\n"); status != 200 || !strings.Contains(body, `"counted":1`) {
		t.Fatalf("counts: %d %s", status, body)
	}
	_, sheet = do("GET", "/api/v1/stocktakes/"+st.ID+".csv", "")
	if !strings.Contains(sheet, "C1,4,3,4,-1,admin") || !strings.Contains(sheet, "C2,8,,,,") {
		t.Fatalf("the sheet after counting:\n%s", sheet)
	}
	if status, _ := do("GET", "/api/v1/stocktakes/MAD-1:S999.csv", ""); status != 404 {
		t.Fatalf("the sheet of an unknown stocktake: %d", status)
	}
}

// TestStocktakesReplicate: a warehouse's stocktake, its counts and its
// finalizing reach the other nodes read-only, with the same lines.
func TestStocktakesReplicate(t *testing.T) {
	nodes := startMesh(t, "BCN-1")
	mad, bcn := nodes[0], nodes[1]
	mustCreate(t, mad.Node, "Y1", 10)
	st, code, _ := startStocktake(t, mad.Node, map[string]any{"skus": []string{"Y1"}})
	if code != "" {
		t.Fatal(code)
	}
	mad.MustGraphQL(t, recordMovement, mv("Y1", "SALE", 1))
	count(t, mad.Node, st.ID, "Y1", 7)
	if _, code := stocktakeCall(t, mad.Node, "finalizeStocktake", st.ID); code != "" {
		t.Fatal(code)
	}
	want, _ := stocktakeOn(t, mad.Node, st.ID)
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, code := stocktakeOn(t, bcn.Node, st.ID)
		if code == "" && got.Status == "FINALIZED" {
			if got.Warehouse.ID != "MAD-1" || got.VarianceValue != want.VarianceValue || !intIs(stLine(got, "Y1").Variance, -2) {
				t.Fatalf("BCN-1 holds %+v, MAD-1 %+v", got, want)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("BCN-1 never held the finalized stocktake: %s %+v", code, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, code := stocktakeCall(t, bcn.Node, "cancelStocktake", st.ID); code != "FORBIDDEN" {
		t.Fatalf("BCN-1 cancelling MAD-1's stocktake: %q", code)
	}
	waitQuantityOf(t, bcn.Node, "MAD-1", "Y1", 7)
	checkLedgerOf(t, bcn.Node, "MAD-1", "Y1")
}

// waitQuantityOf waits until n holds sku of warehouse at want.
func waitQuantityOf(t *testing.T, n *testnode.Node, warehouse, sku string, want int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for productStock(t, n, warehouse, sku).Quantity != want {
		if time.Now().After(deadline) {
			t.Fatalf("%s of %s = %d, want %d", sku, warehouse, productStock(t, n, warehouse, sku).Quantity, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
