package jobq

import (
	"context"
	"sync/atomic"
	"testing"
)

// countingHandler answers every job with a fixed reply and counts batches.
type countingHandler struct {
	batches atomic.Int64
	reply   []byte
}

func (h *countingHandler) HandleWrites(jobs [][]byte) [][]byte {
	h.batches.Add(1)
	out := make([][]byte, len(jobs))
	for i := range out {
		out[i] = h.reply
	}
	return out
}

func (h *countingHandler) HandleRead(context.Context, []byte) []byte { return h.reply }

// BenchmarkDoWrite runs 32×GOMAXPROCS concurrent callers (64 on two cores) sending small writes to a
// trivial handler over inproc (the default) and loopback tcp (the separate-process mode). It reports
// jobs/s and the mean batch size.
func BenchmarkDoWrite(b *testing.B) {
	for _, kind := range []string{"inproc", "tcp"} {
		b.Run(kind, func(b *testing.B) { benchmarkDoWrite(b, kind) })
	}
}

func benchmarkDoWrite(b *testing.B, kind string) {
	addr := testAddr(b, kind)
	h := &countingHandler{reply: []byte(`{"ok":true}`)}
	startWorker(b, WorkerConfig{Addr: addr}, h)
	c := newTestClient(b, ClientConfig{Addr: addr})
	job := []byte(`{"op":"move","sku":"SKU-1","qty":1}`)
	eventually(b, "a first reply", func() bool { // tcp connects asynchronously
		_, err := c.Do(context.Background(), Write, job)
		return err == nil
	})
	h.batches.Store(0)
	var failed atomic.Int64
	b.SetParallelism(32)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := c.Do(ctx, Write, job); err != nil {
				failed.Add(1)
			}
		}
	})
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d of %d jobs failed", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "jobs/s")
	if n := h.batches.Load(); n > 0 {
		b.ReportMetric(float64(b.N)/float64(n), "jobs/batch")
	}
}
