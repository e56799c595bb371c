package store

import (
	"fmt"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// BenchmarkTransferSend sends transfers in batches of 64, each with a
// reference, a note, an actor and an idempotency key: what a transfer
// costs the sender's writer, sealing included (its TRANSFER_OUT, its
// transfers row and its transfer.created entry).
func BenchmarkTransferSend(b *testing.B) {
	const skus, batch = 100, 64
	h := newHarness(b)
	h.s.pub = discard{}
	tok(h, stock.OpMemberMerge, &stock.MemberMerge{Warehouses: []stock.Warehouse{{ID: "BCN-1", Name: "Barcelona", URL: "https://BCN-1"}}})
	for i := range skus {
		h.create(fmt.Sprintf("SKU-%03d", i), 1_000_000_000)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration // the writer's, not the jobs' encoding
	n := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		jobs := make([][]byte, batch)
		for j := range jobs {
			var err error
			jobs[j], err = stock.EncodeJob(stock.JobMeta{Op: stock.OpTransferSend.Name, Actor: "scanner-3", Key: fmt.Sprint("j", i, "-", j)},
				&stock.TransferInput{SKU: fmt.Sprintf("SKU-%03d", (i*batch+j)%skus), To: "BCN-1", Quantity: 1,
					Reference: fmt.Sprintf("DN-2026-%06d", i*batch+j), Note: "pallet 3 of 4, fragile",
					IdempotencyKey: fmt.Sprint("t", i, "-", j)})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		cpu0 := cpuTime()
		replies := h.s.HandleWrites(jobs)
		cpu += cpuTime() - cpu0
		for _, r := range replies {
			if r[0] != 'R' {
				b.Fatalf("reply %s", r)
			}
		}
		n += batch
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/transfer")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/transfer")
}
