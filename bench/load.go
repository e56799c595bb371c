package main

import (
	"fmt"
	"slices"
	"sync"
	"time"
)

// result is what one load run measured.
type result struct {
	ops, errors int
	took        time.Duration
	latencies   []time.Duration
}

// rate returns the operations per second.
func (r result) rate() float64 { return float64(r.ops) / r.took.Seconds() }

// p returns the q-th percentile latency.
func (r result) p(q int) time.Duration { return percentile(r.latencies, q) }

// percentile returns the q-th percentile of sorted ds.
func percentile(ds []time.Duration, q int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[min(len(ds)-1, len(ds)*q/100)].Round(10 * time.Microsecond)
}

// load runs do from clients goroutines for d; do gets the client number and
// its request counter, and returns whether the operation succeeded.
func load(clients int, d time.Duration, do func(client, i int) bool) result {
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for c := range clients {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1<<14)
			errs := 0
			for i := 0; time.Now().Before(deadline); i++ {
				t0 := time.Now()
				if !do(c, i) {
					errs++
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.errors += errs
			mu.Unlock()
		})
	}
	wg.Wait()
	res.took = time.Since(start)
	res.ops = len(res.latencies)
	slices.Sort(res.latencies)
	return res
}

// line formats r as one report line named name.
func (r result) line(name string) string {
	return fmt.Sprintf("%-44s %8.0f/s  p50 %-9v p99 %-9v errors %d", name+":", r.rate(), r.p(50), r.p(99), r.errors)
}
