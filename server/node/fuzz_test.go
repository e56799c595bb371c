package node

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// fuzzNode starts a node for a fuzz target and returns a function that
// sends a request to it and checks the answer: any status but 500, a JSON
// body, and no INTERNAL error (a panic in a resolver or handler becomes
// one).
func fuzzNode(f *testing.F) func(t *testing.T, method, path string, body string) {
	url, c, token, _ := startNode(f, Config{}, "h2")
	return func(t *testing.T, method, path, body string) {
		req, err := http.NewRequest(method, url+path, strings.NewReader(body))
		if err != nil {
			return // not a request any client could send
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s %q: %v", method, path, body, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusInternalServerError || strings.Contains(string(b), `"INTERNAL"`) || !json.Valid(b) {
			t.Fatalf("%s %s %q: %s %s", method, path, body, resp.Status, b)
		}
	}
}

// FuzzGraphQL sends documents and variables, as POST bodies and GET
// parameters, to a real node: none may make it fail inside (a 500 or an
// INTERNAL error) or answer something that is not JSON.
func FuzzGraphQL(f *testing.F) {
	seeds := []struct{ query, vars string }{
		{`{ products(first: 5) { edges { node { sku quantity } } } }`, `{}`},
		{`mutation($i: CreateProductInput!) { createProduct(input: $i) { sku } }`, `{"i": {"sku": "F-1", "name": "f", "price": "1.5", "initialQuantity": 3}}`},
		{`mutation($m: MovementInput!) { recordMovement(input: $m) { id balance } }`, `{"m": {"sku": "F-1", "kind": "SALE", "quantity": 1, "note": "n"}}`},
		{`query($s: ID!) { product(sku: $s) { sku movements(first: 2) { edges { node { id } } } } }`, `{"s": "F-1"}`},
		{`{ movements(first: 3, after: "bTox") { edges { cursor } } }`, `null`},
		{`{ __schema { types { name } } }`, `{"x": [1, 2.5, "\udc80"]}`},
		{`{ products(first: 99999999999) { edges { node { sku } } } }`, `{`},
		{`{ stockLevels(sku: "F-1") { warehouse { id } quantity } }`, `{"a": {"b": {"c": {}}}}`},
		{`subscription { stockChanged { sku } }`, `{}`},
		{`{ a: products { edges { node { sku } } } a: products(first: 1) { edges { node { name } } } }`, `{}`},
	}
	for _, s := range seeds {
		f.Add(s.query, s.vars)
	}
	send := fuzzNode(f)
	f.Fuzz(func(t *testing.T, query, vars string) {
		q, _ := json.Marshal(query)
		send(t, "POST", "/graphql", `{"query":`+string(q)+`,"variables":`+vars+`}`)
		send(t, "GET", "/graphql?"+url.Values{"query": {query}, "variables": {vars}}.Encode(), "")
	})
}

// FuzzREST sends arbitrary paths and query strings to the REST API of a
// real node, with the same checks as FuzzGraphQL.
func FuzzREST(f *testing.F) {
	for _, s := range []struct{ path, query string }{
		{"/api/v1/inventory", "first=10"},
		{"/api/v1/inventory", "first=-1&after=xyz&warehouse=%FF"},
		{"/api/v1/products/A-1", ""},
		{"/api/v1/products/%FF%FE", "warehouse=MAD-1"},
		{"/api/v1/movements", "sku=A-1&kind=SALE&kind=BOGUS&from=2026-01-01T00:00:00Z&to=yesterday"},
		{"/api/v1/movements", "first=500&after=bTo5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OQ"},
		{"/api/v1/sync/heads", ""},
	} {
		f.Add(s.path, s.query)
	}
	send := fuzzNode(f)
	f.Fuzz(func(t *testing.T, path, query string) {
		if !strings.HasPrefix(path, "/api/v1/") {
			path = "/api/v1/" + path
		}
		send(t, "GET", path+"?"+query, "")
	})
}
