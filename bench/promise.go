package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The parts of issue 28: reservations (reserveStock + fulfilReservation
// pairs beside recordMovement on the same node, target: at least
// reservationsRatioTarget of its rate), stocktake (finalizing a stocktake
// of stocktakeLines lines, each with a variance, target: under
// stocktakeTarget) and availability (availability's latency on a node
// holding availabilityWarehouses warehouses, target: p99 under
// availabilityTarget).
const (
	reservationsRatioTarget = 0.8
	stocktakeLines          = 10_000
	stocktakeTarget         = time.Second
	availabilityWarehouses  = 24
	availabilityTarget      = 5 * time.Millisecond
	reserveQuery            = `mutation($in: ReserveStockInput!) { reserveStock(input: $in) { id } }`
	fulfilQuery             = `mutation($id: ID!) { fulfilReservation(id: $id) { status } }`
)

// reservationsBench runs the reservations part and prints its report.
func reservationsBench(o options) error {
	fmt.Printf("\nreservations: %d clients for %v each: recordMovement (SALE), then reserveStock + fulfilReservation pairs\n", o.clients, o.duration)
	n, err := startMember(o, "", "RS-A", pprofFlag(o)...)
	if err != nil {
		return err
	}
	defer n.stop()
	for i := range o.skus {
		body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"B-%d\", name: \"Bench %d\", price: \"1.00\", initialQuantity: %d}) { sku } }"}`,
			i, i, transferSeed)
		if _, ok := post(n.client, n.graphql(), n.token, body); !ok {
			return fmt.Errorf("creating the bench products failed; see %s", n.log)
		}
	}
	cs := clients(o, n.tls)
	done := profilePart(o, ".sales")
	before := writerStats(n)
	sales := load(o.clients, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], n.graphql(), n.token, fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-%d","kind":"SALE","quantity":1,"idempotencyKey":"s%d-%d"}}}`,
			movementQuery, (c+i)%o.skus, c, i))
		return ok
	})
	<-done
	mid := writerStats(n)
	done = profilePart(o, ".pairs")
	pairs := load(o.clients, o.duration, func(c, i int) bool {
		out, ok := post(cs[c], n.graphql(), n.token, fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-%d","quantity":1,"idempotencyKey":"r%d-%d"}}}`,
			reserveQuery, (c+i)%o.skus, c, i))
		var r struct {
			Data struct{ ReserveStock struct{ ID string } }
		}
		if !ok || json.Unmarshal(out, &r) != nil || r.Data.ReserveStock.ID == "" {
			return false
		}
		_, ok = post(cs[c], n.graphql(), n.token, fmt.Appendf(nil, `{"query":%q,"variables":{"id":%q}}`, fulfilQuery, r.Data.ReserveStock.ID))
		return ok
	})
	<-done
	after := writerStats(n)
	fmt.Println(sales.line("  recordMovement (SALE)"))
	fmt.Println("    " + mid.since(before))
	fmt.Println(pairs.line("  reserveStock + fulfilReservation (pairs)"))
	fmt.Println("    " + after.since(mid))
	ratio := pairs.rate() / sales.rate()
	fmt.Printf("  pairs/s vs recordMovement/s: %.2fx (calls/s: %.2fx); load average %s\n", ratio, 2*ratio, loadAverage())
	fmt.Printf("reservations target (pairs >= %.1fx recordMovement): %s\n\n", reservationsRatioTarget, metOrNot(ratio >= reservationsRatioTarget && pairs.ops > 0))
	return nil
}

// writerCounters are a node's writer series at one moment.
type writerCounters map[string]float64

// writerStats reads n's writer series (empty when they cannot be read).
func writerStats(n *subNode) writerCounters {
	v, err := n.metrics(n.client)
	if err != nil {
		return writerCounters{}
	}
	return v
}

// since describes the writer's work between then and w: its commits, the
// jobs each took, the time each took, and a write job's wait and run.
func (w writerCounters) since(then writerCounters) string {
	d := func(k string) float64 { return w[k] - then[k] }
	n, jobs := d("stockmesh_commit_batch_size_count"), d(`stockmesh_job_wait_seconds_count{class="write"}`)
	if n <= 0 || jobs <= 0 {
		return "writer: no commits"
	}
	return fmt.Sprintf("writer: %.0f commits of %.1f jobs, %.2f ms each; a write job %.2f ms queued, %.3f ms running (mean)",
		n, d("stockmesh_commit_batch_size_sum")/n, 1000*d("stockmesh_commit_seconds_sum")/n,
		1000*d(`stockmesh_job_wait_seconds_sum{class="write"}`)/jobs, 1000*d(`stockmesh_job_exec_seconds_sum{class="write"}`)/jobs)
}

// profilePart profiles the node serving pprof (see pprofFlag) during the
// load that follows, to o.profile with suffix, when o asks for a profile;
// the channel closes once the profile is written.
func profilePart(o options, suffix string) <-chan struct{} {
	done := make(chan struct{})
	if o.profile == "" {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		profileTo(pprofAddr, max(time.Second, o.duration-2*time.Second), o.profile+suffix)
	}()
	return done
}

// metOrNot names a target's outcome.
func metOrNot(met bool) string {
	if met {
		return "MET"
	}
	return "NOT MET"
}

