package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// request sends one request and returns status, content type and body.
func request(t testing.TB, n *testnode.Node, method, path, token string, header map[string]string, body string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, n.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := n.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
}

func TestHTTP(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "H1", 3)
	jsonCT := map[string]string{"Content-Type": "application/json"}
	gqlResp := map[string]string{"Content-Type": "application/json", "Accept": "application/graphql-response+json"}
	q := func(s string) string { b, _ := json.Marshal(map[string]string{"query": s}); return string(b) }
	huge := `{"query":"{ localWarehouse { id } }","variables":{"x":"` + strings.Repeat("a", 2<<20) + `"}}`
	cases := []struct {
		name, method, path, token string
		header                    map[string]string
		body                      string
		status                    int
		contentType, contains     string
	}{
		{"healthz needs no token", "GET", "/healthz", "", nil, "", 200, "application/json", `"status":"ok"`},
		{"graphql without token", "POST", "/graphql", "", jsonCT, q("{ localWarehouse { id } }"), 401, "", `"UNAUTHENTICATED"`},
		{"graphql with a bad token", "POST", "/graphql", "smk_bogus", jsonCT, q("{ localWarehouse { id } }"), 401, "", `"UNAUTHENTICATED"`},
		{"rest without token", "GET", "/api/v1/inventory", "", nil, "", 401, "", `"UNAUTHENTICATED"`},
		{"metrics without token", "GET", "/metrics", "", nil, "", 401, "", `"UNAUTHENTICATED"`},
		{"query as application/json", "POST", "/graphql", n.Token, jsonCT, q("{ localWarehouse { id } }"), 200, "application/json", `"id":"WH-1"`},
		{"query as graphql-response+json", "POST", "/graphql", n.Token, gqlResp, q("{ localWarehouse { id } }"), 200, "application/graphql-response+json", `"id":"WH-1"`},
		{"invalid query, application/json", "POST", "/graphql", n.Token, jsonCT, q("{ nosuchfield }"), 200, "application/json", `"INVALID_INPUT"`},
		{"invalid query, graphql-response+json", "POST", "/graphql", n.Token, gqlResp, q("{ nosuchfield }"), 400, "application/graphql-response+json", `"INVALID_INPUT"`},
		{"malformed JSON", "POST", "/graphql", n.Token, jsonCT, `{"query": `, 400, "", `"INVALID_INPUT"`},
		{"POST that is not JSON", "POST", "/graphql", n.Token, map[string]string{"Content-Type": "text/plain"}, q("{ localWarehouse { id } }"), 415, "application/json", `"INVALID_INPUT"`},
		{"huge body", "POST", "/graphql", n.Token, jsonCT, huge, 413, "", `"INVALID_INPUT"`},
		{"subscription over POST", "POST", "/graphql", n.Token, jsonCT, q(`subscription { stockChanged { sku } }`), 200, "application/json", `"INVALID_INPUT"`},
		{"GET query", "GET", "/graphql?query=" + url.QueryEscape("{ product(sku: \"H1\") { quantity } }"), n.Token, nil, "", 200, "application/json", `"quantity":3`},
		{"GET mutation refused", "GET", "/graphql?query=" + url.QueryEscape(`mutation { deleteProduct(sku: "H1") { sku } }`), n.Token, nil, "", 405, "", ""},
		{"rest inventory", "GET", "/api/v1/inventory?search=h", n.Token, nil, "", 200, "application/json", `"sku":"H1"`},
		{"rest product", "GET", "/api/v1/products/H1", n.Token, nil, "", 200, "application/json", `"price":"9.99"`},
		{"rest unknown product", "GET", "/api/v1/products/NOPE", n.Token, nil, "", 404, "application/json", `"NOT_FOUND"`},
		{"rest movements by kind", "GET", "/api/v1/movements?sku=H1&kind=PURCHASE", n.Token, nil, "", 200, "application/json", `"kind":"PURCHASE"`},
		{"rest bad time", "GET", "/api/v1/movements?from=yesterday", n.Token, nil, "", 400, "application/json", `"INVALID_INPUT"`},
		{"metrics", "GET", "/metrics", n.Token, nil, "", 200, "text/plain", "stockmesh_commit_batch_size"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, ct, body := request(t, n, c.method, c.path, c.token, c.header, c.body)
			if status != c.status || !strings.HasPrefix(ct, c.contentType) || !strings.Contains(body, c.contains) {
				t.Fatalf("got %d %q %.300s; want %d %q containing %q", status, ct, body, c.status, c.contentType, c.contains)
			}
		})
	}
	if _, _, body := request(t, n, "GET", "/metrics", n.Token, nil, ""); !strings.Contains(body, `stockmesh_graphql_operations_total{operation="anonymous"`) ||
		!strings.Contains(body, "stockmesh_queue_depth") || !strings.Contains(body, `stockmesh_http_requests_total{code="200",route="/graphql"}`) {
		t.Fatalf("metrics lack per-operation, per-route or queue series:\n%.2000s", body)
	}
}

