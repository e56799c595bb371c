package graph

import (
	"container/list"
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// byteCache is a least-recently-used cache bounded by an estimate of the
// bytes its entries hold, not by their number: 1,000 entries of 1 MB
// queries held 4.4 GB. An entry larger than an eighth of the bound is not
// kept at all. It is safe for concurrent use.
type byteCache[T any] struct {
	max    int
	weight func(key string, v T) int

	mu    sync.Mutex
	size  int
	order *list.List // of *entry[T], most recent first
	items map[string]*list.Element
}

// entry is one cached value and its weight.
type entry[T any] struct {
	key    string
	value  T
	weight int
}

var (
	_ graphql.Cache[*ast.QueryDocument] = (*byteCache[*ast.QueryDocument])(nil)
	_ graphql.Cache[string]             = (*byteCache[string])(nil)
)

// newByteCache returns a cache of at most max bytes as weight estimates them.
func newByteCache[T any](max int, weight func(key string, v T) int) *byteCache[T] {
	return &byteCache[T]{max: max, weight: weight, order: list.New(), items: map[string]*list.Element{}}
}

// queryCache caches parsed documents by their text, estimating a
// document's memory from its text's length.
func queryCache() *byteCache[*ast.QueryDocument] {
	return newByteCache(queryCacheBytes, func(key string, _ *ast.QueryDocument) int { return len(key) * (1 + astBytesPerByte) })
}

// apqCache caches persisted queries (text by hash).
func apqCache() *byteCache[string] {
	return newByteCache(apqCacheBytes, func(key, v string) int { return len(key) + len(v) })
}

// Get returns the value of key, marking it recently used.
func (c *byteCache[T]) Get(_ context.Context, key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*entry[T]).value, true
	}
	var zero T
	return zero, false
}

// Add keeps value under key, dropping the least recently used entries
// until the cache fits its bound again.
func (c *byteCache[T]) Add(_ context.Context, key string, value T) {
	w := c.weight(key, value)
	if w > c.max/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.order.PushFront(&entry[T]{key: key, value: value, weight: w})
	c.size += w
	for c.size > c.max {
		c.remove(c.order.Back())
	}
}

// remove drops el; c.mu is held.
func (c *byteCache[T]) remove(el *list.Element) {
	e := c.order.Remove(el).(*entry[T])
	delete(c.items, e.key)
	c.size -= e.weight
}

// bytes returns the estimated size of what the cache holds.
func (c *byteCache[T]) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}