// stocktakeBench runs the stocktake part: a node with stocktakeLines
// products (imported), a stocktake of every one, a count with a variance
// for each (one counts file), then finalizeStocktake timed.
func stocktakeBench(o options) error {
	fmt.Printf("\nstocktake: finalizing a stocktake of %d lines, each with a variance\n", stocktakeLines)
	n, err := startMember(o, "", "ST-A")
	if err != nil {
		return err
	}
	defer n.stop()
	var csv strings.Builder
	csv.WriteString("sku,name,description,price,quantity,reorderPoint\n")
	for i := range stocktakeLines {
		fmt.Fprintf(&csv, "S-%05d,Item %d,,1.50,100,0\n", i, i)
	}
	if err := n.send(http.MethodPost, "/api/v1/products/import", csv.String()); err != nil {
		return fmt.Errorf("importing the products: %w", err)
	}
	var started struct{ StartStocktake struct{ ID string } }
	if err := n.query(`mutation { startStocktake(input: {note: "bench"}) { id } }`, &started); err != nil {
		return err
	}
	id := started.StartStocktake.ID
	csv.Reset()
	csv.WriteString("sku,counted\n")
	for i := range stocktakeLines {
		fmt.Fprintf(&csv, "S-%05d,%d\n", i, 90+i%20)
	}
	if err := n.send(http.MethodPost, "/api/v1/stocktakes/"+id+"/counts", csv.String()); err != nil {
		return fmt.Errorf("recording the counts: %w", err)
	}
	t0 := time.Now()
	var fin struct {
		FinalizeStocktake struct{ Status, VarianceValue string }
	}
	if err := n.query(fmt.Sprintf(`mutation { finalizeStocktake(id: %q) { status varianceValue } }`, id), &fin); err != nil {
		return err
	}
	took := time.Since(t0)
	fmt.Printf("  finalizeStocktake of %d lines (%s, variance value %s): %v\n", stocktakeLines, fin.FinalizeStocktake.Status,
		fin.FinalizeStocktake.VarianceValue, took.Round(time.Millisecond))
	fmt.Printf("stocktake target (< %v): %s\n\n", stocktakeTarget, metOrNot(took < stocktakeTarget && fin.FinalizeStocktake.Status == "FINALIZED"))
	return nil
}

// send sends body (CSV) to path as the node's admin; an answer other than
// 200 is an error.
func (n *subNode) send(method, path, body string) error {
	req, _ := http.NewRequest(method, n.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+n.token)
	req.Header.Set("Content-Type", "text/csv")
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
		return fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
	}
	return nil
}

// availabilityBench runs the availability part: availabilityWarehouses
// nodes joined in one network, each with the same sku, then availability
// asked of the first node by 4 clients for o.duration once it holds every
// warehouse's stock of the sku, then again with the other nodes stopped
// (the node still holds their warehouses; the machine's CPUs are its own).
func availabilityBench(o options) error {
	fmt.Printf("\navailability: %d warehouses, availability(sku, 1) on one node holding them all, 4 clients for %v\n", availabilityWarehouses, o.duration)
	first, err := startMember(o, "", "AV-00", pprofFlag(o)...)
	if err != nil {
		return err
	}
	nodes := []*subNode{first}
	defer func() {
		for _, n := range nodes {
			n.stop()
		}
	}()
	for i := 1; i < availabilityWarehouses; i++ {
		n, err := startJoined(o, first, fmt.Sprintf("AV-%02d", i))
		if err != nil {
			return err
		}
		nodes = append(nodes, n)
	}
	for i, n := range nodes {
		var created struct{ CreateProduct struct{ SKU string } }
		if err := n.query(fmt.Sprintf(`mutation { createProduct(input: {sku: "AV", name: "Bench", price: "1.00", initialQuantity: %d}) { sku } }`, 10+i), &created); err != nil {
			return err
		}
	}
	deadline := time.Now().Add(120 * time.Second)
	for {
		var out struct{ Availability []struct{ Quantity int } }
		if err := first.query(`{ availability(sku: "AV", quantity: 1) { quantity } }`, &out); err != nil {
			return err
		}
		if len(out.Availability) == availabilityWarehouses {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("AV-00 holds the stock of %d warehouses after 120 s, want %d", len(out.Availability), availabilityWarehouses)
		}
		time.Sleep(200 * time.Millisecond)
	}
	cs := clients(options{clients: 4, http2: o.http2}, first.tls)
	body := []byte(`{"query":"{ availability(sku: \"AV\", quantity: 5) { warehouse { id } available asOf } }"}`)
	r := load(4, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], first.graphql(), first.token, body)
		return ok
	})
	fmt.Println(r.line("  availability, the 24 nodes running"))
	// The same read with the other nodes stopped: the node still holds
	// their warehouses, and the 2 CPUs are its own.
	for _, n := range nodes[1:] {
		n.stop()
	}
	nodes = nodes[:1]
	time.Sleep(membersSettle)
	done := profilePart(o, ".availability")
	alone := load(4, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], first.graphql(), first.token, body)
		return ok
	})
	<-done
	fmt.Println(alone.line("  availability, the other 23 stopped"))
	fmt.Printf("  load average %s\n", loadAverage())
	fmt.Printf("availability target (p99 < %v, the node alone): %s\n\n", availabilityTarget, metOrNot(alone.p(99) < availabilityTarget && alone.ops > 0))
	return nil
}
