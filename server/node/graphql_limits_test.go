package node

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/graph"
)

// TestGraphQLCostLimits: over the real HTTPS server, an operation whose
// lists would return too much is refused before it runs, counting first:
// as GitHub's API does (142 aliases of products(first: 500) with their
// movements(first: 500) queued ~71,000 database jobs before), and a
// document of 16,000 repeated fields is refused by the parser's token
// limit instead of taking a minute of validation; ordinary pages of the
// largest size still run.
func TestGraphQLCostLimits(t *testing.T) {
	url, c, token, _ := startNode(t, Config{}, "h2")
	post := func(query string) (string, time.Duration) {
		body := fmt.Sprintf(`{"query":%q}`, query)
		req, _ := http.NewRequest("POST", url+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		out := do(t, c, req)
		return out, time.Since(start)
	}
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: products(first: 500) { edges { node { sku movements(first: 500) { edges { node { id } } } } } }", i)
		}
		return b.String() + "}"
	}
	fields := "{ products { edges { node {" + strings.Repeat(" sku", 16_000) + " } } } }"
	cases := []struct {
		name, query, want string
	}{
		{"142 aliases of nested pages of 500", aliases(142), "exceeded token limit"},
		{"50 aliases of nested pages of 500", aliases(50), "COMPLEXITY_LIMIT_EXCEEDED"},
		{"one page of 500 with every product's movements", "{ products(first: 500) { edges { node { sku movements(first: 500) { edges { node { id } } } } } } }", "COMPLEXITY_LIMIT_EXCEEDED"},
		{"16,000 repeated fields", fields, "token limit"},
		{"a page of 500 products", "{ products(first: 500) { edges { node { sku name price quantity reorderPoint description } } pageInfo { hasNextPage endCursor } } }", `"data":{"products"`},
		{"50 products with 20 movements each", "{ products { edges { node { sku movements { edges { node { id kind quantity balance createdAt } } } } } } }", `"data":{"products"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, took := post(tc.query)
			t.Logf("answered in %v", took.Round(time.Millisecond))
			if !strings.Contains(out, tc.want) {
				t.Fatalf("got %.300s; want %s", out, tc.want)
			}
		})
	}
	t.Run("a document at the token limit", func(t *testing.T) {
		q := "{ products { edges { node {" + strings.Repeat(" sku", graph.MaxTokens-20) + " } } } }"
		out, took := post(q)
		t.Logf("%d repeated fields validated and answered in %v", graph.MaxTokens-20, took.Round(time.Millisecond))
		if !strings.Contains(out, `"data"`) {
			t.Fatalf("got %.300s", out)
		}
	})
}
