package store

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// BenchmarkExpiringLots reads the lots expiring within a week among
// 100,000 lots of 1,000 products, expiries spread over two years (about
// 960 in the window), straight from the store: the query without HTTP.
// With PLAN set in the environment it logs the query plan first.
func BenchmarkExpiringLots(b *testing.B) {
	h := newHarness(b)
	for i := range 1000 {
		h.create(fmt.Sprintf("E-%04d", i), 0)
	}
	today := time.Now()
	tx, err := h.s.wdb.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for k := range 100_000 {
		day := today.AddDate(0, 0, 1+k%730).Format("2006-01-02")
		if _, err := tx.Exec(`INSERT INTO stock_lines (product_id, lot, expires_on, location, quantity)
			SELECT id, ?, ?, '', 3 FROM products WHERE sku = ?`, fmt.Sprintf("L%d", k), day, fmt.Sprintf("E-%04d", k%1000)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	q := &stock.ExpiringQuery{Until: stock.DateOf(today).AddDays(7), Limit: stock.MaxExpiringLots}
	if os.Getenv("PLAN") != "" {
		rows, _ := h.s.rdb.Query("EXPLAIN QUERY PLAN "+expiringSQL, string(q.Until), nil)
		for rows.Next() {
			var a, b2, c int
			var d string
			rows.Scan(&a, &b2, &c, &d)
			b.Log(d)
		}
		rows.Close()
	}
	b.ResetTimer()
	for b.Loop() {
		out, err := h.s.expiringLots(context.Background(), q)
		if err != nil || len(out.Lots) == 0 {
			b.Fatalf("%v %d", err, len(out.Lots))
		}
	}
}
