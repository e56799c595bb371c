package store

import (
	"fmt"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// BenchmarkHandleWritesSealed is BenchmarkHandleWrites with every movement
// carrying a reference, a note and an actor: what sealing them costs the
// writer (compare the two's cpu-ns/movement).
func BenchmarkHandleWritesSealed(b *testing.B) {
	const skus, batch = 100, 64
	h := newHarness(b)
	h.s.pub = discard{}
	for i := range skus {
		h.create(fmt.Sprintf("SKU-%03d", i), 1_000_000)
	}
	jobs := make([][][]byte, 16)
	for i := range jobs {
		jobs[i] = make([][]byte, batch)
		for j := range jobs[i] {
			kind := stock.KindSale
			if j%2 == 1 {
				kind = stock.KindPurchase
			}
			m := move(fmt.Sprintf("SKU-%03d", (i*batch+j)%skus), kind, 1+int64(j%3))
			m.Movement.Reference = fmt.Sprintf("PO-2026-%06d", i*batch+j)
			m.Movement.Note = "delivered to dock 4, signed by the driver"
			m.Actor = "scanner-3"
			jobs[i][j] = m.encode(b)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for i := 0; b.Loop(); i++ {
		for _, r := range h.s.HandleWrites(jobs[i%len(jobs)]) {
			if r[0] != 'R' {
				b.Fatalf("reply %s", r)
			}
		}
		n += batch
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/movement")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(n), "cpu-ns/movement")
}
