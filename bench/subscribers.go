package main

import (
	"bytes"
	"cmp"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The subscriber benchmark's load. Without -subs and -rate it runs the
// issue's cases: 1,000 subscribers under 50 movements/s and 100 under 500
// (every subscriber asking the same thing, so the node executes each event
// once for all of them), and 1,000 subscribers each filtering its own sku
// under 500 movements/s spread over those 1,000 skus (groups of one).
const (
	dialParallel     = 32 // websocket handshakes in flight while connecting
	writerInFlight   = 64 // the writer's most outstanding requests
	drainTimeout     = 15 * time.Second
	subscriberQuery  = `subscription { stockChanged { sku quantity merged at movement { id } } }`
	filteredQuery    = `subscription { stockChanged(sku: "B-%d") { sku quantity merged at movement { id } } }`
	subscriberTarget = 100 * time.Millisecond
	// Targets against the anchor in the same run.
	anchorCPUFactor = 1.5
	anchorP99Slack  = 30 * time.Millisecond
)

// subCase is one load of the subscriber benchmark.
type subCase struct {
	subs, rate int
	filtered   bool // each subscriber filters its own sku (groups of one)
}

// subCases returns the cases o asks for: one with -subs and -rate, else
// the three.
func (o options) subCases() []subCase {
	if o.subs > 0 || o.rate > 0 {
		c := subCase{subs: cmp.Or(o.subs, 1000), rate: cmp.Or(o.rate, 500), filtered: o.filtered}
		return []subCase{c}
	}
	return []subCase{{subs: 1000, rate: 50}, {subs: 100, rate: 500}, {subs: 1000, rate: 500, filtered: true}}
}

// query returns subscriber i's subscription and the sku it filters on (-1: all).
func (c subCase) query(i int) (string, int) {
	if c.filtered {
		return fmt.Sprintf(filteredQuery, i), i
	}
	return subscriberQuery, -1
}

// String describes the case.
func (c subCase) String() string {
	what := "stockChanged, no filter: one shared execution"
	if c.filtered {
		what = "stockChanged, each its own sku: groups of one"
	}
	return fmt.Sprintf("%d subscribers (%s), %d movements/s", c.subs, what, c.rate)
}

// subscribersBench runs every case of o.
func subscribersBench(o options) error {
	for _, c := range o.subCases() {
		if err := subscriberCase(o, c); err != nil {
			return err
		}
	}
	return nil
}

// subscriberCase measures one case on a node and on the anchor, one after
// the other with the same clients, and compares them.
func subscriberCase(o options, c subCase) error {
	if o.profile != "" && o.subs == 0 && o.rate == 0 { // the cases: one profile each
		o.profile = fmt.Sprintf("%s.%dx%d", o.profile, c.subs, c.rate)
		if c.filtered {
			o.profile += "-filtered"
		}
	}
	o.subs, o.rate = c.subs, c.rate
	if c.filtered {
		o.skus = c.subs
	}
	fmt.Printf("subscribers: %v for %v\n", c, o.duration)
	node, err := subscribersNode(o, c)
	if err != nil {
		return err
	}
	anchor, err := anchorRun(o, c)
	if err != nil {
		return err
	}
	reportVersus(node, anchor)
	return nil
}

// fanResult is what one server (the node or the anchor) did in one case.
type fanResult struct {
	name      string
	delivered int64 // unmerged events received
	merged    int64
	expected  int64
	cpu       time.Duration // loaded, minus the same writes with no subscribers
	idleCPU   time.Duration // the same writes with no subscribers
	commits   []time.Duration
	floor     []time.Duration // the node's delays with a single subscriber
	// spread holds, for every event delivered, its arrival minus its
	// earliest arrival at any subscriber: the fan-out's own delay.
	spread []time.Duration
}

// perEvent is the CPU per delivered event.
func (r fanResult) perEvent() time.Duration {
	if n := r.delivered + r.merged; n > 0 {
		return r.cpu / time.Duration(n)
	}
	return 0
}

// collect gathers the watchers' commit delays and counts.
func (r *fanResult) collect(ws []*watcher) {
	first := map[int]int64{} // seq -> its earliest arrival at any subscriber
	for _, w := range ws {
		r.delivered += w.got.Load()
		r.merged += w.merged.Load()
		r.commits = append(r.commits, w.commits...)
		for seq, at := range w.arrivals {
			if f, ok := first[seq]; at != 0 && (!ok || at < f) {
				first[seq] = at
			}
		}
	}
	for _, w := range ws {
		for seq, at := range w.arrivals {
			if at != 0 {
				r.spread = append(r.spread, time.Duration(at-first[seq]))
			}
		}
	}
	slices.Sort(r.commits)
	slices.Sort(r.spread)
}

// subscribersNode starts a node, measures its CPU under o.rate movements/s
// with no subscribers (before and after the rest), the delivery to a single
// subscriber, connects o.subs websocket subscribers
// (graphql-transport-ws), records o.rate movements/s for o.duration from
// one writer again, and reports the delay from each movement's
// acknowledgement and from its commit to its delivery to each subscriber,
// the deliveries expected and received, the connections alive at the end,
// the node's memory and the CPU the node and the benchmark's own clients used.
func subscribersNode(o options, c subCase) (fanResult, error) {
	res := fanResult{name: "node"}
	n, err := startSubNode(o)
	if err != nil {
		return res, err
	}
	defer n.stop()
	idle := n.memory()
	start := time.Now()
	cpu0 := cpuNow(n.benchNode)
	writeMovements(o, n, start, 1)
	res.idleCPU = cpuNow(n.benchNode).sub(cpu0).node
	if res.floor, err = deliveryFloor(o, n, start); err != nil {
		return res, err
	}
	ws, took, err := dialWatchers(n.endpoint(), o.subs, start, c.query)
	if err != nil && len(ws) == 0 {
		return res, err
	} else if err != nil {
		fmt.Println("  connecting:", err) // reported, and the run goes on with the rest
	}
	if err := n.waitSubscriptions(len(ws)); err != nil {
		closeWatchers(ws)
		return res, err
	}
	connected := n.memory()
	fmt.Printf("  node: %d subscribers connected in %v\n", len(ws), took.Round(time.Millisecond))
	if o.profile != "" {
		go profile(o)
	}
	cpu0 = cpuNow(n.benchNode)
	acks := writeMovements(o, n, start, 0)
	drained := drain(ws, expectedDeliveries(ws, acks))
	cpu := cpuNow(n.benchNode).sub(cpu0)
	alive, open := aliveCount(ws), n.metricOrMinus("stockmesh_subscriptions_open")
	loaded := n.memory()
	closeWatchers(ws)
	fmt.Println("  waiting for delivery:", drained)
	reportSubscribers(o, summarize(ws, acks), acks, alive, open, [3]memory{idle, connected, loaded}, cpu)
	res.collect(ws)
	res.expected = expectedDeliveries(ws, acks)
	// The writes' own cost, measured again once the subscribers are gone:
	// their mean is the baseline, both are printed.
	if err := n.waitSubscriptions(0); err != nil {
		return res, err
	}
	cpu0 = cpuNow(n.benchNode)
	writeMovements(o, n, start, 3)
	after := cpuNow(n.benchNode).sub(cpu0).node
	fmt.Printf("  node CPU for the same writes with no subscribers: %v before, %v after\n",
		res.idleCPU.Round(10*time.Millisecond), after.Round(10*time.Millisecond))
	res.idleCPU = (res.idleCPU + after) / 2
	res.cpu = cpu.node - res.idleCPU
	return res, nil
}

// deliveryFloor records o.rate movements/s for o.duration with one
// unfiltered subscriber and returns its delays from commit time (at) to
// arrival, sorted: what the write path and one delivery take without
// fan-out.
func deliveryFloor(o options, n *subNode, start time.Time) ([]time.Duration, error) {
	w, err := dialWatcher(n.endpoint(), subscriberQuery, start)
	if err != nil {
		return nil, err
	}
	ws := []*watcher{w}
	if err := n.waitSubscriptions(1); err != nil {
		closeWatchers(ws)
		return nil, err
	}
	acks := writeMovements(o, n, start, 2)
	drain(ws, expectedDeliveries(ws, acks))
	closeWatchers(ws)
	slices.Sort(w.commits)
	return w.commits, n.waitSubscriptions(0)
}

// expectedDeliveries is how many of acks the subscribers ws should receive.
func expectedDeliveries(ws []*watcher, w writeResult) int64 {
	var n int64
	for _, x := range ws {
		for _, a := range w.acks {
			if x.sku < 0 || x.sku == a.sku {
				n++
			}
		}
	}
	return n
}

// reportVersus prints the node beside the anchor and the targets' verdict.
func reportVersus(node, anchor fanResult) {
	fmt.Println("  node vs anchor (CPU per delivered event: the server's CPU minus that of the same writes with no subscribers;")
	fmt.Println("                  delivery: from the commit time an event carries to its arrival at the client):")
	for _, r := range []fanResult{node, anchor} {
		fmt.Printf("    %-7s %8d/%d delivered, %d merged; CPU %v (with no subscribers %v), %v per delivered event; delivery p50 %v p99 %v\n",
			r.name, r.delivered, r.expected, r.merged, r.cpu.Round(time.Millisecond), r.idleCPU.Round(time.Millisecond),
			r.perEvent(), percentile(r.commits, 50).Round(10*time.Microsecond), percentile(r.commits, 99).Round(10*time.Microsecond))
	}
	fmt.Printf("    fan-out spread (arrival minus the event's first arrival at any subscriber): node p50 %v p99 %v, anchor p50 %v p99 %v\n",
		percentile(node.spread, 50).Round(10*time.Microsecond), percentile(node.spread, 99).Round(10*time.Microsecond),
		percentile(anchor.spread, 50).Round(10*time.Microsecond), percentile(anchor.spread, 99).Round(10*time.Microsecond))
	fmt.Printf("    the node's events carry the time its writer ran the movement, before COMMIT and its fsync; with a single\n"+
		"    subscriber (the write path, the commit and one socket's 10 ms coalescing) its delivery is p50 %v p99 %v\n",
		percentile(node.floor, 50).Round(10*time.Microsecond), percentile(node.floor, 99).Round(10*time.Microsecond))
	if node.cpu <= 0 || anchor.cpu <= 0 {
		fmt.Println("    (a CPU difference at or below zero: the same writes cost more in the run without subscribers; noise from a shared machine)")
	}
	ratio := float64(node.perEvent()) / float64(max(anchor.perEvent(), 1))
	met := ratio <= anchorCPUFactor && percentile(node.commits, 99) <= percentile(anchor.commits, 99)+anchorP99Slack &&
		node.merged == 0 && node.delivered >= node.expected
	fmt.Printf("  target (CPU/event within %.1fx of the anchor: %.2fx; p99 within the anchor's + %v; nothing merged or lost): %s\n\n",
		anchorCPUFactor, ratio, anchorP99Slack, verdict(met))
}

// subNode is a node started for the subscriber benchmark, with an HTTP
// client that trusts it.
type subNode struct {
	*benchNode
	tls    *tls.Config
	client *http.Client
}

// startSubNode starts a node (with a profiling endpoint when o.profile is
// set) and creates the o.skus products movementBody spreads over.
func startSubNode(o options) (*subNode, error) {
	// The subscribers, all on this machine, stand for people at many
	// addresses: the per-address connection limit would refuse them.
	bn, tc, err := startLoadNode(o, "--max-conns-per-address", "-1")
	if err != nil {
		return nil, err
	}
	n := &subNode{benchNode: bn, tls: tc, client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: tc.Clone(), ForceAttemptHTTP2: true, MaxIdleConnsPerHost: writerInFlight}}}
	if err := n.seedProducts(n.client, o.skus); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// endpoint is where subscribers connect to the node.