// TestRESTHidesIdempotencyKeys: GET /api/v1/movements shows a movement
// recorded with an idempotency key without the key, to its sender as to
// anyone else, and everything else of it as GraphQL does.
func TestRESTHidesIdempotencyKeys(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "K1", 5)
	in := mv("K1", "SALE", 2)
	in["in"].(map[string]any)["idempotencyKey"] = "secret-key-of-one-client"
	in["in"].(map[string]any)["reference"] = "ORD-1"
	n.MustGraphQL(t, recordMovement, in)
	status, _, body := request(t, n, "GET", "/api/v1/movements?sku=K1&kind=SALE", n.Token, nil, "")
	if status != 200 || strings.Contains(body, "secret-key-of-one-client") || strings.Contains(body, "idempotencyKey") {
		t.Fatalf("REST movements show the idempotency key: %d %s", status, body)
	}
	for _, want := range []string{`"kind":"SALE"`, `"quantity":-2`, `"balance":3`, `"reference":"ORD-1"`, `"actor":"admin"`} {
		if !strings.Contains(body, want) {
			t.Errorf("REST movement lacks %s: %s", want, body)
		}
	}
}

// TestPaginationStable: a movement cursor keeps pointing at the same place
// while new movements arrive, and REST pages the same way.
func TestPaginationStable(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "P1", 100)
	for range 5 {
		n.MustGraphQL(t, recordMovement, mv("P1", "SALE", 1))
	}
	page := func(after any) ([]ledgerMovement, string) {
		var out struct {
			Movements struct {
				Edges    []struct{ Node ledgerMovement }
				PageInfo struct{ EndCursor string }
			}
		}
		decode(t, n.MustGraphQL(t, `query($a: String) { movements(first: 2, after: $a) {
			edges { node { id quantity } } pageInfo { endCursor } } }`, map[string]any{"a": after}), &out)
		var ms []ledgerMovement
		for _, e := range out.Movements.Edges {
			ms = append(ms, e.Node)
		}
		return ms, out.Movements.PageInfo.EndCursor
	}
	first, cursor := page(nil)
	n.MustGraphQL(t, recordMovement, mv("P1", "PURCHASE", 7)) // arrives between pages
	second, _ := page(cursor)
	if len(first) != 2 || len(second) != 2 {
		t.Fatalf("pages of %d and %d movements, want 2 and 2", len(first), len(second))
	}
	seen := map[string]bool{first[0].ID: true, first[1].ID: true}
	for _, m := range second {
		if seen[m.ID] || m.Quantity != -1 {
			t.Fatalf("second page %+v repeats the first %+v or holds the new movement", second, first)
		}
	}
	_, _, s := request(t, n, "GET", "/api/v1/movements?first=2&sku=P1", n.Token, nil, "")
	var rest struct {
		Movements []struct{ ID string }
		PageInfo  struct {
			HasNextPage bool
			EndCursor   string
		}
	}
	if err := json.Unmarshal([]byte(s), &rest); err != nil || len(rest.Movements) != 2 || !rest.PageInfo.HasNextPage {
		t.Fatalf("REST page: %v %s", err, s)
	}
}

