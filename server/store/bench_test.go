package store

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// BenchmarkHandleWrites records movements in batches of 64 on a temp file
// with synchronous=FULL, through JSON jobs and replies as the queue sends
// them. It reports ns/movement (wall clock, fsync included) and
// cpu-ns/movement.
func BenchmarkHandleWrites(b *testing.B) { benchBatches(b, 64) }

// BenchmarkSmallBatches is BenchmarkHandleWrites with the batches of a
// lightly loaded node, where the cost of each transaction shows.
func BenchmarkSmallBatches(b *testing.B) {
	for _, n := range []int{1, 8} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { benchBatches(b, n) })
	}
}

// benchBatches records movements in batches of batch jobs.
func benchBatches(b *testing.B, batch int) {
	const skus = 100
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
			jobs[i][j] = move(fmt.Sprintf("SKU-%03d", (i*batch+j)%skus), kind, 1+int64(j%3)).encode(b)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for i := 0; b.Loop(); i++ {
		for _, r := range h.s.HandleWrites(jobs[i%len(jobs)]) {
			if r[0] != 'R' { // a movement, not an error
				b.Fatalf("reply %s", r)
			}
		}
		n += batch
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/movement")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(n), "cpu-ns/movement")
}

// cpuTime returns the CPU time (user and system) the process used so far:
// on a loaded machine it measures the work better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// discard is a Publisher that drops everything.
type discard struct{}

func (discard) Publish([]byte) {}

// BenchmarkApplyChanges applies a warehouse's log of movements to a
// replica in batches of 1000, as a node catching up does, and reports
// entries/s (wall clock, fsync included).
func BenchmarkApplyChanges(b *testing.B) {
	origin := newHarness(b)
	origin.s.pub = discard{}
	for i := range 16 {
		origin.create(fmt.Sprintf("SKU-%02d", i), 1_000_000)
	}
	for i := 0; i < 20_000; i += 100 {
		jobs := make([]testJob, 100)
		for j := range jobs {
			jobs[j] = sale(fmt.Sprintf("SKU-%02d", (i+j)%16), 1)
		}
		origin.write(jobs...)
	}
	var log []stock.LogEntry
	for {
		p := origin.ok(testJob{Op: stock.OpChanges, Changes: &stock.ChangesQuery{Origin: "MAD-1", AfterSeq: int64(len(log)), Limit: 5000}}).ChangePage
		if len(p.Entries) == 0 {
			break
		}
		log = append(log, p.Entries...)
	}
	b.ResetTimer()
	n := 0
	for b.Loop() {
		b.StopTimer()
		replica := &harness{t: b, dir: b.TempDir()}
		replica.open()
		replica.s.pub = discard{}
		b.StartTimer()
		for i := 0; i < len(log); i += 1000 {
			batch := &stock.ChangeBatch{Entries: log[i:min(i+1000, len(log))]}
			if r := replica.write(testJob{Op: stock.OpApplyChanges, Apply: batch})[0]; r.Err != nil {
				b.Fatal(r.Err)
			}
		}
		n += len(log)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "entries/s")
}
