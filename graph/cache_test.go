package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestByteCacheBounded: the caches of parsed documents and persisted
// queries stay within their bytes however many large entries arrive
// (before, 240 distinct 1 MB queries grew the document cache by 4.4 GB and
// 900 persisted queries the APQ cache by 1.9 GB), keep the recent entries,
// and skip an entry too large to be worth keeping.
func TestByteCacheBounded(t *testing.T) {
	ctx := context.Background()
	c := apqCache()
	big := strings.Repeat("x", 512<<10)
	for i := range 900 {
		c.Add(ctx, fmt.Sprint("hash-", i), big+fmt.Sprint(i))
	}
	if c.bytes() > apqCacheBytes {
		t.Fatalf("the APQ cache holds %d bytes, over its %d", c.bytes(), apqCacheBytes)
	}
	if v, ok := c.Get(ctx, "hash-899"); !ok || !strings.HasSuffix(v, "899") {
		t.Error("the most recent entry is gone")
	}
	if _, ok := c.Get(ctx, "hash-0"); ok {
		t.Error("the oldest entry is still there")
	}
	c.Add(ctx, "huge", strings.Repeat("y", apqCacheBytes))
	if _, ok := c.Get(ctx, "huge"); ok {
		t.Error("an entry as large as the whole cache was kept")
	}
	q := queryCache()
	for i := range 240 {
		q.Add(ctx, strings.Repeat(" ", 100<<10)+fmt.Sprint(i), nil)
	}
	if q.bytes() > queryCacheBytes {
		t.Fatalf("the document cache holds %d bytes, over its %d", q.bytes(), queryCacheBytes)
	}
}