// TestErrorsPerAPI: each API writes its own refusals, in its own format,
// with the same statuses: /graphql answers GraphQL errors (no data entry),
// /api/v1 and /metrics the REST error body. A body over 1 MiB is 413
// whether its length is declared or not.
func TestErrorsPerAPI(t *testing.T) {
	n := testnode.Start(t)
	huge := strings.Repeat("a", 2<<20)
	gqlHuge := `{"query":"{ localWarehouse { id } }","variables":{"x":"` + huge + `"}}`
	cases := []struct {
		name, method, path, token string
		body                      string
		unknownLength             bool
		status                    int
		graphql                   bool // GraphQL error format, else REST's
		code                      string
	}{
		{"graphql without token", "POST", "/graphql", "", `{"query":"{ localWarehouse { id } }"}`, false, 401, true, "UNAUTHENTICATED"},
		{"graphql huge body", "POST", "/graphql", n.Token, gqlHuge, false, 413, true, "INVALID_INPUT"},
		{"graphql huge body of unknown length", "POST", "/graphql", n.Token, gqlHuge, true, 413, true, "INVALID_INPUT"},
		{"rest without token", "GET", "/api/v1/inventory", "", "", false, 401, false, "UNAUTHENTICATED"},
		{"rest huge body", "GET", "/api/v1/inventory", n.Token, huge, false, 413, false, "INVALID_INPUT"},
		{"metrics without token", "GET", "/metrics", "", "", false, 401, false, "UNAUTHENTICATED"},
		{"metrics huge body", "GET", "/metrics", n.Token, huge, false, 413, false, "INVALID_INPUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body io.Reader = strings.NewReader(c.body)
			if c.unknownLength {
				body = io.MultiReader(body) // hides the length: sent as a stream
			}
			req, err := http.NewRequest(c.method, n.URL+c.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := n.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var got map[string]json.RawMessage
			if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
				t.Fatalf("status %d, body is not JSON: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("got %d %q, want %d application/json", resp.StatusCode, resp.Header.Get("Content-Type"), c.status)
			}
			if c.status == 401 && resp.Header.Get("WWW-Authenticate") != `Bearer realm="stockmesh"` {
				t.Fatalf("401 without WWW-Authenticate: %q", resp.Header.Get("WWW-Authenticate"))
			}
			if code := errorCode(t, got, c.graphql); code != c.code {
				t.Fatalf("body %v: code %q, want %q in the %s format", keys(got), code, c.code, map[bool]string{true: "GraphQL", false: "REST"}[c.graphql])
			}
		})
	}
}

// errorCode returns the code of a GraphQL error response (errors, no data)
// or a REST one ({"error":{"code":…}}), or "" when body is not of that format.
func errorCode(t *testing.T, body map[string]json.RawMessage, graphql bool) string {
	if graphql {
		var errs []struct{ Extensions struct{ Code string } }
		if _, data := body["data"]; data || len(body) != 1 || json.Unmarshal(body["errors"], &errs) != nil || len(errs) != 1 {
			return ""
		}
		return errs[0].Extensions.Code
	}
	var e struct{ Code, Message string }
	if len(body) != 1 || json.Unmarshal(body["error"], &e) != nil || e.Message == "" {
		return ""
	}
	return e.Code
}

