package graph

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Limits on what one GraphQL request may cost the node.
const (
	// MaxCost is the most an operation may cost (see costed): about the
	// number of values it may return. products(first: 500) with ten
	// fields costs about 5,000; every product's movements(first: 20) with
	// five fields each about 55,000 more; 142 aliases of products(first:
	// 500) with movements(first: 500) about 36 million, refused.
	MaxCost = 100_000
	// MaxTokens is the most tokens (names, punctuation, values) a document
	// may have; the parser stops past it. Validation grows with the square
	// of a document's fields: 16,000 repeated fields took 60 s, 2,000 take
	// 0.3 s. GraphiQL's introspection query has a few hundred.
	MaxTokens = 2_000
	// queryCacheBytes and apqCacheBytes bound the caches of parsed
	// documents and of automatic persisted queries.
	queryCacheBytes = 32 << 20
	apqCacheBytes   = 8 << 20
	// astBytesPerByte estimates the memory of a parsed document per byte of
	// its text: an estimate, generous for typical queries.
	astBytesPerByte = 32
)

// costed makes a schema's complexity count list sizes, as GitHub's API
// does: a field with a first argument costs first times what one of its
// items costs (first omitted: its default, else stock.DefaultPageSize), so
// products(first: 500) { movements(first: 500) { id } } costs 250,500, not
// 3. Every other field costs one plus its children.
type costed struct{ graphql.ExecutableSchema }

var _ graphql.ExecutableSchema = costed{}

// Complexity returns the cost of one field given its children's.
func (c costed) Complexity(_ context.Context, _, _ string, childComplexity int, args map[string]any) (int, bool) {
	first, ok := args["first"]
	if !ok {
		return childComplexity + 1, true
	}
	n := costPageSize(first)
	return mulCap(n, childComplexity+1) + 1, true
}

// costPageSize reads a first argument as the page size a resolver would use.
func costPageSize(v any) int {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case *int64:
		if x != nil {
			n = *x
		}
	case json.Number:
		n, _ = x.Int64()
	case float64:
		n = int64(x)
	default:
		_, _ = fmt.Sscan(fmt.Sprint(x), &n)
	}
	switch {
	case n <= 0:
		return stock.DefaultPageSize
	case n > stock.MaxPageSize:
		return stock.MaxPageSize // refused when it runs; cost it as the most it could be
	}
	return int(n)
}

// mulCap multiplies without overflowing: past MaxCost it no longer matters.
func mulCap(a, b int) int {
	if b > 0 && a > (MaxCost*1000)/b {
		return MaxCost * 1000
	}
	return a * b
}
