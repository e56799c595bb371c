package main

import (
	"fmt"
	"runtime"
	"time"
)

// networkBench measures replication between nodes on loopback (issue 12):
// how fast a node catches up on another warehouse's log, beside the same
// rows inserted directly into SQLite, and how soon a movement recorded on
// one node is readable on two others under a steady load. Missed targets
// are reported, not fatal.
func networkBench(o options) error {
	fmt.Printf("\nnetwork: catch-up on %d movements of another warehouse; then A, B joined to A, C joined to B, A recording %d movements/s for %v\n",
		catchUpMovements, steadyRate, o.duration)
	c, err := measureCatchUp(o)
	if err != nil {
		return fmt.Errorf("catch-up: %w", err)
	}
	reportCatchUp(c)
	s, err := measureSteady(o)
	if err != nil {
		return fmt.Errorf("steady state: %w", err)
	}
	reportSteady(s)
	return nil
}

// reportCatchUp prints the catch-up figures, the anchor and the verdict.
func reportCatchUp(c catchUp) {
	fmt.Printf("  seeding A's data folder through the store: %d movements in %v (%.0f/s)\n",
		c.movements, c.seeded.Round(time.Millisecond), float64(c.movements)/c.seeded.Seconds())
	fmt.Printf("  B (joined to A) from its start: serving after %v, holding A's log to seq %d after %v\n",
		c.ready.Round(time.Millisecond), c.lastSeq, c.took.Round(time.Millisecond))
	fmt.Printf("  CPU during the catch-up: A (serving) %v, B (applying) %v, over %v on %d CPUs; load average %s\n",
		c.cpuA, c.cpuB, c.took.Round(time.Millisecond), runtime.NumCPU(), loadAverage())
	match := "B's replica seq and digest equal A's"
	if !c.digestsMatch {
		match = fmt.Sprintf("B's replica differs from A's: %v", c.replicaProblems)
	}
	fmt.Printf("  %s\n", match)
	ratio := c.rate() / c.directRate()
	fmt.Printf("node catch-up over the network:               %8.0f movements/s\n", c.rate())
	fmt.Printf("  vs direct SQLite, replica rows, %d/tx, FULL: %8.0f/s  ratio %.2fx\n", catchUpBatch, c.directRate(), ratio)
	verdict := "MET"
	if ratio < catchUpTarget || !c.digestsMatch {
		verdict = "NOT MET"
	}
	fmt.Printf("catch-up target (>= %.2fx direct SQLite): %s\n", catchUpTarget, verdict)
}

// reportSteady prints the steady-state delays per replica and the verdict.
func reportSteady(s steady) {
	w := s.writes
	fmt.Printf("  movements on A: %d acknowledged in %v (%.0f/s), %d failed; waiting for delivery: %s\n",
		len(w.acks), w.took.Round(time.Millisecond), float64(len(w.acks))/w.took.Seconds(), w.failed, s.drained)
	verdict := "MET"
	if len(w.acks) == 0 {
		verdict = "NOT MET"
	}
	for _, n := range s.nodes {
		fmt.Printf("  ack on A -> readable on %s: p50 %-9v p99 %-9v max %-9v  (its quantity includes the movement; %d of %d never)\n",
			n.node, percentile(n.d.views, 50), percentile(n.d.views, 99), percentile(n.d.views, 100), n.d.unseen, len(w.acks))
		fmt.Printf("    its own event on %s:  p50 %-9v p99 %-9v max %-9v  (%d movements; %d merged events stood for the rest)\n",
			n.node, percentile(n.d.delays, 50), percentile(n.d.delays, 99), percentile(n.d.delays, 100), len(n.d.delays), n.d.merged)
		if n.d.unseen > 0 || percentile(n.d.views, 99) >= steadyTarget {
			verdict = "NOT MET"
		}
	}
	fmt.Printf("steady-state target (p99 < %v on B and C, every movement): %s\n\n", steadyTarget, verdict)
}