// TestPageSizeSameOnBothAPIs: GraphQL and REST apply one page-size rule:
// 0, like no size, means the default page; 1 to 500 is taken; anything
// else is INVALID_INPUT with the same message naming the value sent.
func TestPageSizeSameOnBothAPIs(t *testing.T) {
	n := testnode.Start(t)
	for i := range 3 {
		mustCreate(t, n, fmt.Sprintf("S%d", i), 1)
	}
	cases := []struct {
		first  int
		n      int    // items on the page when taken (3 products, 3 movements)
		refuse string // the message of both APIs otherwise
	}{
		{0, 3, ""},
		{2, 2, ""},
		{500, 3, ""},
		{-1, 0, "first: -1 is out of range (1 to 500, or 0 for the default of 50)"},
		{501, 0, "first: 501 is out of range (1 to 500, or 0 for the default of 50)"},
		{100000, 0, "first: 100000 is out of range (1 to 500, or 0 for the default of 50)"},
	}
	for _, c := range cases {
		for _, list := range []struct{ graphql, rest string }{
			{`query($f: Int) { page: products(first: $f) { edges { cursor } } }`, "/api/v1/inventory"},
			{`query($f: Int) { page: movements(first: $f) { edges { cursor } } }`, "/api/v1/movements"},
		} {
			t.Run(fmt.Sprintf("%s?first=%d", list.rest, c.first), func(t *testing.T) {
				r := n.MustGraphQL(t, list.graphql, map[string]any{"f": c.first})
				gmsg, gcode := "", r.Code()
				if len(r.Errors) > 0 {
					gmsg = r.Errors[0].Message
				}
				status, _, body := request(t, n, "GET", fmt.Sprintf("%s?first=%d", list.rest, c.first), n.Token, nil, "")
				var rest struct {
					Error     struct{ Code, Message string }
					Products  []json.RawMessage
					Movements []json.RawMessage
				}
				if err := json.Unmarshal([]byte(body), &rest); err != nil {
					t.Fatalf("REST body %q: %v", body, err)
				}
				if c.refuse != "" {
					if gcode != "INVALID_INPUT" || gmsg != c.refuse || status != 400 || rest.Error.Code != "INVALID_INPUT" || rest.Error.Message != c.refuse {
						t.Fatalf("GraphQL %s %q, REST %d %s %q; want INVALID_INPUT %q from both", gcode, gmsg, status, rest.Error.Code, rest.Error.Message, c.refuse)
					}
					return
				}
				var out struct {
					Page struct{ Edges []json.RawMessage }
				}
				decode(t, r, &out)
				got, restGot := len(out.Page.Edges), len(rest.Products)+len(rest.Movements)
				if got != c.n || status != 200 || restGot != c.n {
					t.Fatalf("GraphQL page of %d, REST %d with %d; want %d from both", got, status, restGot, c.n)
				}
			})
		}
	}
	// A size that is no integer is refused by each API in its own terms.
	if status, _, body := request(t, n, "GET", "/api/v1/inventory?first=ten", n.Token, nil, ""); status != 400 || !strings.Contains(body, `first: \"ten\" is not an integer`) {
		t.Fatalf("REST first=ten: %d %s", status, body)
	}
}

func TestRESTUnknownPath(t *testing.T) {
	n := testnode.Start(t)
	cases := []struct {
		name, method, path, token string
		status                    int // 0: any
		allow, contains           string
	}{
		{"unknown path", "GET", "/api/v1/nope", n.Token, 404, "", `"code":"NOT_FOUND"`},
		{"unknown path without token", "GET", "/api/v1/nope", "", 404, "", `"code":"NOT_FOUND"`},
		{"another API version", "GET", "/api/v2/products", n.Token, 404, "", `"code":"NOT_FOUND"`},
		{"a path cleaning to /api/", "GET", "/api/v1/..", n.Token, 404, "", `"code":"NOT_FOUND"`},
		{"unknown nested path", "DELETE", "/api/v1/products/H1/extra", n.Token, 404, "", `"code":"NOT_FOUND"`},
		{"wrong method", "POST", "/api/v1/products/H1", n.Token, 405, "GET, HEAD", `"code":"NOT_FOUND"`},
		{"wrong method on inventory", "DELETE", "/api/v1/inventory", n.Token, 405, "GET, HEAD", `"code":"NOT_FOUND"`},
		{"wrong method on join", "GET", "/api/v1/join", "", 405, "POST", `"code":"NOT_FOUND"`},
		{"known path still served", "GET", "/api/v1/inventory", n.Token, 200, "", `"products"`},
		{"playground still served", "GET", "/", "", 0, "", "<html"}, // 503 when its assets are not built
		{"graphql still served", "GET", "/graphql?query=" + url.QueryEscape("{ localWarehouse { id } }"), n.Token, 200, "", `"WH-1"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, err := http.NewRequest(c.method, n.URL+c.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.token != "" {
				req.Header.Set("Authorization", "Bearer "+c.token)
			}
			resp, err := n.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if c.status == 0 {
				c.status = resp.StatusCode
			}
			if resp.StatusCode != c.status || resp.Header.Get("Allow") != c.allow || !strings.Contains(string(b), c.contains) {
				t.Fatalf("got %d Allow %q %.300s; want %d Allow %q containing %q",
					resp.StatusCode, resp.Header.Get("Allow"), b, c.status, c.allow, c.contains)
			}
			if c.status >= 400 && c.status != http.StatusServiceUnavailable && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Fatalf("Content-Type %q, want JSON", resp.Header.Get("Content-Type"))
			}
		})
	}
}