func (n *subNode) endpoint() endpoint {
	return endpoint{url: "wss://" + strings.TrimPrefix(n.graphql(), "https://"), tls: n.tls, token: n.token}
}

// metric reads one value from the node's /metrics.
func (n *subNode) metric(name string) (float64, error) {
	v, err := n.metrics(n.client)
	if err != nil {
		return 0, err
	}
	x, ok := v[name]
	if !ok {
		return 0, fmt.Errorf("metric %s not found", name)
	}
	return x, nil
}

// metricOrMinus is metric, or -1 when it cannot be read.
func (n *subNode) metricOrMinus(name string) float64 {
	v, err := n.metric(name)
	if err != nil {
		return -1
	}
	return v
}

// waitSubscriptions waits until the node counts want open subscriptions,
// so that none misses the first movements.
func (n *subNode) waitSubscriptions(want int) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		got, err := n.metric("stockmesh_subscriptions_open")
		if err == nil && int(got) == want {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the node has %v subscriptions open, want %d (%v)", got, want, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// memory is the node's resident memory, from /proc/PID/status.
type memory struct{ rss, peak int64 } // KiB

// memory reads the node's memory; -1 when it cannot.
func (n *subNode) memory() memory { return memoryOf(n.pid()) }

// rss returns a process's resident memory in bytes.
func rss(pid int) int64 { return memoryOf(pid).rss << 10 }

// memoryOf reads a process's memory; -1 when it cannot.
func memoryOf(pid int) memory {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{-1, -1}
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "VmRSS:" {
			m.rss, _ = strconv.ParseInt(f[1], 10, 64)
		} else if len(f) >= 2 && f[0] == "VmHWM:" {
			m.peak, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return m
}

// String returns the resident memory in MiB.
func (m memory) String() string { return fmt.Sprintf("%.1f MiB", float64(m.rss)/1024) }

// ack is one acknowledged movement: its sequence number, when its
// response arrived (ns since start) and how long the request took.
type ack struct {
	seq     int
	sku     int   // the movement is on product B-<sku>
	balance int64 // its stock after the movement
	at      int64
	latency time.Duration
}

// writeResult is what the writer did.
type writeResult struct {
	acks   []ack
	failed int
	took   time.Duration
}

// writeMovements records o.rate movements/s for o.duration, on a fixed
// schedule, with idempotency keys of its own for each round (open loop: a slow answer does not delay the next request, up to
// writerInFlight outstanding). It sends nothing after o.duration, so a node
// that cannot keep up shows as a lower achieved rate.
func writeMovements(o options, n *subNode, start time.Time, round int) writeResult {
	var mu sync.Mutex
	var res writeResult
	var wg sync.WaitGroup
	sem := make(chan struct{}, writerInFlight)
	period := time.Second / time.Duration(o.rate)
	t0 := time.Now()
	for i := 0; ; i++ {
		at := t0.Add(time.Duration(i) * period)
		if at.Sub(t0) >= o.duration {
			break
		}
		time.Sleep(time.Until(at))
		sem <- struct{}{}
		if time.Since(t0) >= o.duration {
			<-sem
			break
		}
		wg.Go(func() {
			defer func() { <-sem }()
			sent := time.Now()
			seq, balance, ok := recordOne(n, movementBody(o, round, i))
			a := ack{seq: seq, sku: (round + i) % o.skus, balance: balance, at: int64(time.Since(start)), latency: time.Since(sent)}
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				res.failed++
				return
			}
			res.acks = append(res.acks, a)
		})
	}
	wg.Wait()
	res.took = time.Since(t0)
	return res
}

// recordOne posts one movement and returns its sequence number and the
// stock after it.
func recordOne(n *subNode, body []byte) (int, int64, bool) {
	b, ok := post(n.client, n.graphql(), n.token, body)
	if !ok {
		return -1, 0, false
	}
	return recorded(b)
}

// recorded reads a recordMovement answer: the movement's seq and balance.
func recorded(b []byte) (int, int64, bool) {
	var out struct {
		Data struct {
			RecordMovement struct {
				ID      string
				Balance int64
			}
		}
	}
	if json.Unmarshal(b, &out) != nil {
		return -1, 0, false
	}
	seq := idSeq(out.Data.RecordMovement.ID)
	return seq, out.Data.RecordMovement.Balance, seq >= 0
}

// drain waits until the subscribers have stopped receiving: they have
// want events, or nothing arrived for 2 s, or drainTimeout
// passed; it says which.
func drain(ws []*watcher, want int64) string {
	t0 := time.Now()
	last, quiet := int64(-1), t0
	for time.Since(t0) < drainTimeout {
		var got int64
		for _, x := range ws {
			got += x.got.Load() + x.merged.Load()
		}
		if got >= want {
			return fmt.Sprintf("all events in %v after the last ack", time.Since(t0).Round(time.Millisecond))
		}
		if got != last {
			last, quiet = got, time.Now()
		} else if time.Since(quiet) > 2*time.Second {
			return fmt.Sprintf("nothing more arrived for 2s (after %v)", time.Since(t0).Round(time.Millisecond))
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Sprintf("cut off %v after the last ack with events still arriving", drainTimeout)
}

// deliveries is what the subscribers received of the acknowledged movements.
type deliveries struct {
	delays []time.Duration // sorted; negatives clamped to 0
	// views holds, for every (subscriber, movement), the delay until the
	// subscriber saw a quantity that includes the movement, through its
	// own event or a later one, merged or not; sorted, clamped to 0.
	views           []time.Duration
	unseen          int64 // (subscriber, movement) pairs whose quantity never arrived
	early           int   // deliveries that arrived before their ack
	merged, dups    int64
	expected, extra int64
}

// summarize matches every subscriber's arrivals with the acks; it must run
// after the readers have stopped.
func summarize(ws []*watcher, w writeResult) deliveries {
	var d deliveries
	d.expected = expectedDeliveries(ws, w)
	d.delays = make([]time.Duration, 0, d.expected)
	acked := make(map[int]bool, len(w.acks))
	for _, a := range w.acks {
		acked[a.seq] = true
	}
	for _, x := range ws {
		d.merged += x.merged.Load()
		d.dups += int64(x.dups)
		for _, a := range w.acks {
			if x.sku >= 0 && x.sku != a.sku {
				continue
			}
			if a.seq >= len(x.arrivals) || x.arrivals[a.seq] == 0 {
				continue
			}
			delay := time.Duration(x.arrivals[a.seq] - 1 - a.at)
			if delay < 0 {
				d.early++
				delay = 0
			}
			d.delays = append(d.delays, delay)
		}
		for seq, at := range x.arrivals {
			if at != 0 && !acked[seq] {
				d.extra++ // a movement whose request failed on the writer's side
			}
		}
		d.addViews(x, w.acks)
	}
	slices.Sort(d.delays)
	slices.Sort(d.views)
	return d
}

// addViews adds x's view delays of acks. The writer only buys, so a sku's
// quantity grows with every movement and reaches a movement's balance
// exactly when the view includes it; events of one sku arrive in commit
// order, so each sku's quantities in x.states grow too.
func (d *deliveries) addViews(x *watcher, acks []ack) {
	bySKU := map[int][]state{}
	for _, s := range x.states {
		bySKU[s.sku] = append(bySKU[s.sku], s)
	}
	for _, a := range acks {
		if x.sku >= 0 && x.sku != a.sku {
			continue
		}
		seen := bySKU[a.sku]
		i, _ := slices.BinarySearchFunc(seen, a.balance, func(s state, b int64) int { return cmp.Compare(s.quantity, b) })
		if i == len(seen) {
			d.unseen++
			continue
		}
		d.views = append(d.views, max(0, time.Duration(seen[i].at-a.at)))
	}
}

// reportSubscribers prints one line per figure and the target verdict.
func reportSubscribers(o options, d deliveries, w writeResult, alive int, open float64, mem [3]memory, cpu cpuTimes) {
	received := int64(len(d.delays))
	lat := make([]time.Duration, len(w.acks))
	for i, a := range w.acks {
		lat[i] = a.latency
	}
	slices.Sort(lat)
	fmt.Printf("  movements:            %d acknowledged in %v (%.0f/s), %d failed; mutation p50 %v p99 %v\n",
		len(w.acks), w.took.Round(time.Millisecond), float64(len(w.acks))/w.took.Seconds(), w.failed, percentile(lat, 50), percentile(lat, 99))
	fmt.Printf("  deliveries:           %d expected, %d received, %d dropped (a merged event counts as drops; %d merged events, %d duplicates, %d for unacknowledged movements)\n",
		d.expected, received, d.expected-received, d.merged, d.dups, d.extra)
	fmt.Printf("  ack -> delivery:      p50 %v  p99 %v  max %v  (%d deliveries beat their ack and count as 0)\n",
		percentile(d.delays, 50), percentile(d.delays, 99), percentile(d.delays, 100), d.early)
	fmt.Printf("  view delay:           p50 %v  p99 %v  max %v  (ack -> the subscriber's quantity includes the movement, merged or not; %d never)\n",
		percentile(d.views, 50), percentile(d.views, 99), percentile(d.views, 100), d.unseen)
	fmt.Printf("  alive at the end:     %d/%d connections; the node counts %.0f subscriptions open\n", alive, o.subs, open)
	fmt.Printf("  node memory (VmRSS):  %v idle, %v with the subscribers, %v after the load (peak VmHWM %.1f MiB)\n",
		mem[0], mem[1], mem[2], float64(mem[2].peak)/1024)
	perDelivery := time.Duration(0)
	if events := received + d.merged; events > 0 {
		perDelivery = cpu.node / time.Duration(events)
	}
	fmt.Printf("  CPU while loaded:     node %v (%v per event delivered), this benchmark's clients %v, over %v\n",
		cpu.node, perDelivery, cpu.self.Round(time.Millisecond), cpu.wall.Round(time.Millisecond))
	fmt.Printf("  load average:         %s\n", loadAverage())
	verdict := "MET"
	if alive < o.subs || received < d.expected || d.expected == 0 || percentile(d.delays, 99) >= subscriberTarget {
		verdict = "NOT MET"
	}
	fmt.Printf("target (p99 < %v, all %d connected, none dropped): %s\n", subscriberTarget, o.subs, verdict)
}

// loadAverage returns the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// cpuTimes is CPU time used by the node and by this process, and the wall
// time they were measured over.
type cpuTimes struct{ node, self, wall time.Duration }

// cpuNow reads the node's CPU time from /proc/PID/stat and this process's
// from getrusage.
func cpuNow(n *benchNode) cpuTimes {
	c := cpuTimes{wall: time.Duration(time.Now().UnixNano()), node: cpuOf(n.pid())}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		c.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return c
}

// cpuOf returns the CPU time process pid has used, from /proc/PID/stat; 0
// when it cannot be read.
func cpuOf(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are the 12th and 13th, in clock ticks (100 Hz on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) <= 12 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// sub returns the times used since d.
func (c cpuTimes) sub(d cpuTimes) cpuTimes {
	return cpuTimes{node: c.node - d.node, self: c.self - d.self, wall: c.wall - d.wall}
}
