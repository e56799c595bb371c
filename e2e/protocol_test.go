package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// graphqlBody is the JSON of a GraphQL request.
func graphqlBody(query string, vars map[string]any) string {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return string(b)
}

// gqlResponse is a GraphQL response as sent: which top-level entries it
// has, and the codes of its errors.
type gqlResponse struct {
	status  int
	entries map[string]json.RawMessage
	codes   []string
	message string
}

func postGraphQL(t *testing.T, n *testnode.Node, accept, body string) gqlResponse {
	t.Helper()
	h := map[string]string{"Content-Type": "application/json", "Accept": accept}
	status, _, s := request(t, n, "POST", "/graphql", n.Token, h, body)
	return parseGraphQL(t, status, s)
}

func parseGraphQL(t *testing.T, status int, body string) gqlResponse {
	t.Helper()
	r := gqlResponse{status: status}
	var errs []struct {
		Message    string
		Extensions struct{ Code string }
	}
	if err := json.Unmarshal([]byte(body), &r.entries); err != nil {
		t.Fatalf("response %q is not a JSON object: %v", body, err)
	}
	if e, ok := r.entries["errors"]; ok {
		if err := json.Unmarshal(e, &errs); err != nil {
			t.Fatalf("errors %s: %v", e, err)
		}
	}
	for _, e := range errs {
		r.codes = append(r.codes, e.Extensions.Code)
		r.message = e.Message
	}
	return r
}

// TestRequestErrorsHaveNoData: a request that fails before execution (a
// document that does not parse or validate, variables that cannot be
// coerced, a body that is no GraphQL request) answers with errors and no
// data entry at all, under both media types; the status is 400 for
// application/graphql-response+json and 200 for application/json (400 for
// a body that is not JSON), as GraphQL over HTTP says.
func TestRequestErrorsHaveNoData(t *testing.T) {
	n := testnode.Start(t)
	const (
		jsonType = "application/json"
		gqlType  = "application/graphql-response+json"
	)
	cases := []struct {
		name       string
		body       string
		jsonStatus int // status under application/json; gqlType is always 400
	}{
		{"parse failure", graphqlBody(`{ products(`, nil), 200},
		{"validation failure", graphqlBody(`{ nosuchfield }`, nil), 200},
		{"unknown operation name", `{"query":"query A { localWarehouse { id } }","operationName":"B"}`, 200},
		{"variable of the wrong type", graphqlBody(`query($f: Int) { products(first: $f) { totalCount } }`, map[string]any{"f": true}), 200},
		{"missing variable", graphqlBody(`query($f: Int!) { products(first: $f) { totalCount } }`, nil), 200},
		{"body is not JSON", `{"query": `, 400},
		{"body is a JSON array", `[{"query":"{ localWarehouse { id } }"}]`, 400},
	}
	for _, c := range cases {
		for _, accept := range []string{jsonType, gqlType} {
			t.Run(c.name+", "+accept, func(t *testing.T) {
				r := postGraphQL(t, n, accept, c.body)
				want := c.jsonStatus
				if accept == gqlType {
					want = http.StatusBadRequest
				}
				if _, ok := r.entries["data"]; ok || r.status != want || len(r.codes) != 1 || r.codes[0] != "INVALID_INPUT" {
					t.Fatalf("got %d, entries %v, codes %v; want %d, errors with INVALID_INPUT and no data entry",
						r.status, keys(r.entries), r.codes, want)
				}
			})
		}
	}
	// Errors during execution keep their data entry, even when it is null.
	r := postGraphQL(t, n, gqlType, graphqlBody(`{ product(sku: "NONE") { sku } }`, nil))
	if d, ok := r.entries["data"]; !ok || r.status != 200 || string(d) != `{"product":null}` {
		t.Fatalf("a field error: got %d, data %s (present: %v); want 200 with data", r.status, d, ok)
	}
	// GET follows the same rules, and refuses mutations with 405.
	for _, c := range []struct {
		query  string
		status int
		allow  string
	}{
		{`{ products(`, 400, ""},
		{`mutation { deleteProduct(sku: "X") { sku } }`, 405, "POST"},
	} {
		req, _ := http.NewRequest("GET", n.URL+"/graphql?query="+url.QueryEscape(c.query), nil)
		req.Header.Set("Authorization", "Bearer "+n.Token)
		req.Header.Set("Accept", gqlType)
		resp, err := n.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var entries map[string]json.RawMessage
		_ = json.NewDecoder(resp.Body).Decode(&entries)
		resp.Body.Close()
		if _, ok := entries["data"]; ok || resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow {
			t.Fatalf("GET %s: got %d, Allow %q, entries %v; want %d, Allow %q, no data",
				c.query, resp.StatusCode, resp.Header.Get("Allow"), keys(entries), c.status, c.allow)
		}
	}
}

