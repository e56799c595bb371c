package main

import (
	"fmt"
	"time"
)

// The steady-state measurement, from issue 12: three nodes in a line (B
// joined to A, C joined to B) while A records steadyRate movements/s; a
// movement is readable on B and on C within steadyTarget (p99) of A's
// acknowledgement.
const (
	steadyRate   = 1000
	steadyTarget = 250 * time.Millisecond
	steadyQuery  = `subscription { stockChanged(warehouse: "NET-A") { sku quantity merged movement { id } } }`
)

// replicaDelays is what one replica's subscriber received of A's
// acknowledged movements.
type replicaDelays struct {
	node string
	d    deliveries
}

// steady is what the steady-state measurement found.
type steady struct {
	writes  writeResult
	drained string
	nodes   []replicaDelays
}

// measureSteady starts A, B joined to A and C joined to B, creates A's
// products and waits until B and C hold them, subscribes on B and C to
// stockChanged of A, records steadyRate movements/s on A for o.duration
// and matches every event's arrival with its movement's acknowledgement.
// A movement is readable on a replica once the replica's quantity of its
// sku includes it: the replica publishes stockChanged after the commit,
// and a run of entries applied at once may reach a subscriber as one
// merged event (stockChanged merges past 256 waiting events), which carries
// the exact quantity but no movement.
func measureSteady(o options) (steady, error) {
	var s steady
	a, err := startMember(o, "", "NET-A")
	if err != nil {
		return s, err
	}
	defer a.stop()
	if err := a.seedProducts(a.client, o.skus); err != nil {
		return s, err
	}
	b, err := startJoined(o, a, "NET-B")
	if err != nil {
		return s, err
	}
	defer b.stop()
	c, err := startJoined(o, b, "NET-C")
	if err != nil {
		return s, err
	}
	defer c.stop()
	if err := settle(a, b, c); err != nil {
		return s, err
	}
	start := time.Now()
	var ws []*watcher
	defer func() { closeWatchers(ws) }()
	for _, n := range []*subNode{b, c} {
		w, err := dialWatcher(n.endpoint(), steadyQuery, start)
		if err != nil {
			return s, err
		}
		ws = append(ws, w)
		if err := n.waitSubscriptions(1); err != nil {
			return s, err
		}
	}
	o.rate = steadyRate
	s.writes = writeMovements(o, a, start, 0)
	s.drained = drain(ws, expectedDeliveries(ws, s.writes))
	closeWatchers(ws)
	for i, name := range []string{"B", "C"} {
		s.nodes = append(s.nodes, replicaDelays{node: name, d: summarize(ws[i:i+1], s.writes)})
	}
	ws = nil
	return s, nil
}

// settle waits until the network is in its steady state: B and C see
// every member online (C learns of A through B, and its replicator links to
// A within a second of that), then a second of warm-up movements on A,
// every one held by B and C.
func settle(a *subNode, replicas ...*subNode) error {
	for _, n := range replicas {
		if err := n.waitOnline(60*time.Second, "NET-A", "NET-B", "NET-C"); err != nil {
			return err
		}
	}
	time.Sleep(membersSettle)
	for i := range 50 {
		body := fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-%d","kind":"PURCHASE","quantity":1,"idempotencyKey":"warm-%d"}}}`,
			movementQuery, i%16, i)
		if _, _, ok := recordOne(a, body); !ok {
			return fmt.Errorf("recording warm-up movement %d on A failed; see %s", i, a.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	head, err := a.replica("NET-A")
	if err != nil {
		return err
	}
	for _, n := range replicas {
		if err := n.waitReplica("NET-A", head, 60*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// membersSettle is how long settle gives replicators to link to members
// they just saw online: they look for members every second.
const membersSettle = 2 * time.Second
