package main

import (
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"time"
)

// saturatedBench checks the reports' idle priority where it matters most:
// on the reports part's ledger, o.clients record movements as fast as the
// node takes them (both CPUs busy) for o.duration, alone and then beside a
// loop of full movements.csv exports, while a history page is read every
// 50 ms. Reports may slow down there, but not the writer, and they must
// still answer.
func saturatedBench(o options) error {
	dir, err := os.MkdirTemp("", "stockmesh-bench-saturated-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := seedReports(dir); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	n, err := startMember(o, dir, "REP-1")
	if err != nil {
		return err
	}
	defer n.stop()
	write := func(c, i int) bool {
		_, ok := post(n.client, n.graphql(), n.token, purchaseOne(sku((c*7919+i)%reportSKUs)))
		return ok
	}
	fmt.Printf("saturated: %d clients recording movements on the reports part's ledger, %v alone, then beside movements.csv exports; a history page every 50 ms\n",
		o.clients, o.duration)
	var alone, beside result
	for _, exporting := range []bool{false, true} {
		var stop atomic.Bool
		pages := make(chan result, 1)
		go func() { pages <- historyEvery(n, 50*time.Millisecond, &stop) }()
		exports := make(chan string, 1)
		if exporting {
			go func() {
				var out string
				for !stop.Load() {
					rows, took, _, _, err := exportCSV(n)
					if err != nil {
						out += fmt.Sprintf(" error: %v", err)
						break
					}
					out += fmt.Sprintf(" %d rows at %.0f rows/s;", rows, float64(rows)/took.Seconds())
				}
				exports <- out
			}()
		}
		r := load(o.clients, o.duration, write)
		stop.Store(true)
		h := <-pages
		name := "alone"
		if exporting {
			name, beside = "beside exports", r
			fmt.Printf("  exports:%s\n", <-exports)
		} else {
			alone = r
		}
		fmt.Printf("  writer %-14s %5.0f/s  p50 %v  p99 %v  max %v  errors %d;  history page p50 %v  p99 %v  max %v  errors %d\n",
			name, r.rate(), r.p(50), r.p(99), r.p(100), r.errors, h.p(50), h.p(99), h.p(100), h.errors)
	}
	fmt.Printf("  writer beside exports: %+.0f%% movements/s, %+.0f%% p99\n\n",
		100*(beside.rate()/alone.rate()-1), 100*(float64(beside.p(99))/float64(alone.p(99))-1))
	return nil
}

// historyEvery reads the reports part's first history page every interval
// until stop, and returns their latencies.
func historyEvery(n *subNode, interval time.Duration, stop *atomic.Bool) result {
	var res result
	for !stop.Load() {
		t0 := time.Now()
		if _, err := n.gql(historyQuery, map[string]any{"after": nil}); err != nil {
			res.errors++
		} else {
			res.ops++
			res.latencies = append(res.latencies, time.Since(t0))
		}
		time.Sleep(interval)
	}
	slices.Sort(res.latencies)
	return res
}
