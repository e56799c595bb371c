package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The transfers part (issue 13): two nodes, both online; the sender's
// recordMovement rate and its transferStock rate under the same load, one
// after the other in the same run, and the delay from transferStock's
// acknowledgement until the receiver lists the transfer (its
// transferUpdated event, which it publishes once it has applied the
// transfer). Targets: transfers/s at least transfersRatioTarget of the
// movements/s, and that delay's p99 under transfersDelayTarget.
const (
	transfersRatioTarget = 0.75 // issue 26 (issue 13: 0.5)
	transfersDelayTarget = 250 * time.Millisecond
	transferStockQuery   = `mutation($in: TransferInput!) { transferStock(input: $in) { id } }`
	transferSeed         = 1_000_000_000
)

// transfersBench runs the transfers part and prints its report.
func transfersBench(o options) error {
	fmt.Printf("\ntransfers: TR-A and TR-B (joined to A); %d clients on A for %v each: recordMovement, then transferStock to TR-B\n",
		o.clients, o.duration)
	a, err := startMember(o, "", "TR-A", pprofFlag(o)...)
	if err != nil {
		return err
	}
	defer a.stop()
	for i := range o.skus {
		body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"B-%d\", name: \"Bench %d\", price: \"1.00\", initialQuantity: %d}) { sku } }"}`,
			i, i, transferSeed)
		if _, ok := post(a.client, a.graphql(), a.token, body); !ok {
			return fmt.Errorf("creating the bench products failed; see %s", a.log)
		}
	}
	b, err := startJoined(o, a, "TR-B")
	if err != nil {
		return err
	}
	defer b.stop()
	if err := b.waitOnline(60*time.Second, "TR-A", "TR-B"); err != nil {
		return err
	}
	if err := a.waitOnline(60*time.Second, "TR-A", "TR-B"); err != nil {
		return err
	}
	time.Sleep(membersSettle)
	dock, err := dialDock(b)
	if err != nil {
		return err
	}
	defer dock.c.Close()
	if err := b.waitSubscriptions(1); err != nil {
		return err
	}
	cs := clients(o, a.tls)
	cpu0 := cpuNow(a.benchNode)
	moves := load(o.clients, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], a.graphql(), a.token, movementBody(o, c, i))
		return ok
	})
	cpu1 := cpuNow(a.benchNode)
	if o.profile != "" { // of A while it sends transfers
		go profile(o)
	}
	var mu sync.Mutex
	acks := map[string]time.Time{}
	sent := load(o.clients, o.duration, func(c, i int) bool {
		body := fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-%d","to":"TR-B","quantity":1,"idempotencyKey":"t%d-%d"}}}`,
			transferStockQuery, (c+i)%o.skus, c, i)
		out, ok := post(cs[c], a.graphql(), a.token, body)
		now := time.Now()
		if !ok {
			return false
		}
		var r struct {
			Data struct{ TransferStock struct{ ID string } }
		}
		if json.Unmarshal(out, &r) != nil || r.Data.TransferStock.ID == "" {
			return false
		}
		mu.Lock()
		acks[r.Data.TransferStock.ID] = now
		mu.Unlock()
		return true
	})
	cpu2 := cpuNow(a.benchNode)
	delays, unseen := dock.delays(acks, 30*time.Second)
	reportTransfers(moves, sent, delays, unseen)
	fmt.Printf("  A's CPU per recordMovement %v, per transferStock %v; load average %s\n\n",
		cpuPerOp(cpu1.node-cpu0.node, moves.ops), cpuPerOp(cpu2.node-cpu1.node, sent.ops), loadAverage())
	return nil
}

// cpuPerOp returns cpu shared by ops operations, 0 for none.
func cpuPerOp(cpu time.Duration, ops int) time.Duration {
	if ops == 0 {
		return 0
	}
	return (cpu / time.Duration(ops)).Round(time.Microsecond)
}

// reportTransfers prints the rates, the delays and the verdict.
func reportTransfers(moves, sent result, delays []time.Duration, unseen int) {
	fmt.Println(moves.line("  recordMovement on A"))
	fmt.Println(sent.line("  transferStock on A (to TR-B)"))
	ratio := sent.rate() / moves.rate()
	fmt.Printf("  transfers/s vs recordMovement/s on the same node: %.2fx\n", ratio)
	fmt.Printf("  ack on A -> listed on B (its transferUpdated event): p50 %-9v p99 %-9v max %-9v (%d of %d never within 30 s)\n",
		percentile(delays, 50), percentile(delays, 99), percentile(delays, 100), unseen, sent.ops)
	verdict := "MET"
	if ratio < transfersRatioTarget || percentile(delays, 99) >= transfersDelayTarget || unseen > 0 || sent.ops == 0 {
		verdict = "NOT MET"
	}
	fmt.Printf("transfers target (>= %.2fx recordMovement, p99 < %v): %s\n", transfersRatioTarget, transfersDelayTarget, verdict)
}

// dock is a transferUpdated subscriber on the receiver: it records when
// each transfer first arrived.
type dock struct {
	c        *websocket.Conn
	mu       sync.Mutex
	arrivals map[string]time.Time
}

// dialDock subscribes on n to the transfers coming to TR-B.
func dialDock(n *subNode) (*dock, error) {
	d := websocket.Dialer{TLSClientConfig: n.tls.Clone(), Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 30 * time.Second}
	c, _, err := d.Dial("wss://"+n.base[len("https://"):]+"/graphql", http.Header{})
	if err != nil {
		return nil, fmt.Errorf("dialing: %w", err)
	}
	if err := handshake(c, n.token, `subscription { transferUpdated(warehouse: "TR-B") { id } }`); err != nil {
		c.Close()
		return nil, err
	}
	k := &dock{c: c, arrivals: map[string]time.Time{}}
	go k.read()
	return k, nil
}

// read records arrivals until the connection closes.
func (k *dock) read() {
	_ = k.c.SetReadDeadline(time.Time{})
	for {
		var m struct {
			Type    string
			Payload struct {
				Data struct{ TransferUpdated struct{ ID string } }
			}
		}
		if err := k.c.ReadJSON(&m); err != nil {
			return
		}
		if m.Type != "next" {
			continue
		}
		now := time.Now()
		k.mu.Lock()
		if id := m.Payload.Data.TransferUpdated.ID; id != "" {
			if _, ok := k.arrivals[id]; !ok {
				k.arrivals[id] = now
			}
		}
		k.mu.Unlock()
	}
}

// delays waits up to timeout for every acknowledged transfer to arrive and
// returns the sorted delays and how many never arrived.
func (k *dock) delays(acks map[string]time.Time, timeout time.Duration) ([]time.Duration, int) {
	deadline := time.Now().Add(timeout)
	for {
		k.mu.Lock()
		missing := 0
		for id := range acks {
			if _, ok := k.arrivals[id]; !ok {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			out := make([]time.Duration, 0, len(acks))
			for id, at := range acks {
				if got, ok := k.arrivals[id]; ok {
					out = append(out, max(0, got.Sub(at)))
				}
			}
			k.mu.Unlock()
			slices.Sort(out)
			return out, missing
		}
		k.mu.Unlock()
		time.Sleep(100 * time.Millisecond)
	}
}
