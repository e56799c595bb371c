package main

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// The scale part's account of where replication's work goes: how many
// requests of each route and database jobs of each class every node
// served while one measurement ran, per entry replicated to a node.

// scaleCounters are the /metrics series summed over the network.
type scaleCounters map[string]float64

// counted reports whether a series is one the account prints: requests by
// route and jobs by class.
func counted(series string) bool {
	return strings.HasPrefix(series, "stockmesh_http_requests_total{") ||
		strings.HasPrefix(series, "stockmesh_job_exec_seconds_count{") ||
		series == "stockmesh_commit_seconds_count"
}

// counters reads every node's /metrics (scalePollers at a time) and sums
// the counted series; a node that does not answer is left out and named.
func (s *scaleNet) counters() (scaleCounters, []string) {
	sum := scaleCounters{}
	var mu sync.Mutex
	var missing []string
	s.eachOf(s.all(), func(_, i int) {
		n := s.nodes[i]
		m, err := n.metrics(n.client)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			missing = append(missing, n.id)
			return
		}
		for k, v := range m {
			if counted(k) {
				sum[k] += v
			}
		}
	})
	return sum, missing
}

// printPerEntry prints, per entry replicated to a node, how many of each
// counted series the network served between before and after.
func printPerEntry(before, after scaleCounters, entries int) {
	if entries == 0 {
		return
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(after)) {
		d := after[k] - before[k]
		if d < 0.5 {
			continue
		}
		name := strings.NewReplacer("stockmesh_http_requests_total", "", "stockmesh_job_exec_seconds_count", "jobs",
			"stockmesh_commit_seconds_count", "commits").Replace(k)
		parts = append(parts, fmt.Sprintf("%s %.2f", name, d/float64(entries)))
	}
	fmt.Printf("      per entry replicated to a node, the network served: %s\n", strings.Join(parts, ", "))
}
