package main

import (
	"fmt"
	"runtime"
	"time"

	"github.com/stockmesh/stockmesh/server/gossip"
)

// simSizes are the network sizes the gossipsim part simulates.
var simSizes = []int{100, 1000, 5000}

// gossipSimBench runs the membership protocol's real code (server/gossip)
// for networks past this machine, on a simulated clock and network with
// 1% of messages lost and 1-2 ms of delay: messages per member per second
// in a quiet network, protocol periods until every member knows of a join
// and of a failure, and false suspicions. Deterministic for one seed.
func gossipSimBench(o options) error {
	fmt.Printf("\ngossipsim: the membership protocol simulated (1%% loss, 1-2 ms delay, 30 s quiet, period %v)\n", 500*time.Millisecond)
	for _, n := range simSizes {
		start := time.Now()
		r := gossip.Simulate(gossip.SimConfig{Members: n, Loss: 0.01, Seed: 1})
		fmt.Printf("  %v (simulated in %v)\n", r, time.Since(start).Round(time.Millisecond))
		runtime.GC()
	}
	return nil
}