func keys(m map[string]json.RawMessage) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

// TestIntCoercion: an Int takes whole numbers within 32 bits only, as the
// GraphQL specification's input coercion says; a string such as "5", a
// fraction or a larger value is INVALID_INPUT, as a literal and as a
// variable (top-level or inside an input object), and fails the whole
// request (no data) before anything runs.
func TestIntCoercion(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "I1", 5)
	const (
		pageVar  = `query($f: Int) { products(first: $f) { totalCount } }`
		needsInt = `query($f: Int!) { products(first: $f) { totalCount } }`
	)
	cases := []struct {
		name string
		body string
		ok   bool
	}{
		{"literal", graphqlBody(`{ products(first: 5) { totalCount } }`, nil), true},
		{"variable", graphqlBody(pageVar, map[string]any{"f": 5}), true},
		{"variable sent as 5.0", `{"query":"query($f: Int) { products(first: $f) { totalCount } }","variables":{"f":5.0}}`, false},
		{"string literal", graphqlBody(`{ products(first: "5") { totalCount } }`, nil), false},
		{"string variable", graphqlBody(pageVar, map[string]any{"f": "5"}), false},
		{"string for a non-null variable", graphqlBody(needsInt, map[string]any{"f": "5"}), false},
		{"fraction literal", graphqlBody(`{ products(first: 5.5) { totalCount } }`, nil), false},
		{"fraction variable", graphqlBody(pageVar, map[string]any{"f": 5.5}), false},
		{"literal beyond 32 bits", graphqlBody(`{ products(first: 3000000000) { totalCount } }`, nil), false},
		{"variable beyond 32 bits", graphqlBody(pageVar, map[string]any{"f": 3000000000}), false},
		{"string in an input object", graphqlBody(recordMovement, map[string]any{"in": map[string]any{"sku": "I1", "kind": "SALE", "quantity": "1"}}), false},
		{"fraction in an input object", graphqlBody(recordMovement, map[string]any{"in": map[string]any{"sku": "I1", "kind": "SALE", "quantity": 1.5}}), false},
		{"literal in an input object beyond 32 bits", graphqlBody(`mutation { recordMovement(input: {sku: "I1", kind: PURCHASE, quantity: 3000000000}) { id } }`, nil), false},
		{"literal beyond 32 bits in a fragment", graphqlBody(`{ ...F } fragment F on Query { products(first: 3000000000) { totalCount } }`, nil), false},
		{"time that is not RFC 3339", graphqlBody(`query($from: Time) { movements(filter: {from: $from}) { pageInfo { hasNextPage } } }`,
			map[string]any{"from": "yesterday"}), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := postGraphQL(t, n, "application/graphql-response+json", c.body)
			_, hasData := r.entries["data"]
			switch {
			case c.ok && (r.status != 200 || len(r.codes) != 0 || !hasData):
				t.Fatalf("got %d, codes %v; want 200 with data", r.status, r.codes)
			case !c.ok && (r.status != 400 || len(r.codes) != 1 || r.codes[0] != "INVALID_INPUT" || hasData):
				t.Fatalf("got %d, codes %v, data %v; want 400, INVALID_INPUT, no data", r.status, r.codes, hasData)
			}
			if !c.ok {
				t.Logf("%s", r.message)
			}
		})
	}
	if q := quantity(t, n, "I1"); q != 5 {
		t.Fatalf("refused movements changed the stock to %d, want 5", q)
	}
}
