package main

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// The catch-up measurement, from issue 12: a node that missed this many
// movements of another warehouse catches up at least catchUpTarget times
// as fast as the same rows insert directly into SQLite.
const (
	catchUpMovements = 200_000
	catchUpBatch     = 1000 // movements per seeding job batch and per direct transaction
	catchUpTarget    = 0.8  // issue 26 (issue 12: 0.5)
	catchUpTimeout   = 5 * time.Minute
)

// catchUp is what the catch-up measurement found.
type catchUp struct {
	movements       int
	seeded          time.Duration // writing A's log through the store
	ready, took     time.Duration // from B's start until it served, and until it held A's log
	direct          time.Duration // the same rows straight into SQLite
	cpuA, cpuB      time.Duration // CPU the nodes used during the catch-up
	lastSeq         int64
	digestsMatch    bool
	replicaProblems error
}

// rate returns the catch-up's movements per second, from B's start.
func (c catchUp) rate() float64 { return float64(c.movements) / c.took.Seconds() }

// directRate returns the direct SQLite anchor's movements per second.
func (c catchUp) directRate() float64 { return float64(c.movements) / c.direct.Seconds() }

// measureCatchUp seeds node A's data folder with catchUpMovements
// movements through the store, measures the anchor, starts A and then B
// joined to A, and times B from its start until it holds A's whole log.
func measureCatchUp(o options) (catchUp, error) {
	c := catchUp{movements: catchUpMovements}
	dir, err := os.MkdirTemp("", "stockmesh-bench-node-")
	if err != nil {
		return c, err
	}
	t0 := time.Now()
	if err := seedMovements(dir, "NET-A", o.skus, c.movements); err != nil {
		os.RemoveAll(dir)
		return c, err
	}
	c.seeded = time.Since(t0)
	if c.direct, err = directReplica(o.skus, c.movements); err != nil {
		os.RemoveAll(dir)
		return c, err
	}
	a, err := startMember(o, dir, "NET-A")
	if err != nil {
		return c, err
	}
	defer a.stop()
	head, err := a.replica("NET-A")
	if err != nil {
		return c, err
	}
	c.lastSeq = head.Seq
	cpuA := cpuNow(a.benchNode)
	t0 = time.Now()
	b, err := startJoined(o, a, "NET-B", pprofFlag(o)...)
	if err != nil {
		return c, err
	}
	defer b.stop()
	c.ready = time.Since(t0)
	if o.profile != "" {
		profiled := make(chan struct{})
		go func() { profile(o); close(profiled) }()
		defer func() { <-profiled }() // before B stops
	}
	if err := waitMovement(b, "NET-A", int(head.Seq), catchUpTimeout); err != nil {
		return c, err
	}
	c.took = time.Since(t0)
	c.cpuA, c.cpuB = cpuNow(a.benchNode).sub(cpuA).node, cpuNow(b.benchNode).node
	c.replicaProblems = b.waitReplica("NET-A", head, 30*time.Second)
	c.digestsMatch = c.replicaProblems == nil
	return c, nil
}

// pprofFlag returns the flag that serves profiles where profile reads
// them, when o asks for a profile.
func pprofFlag(o options) []string {
	if o.profile == "" {
		return nil
	}
	return []string{"--pprof", pprofAddr}
}

// waitMovement polls n every 20 ms until it holds movement id:seq (the
// newest of id's log), for up to timeout.
func waitMovement(n *subNode, id string, seq int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		got, _ := n.newestMovement(id) // NOT_FOUND until the first batch arrives
		if got >= seq {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s holds %s's movements up to %d after %v, want %d; see %s", n.base, id, got, timeout, seq, n.log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// seedMovements creates, through the store as a node would, warehouse id
// with skus products and then movements purchases of one unit spread over
// them, catchUpBatch per job batch (one transaction each), each with an
// idempotency key as HTTP clients send.
func seedMovements(dir, id string, skus, movements int) error {
	st, err := store.Open(dir, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()
	jobs := [][]byte{mustJob(stock.OpWarehouseInit.Name, &stock.Warehouse{ID: id, Name: id})}
	for i := range skus {
		jobs = append(jobs, mustJob(stock.OpProductCreate.Name, &stock.CreateProductInput{
			SKU: fmt.Sprintf("B-%d", i), Name: fmt.Sprintf("Bench %d", i), Price: 1_0000}))
	}
	for i := 0; i < movements; {
		for ; i < movements && len(jobs) < catchUpBatch; i++ {
			jobs = append(jobs, mustJob(stock.OpMovementRecord.Name, &stock.MovementInput{
				SKU: fmt.Sprintf("B-%d", i%skus), Kind: stock.KindPurchase, Quantity: 1, IdempotencyKey: seedKey(i)}))
		}
		if err := writeAll(st, jobs); err != nil {
			return err
		}
		jobs = jobs[:0]
	}
	return nil
}

// seedKey is the idempotency key of the i-th seeded movement; the direct
// anchor writes the same keys.
func seedKey(i int) string { return fmt.Sprintf("seed-%d", i) }

// mustJob encodes a job; the bench's own requests always encode.
func mustJob(op string, req any) []byte {
	b, err := stock.EncodeJob(stock.JobMeta{Op: op}, req)
	if err != nil {
		panic(err)
	}
	return b
}
