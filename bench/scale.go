package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The scale part (issue 24): N real nodes on 127.0.0.1, each joining
// through a random earlier member, for each N of -scale-sizes; it measures
// what the table asks of membership and replication as the network
// grows, through the nodes' external behaviour only (GraphQL, websockets,
// /proc), so that it runs unchanged on any membership protocol.
const (
	scaleOnlineTarget   = 30 * time.Second       // every warehouse online everywhere, after the last join
	scaleIdleCPUTarget  = 0.5                    // % of a core per idle node, at 48 nodes
	scaleDelayTarget    = 500 * time.Millisecond // p99, sale on node 0 → event on the last node
	scaleConvergeTarget = 10 * time.Second       // identical logs everywhere, after the last sale
	scaleOfflineTarget  = 10 * time.Second       // a killed node offline everywhere
	scaleOnlineAgain    = 5 * time.Second        // a restarted node online everywhere again
	scaleIdleWindow     = 10 * time.Second
	scaleSaleRate       = 100 // sales/s on node 0 in the delay measurement
	scaleSaleFor        = 5 * time.Second
	scaleEachRate       = 5 // sales/s on every node at once
	scaleEachFor        = 10 * time.Second
	scalePoll           = 250 * time.Millisecond // how often the harness polls a node
	scalePollers        = 4                      // nodes polled at once
	scaleWait           = 120 * time.Second      // the most any wait lasts before NOT MET
	scaleStock          = 1_000_000              // each node's product's initial stock
)

// scaleNode is one node of the scale part.
type scaleNode struct {
	*subNode
	id string
}

// scaleNet is the network of one size.
type scaleNet struct {
	o        options
	nodes    []*scaleNode
	ids      []string
	r        *rand.Rand
	lastJoin time.Time
}

// scaleFigures is what one size measured, for the summary.
type scaleFigures struct {
	n                 int
	cpuMean, cpuMax   float64 // % of a core per idle node
	network           float64 // cores, the whole idle network
	rssMean, rssMax   float64 // MiB
	online, converged time.Duration
	p50, p99          time.Duration
	missing           int
	offline, back     time.Duration
}

// scaleBench runs the scale part for every size of -scale-sizes and prints
// each size's figures, the targets' verdicts and a summary of how the
// per-node cost grows with N.
func scaleBench(o options) error {
	sizes, err := parseSizes(o.scaleSizes)
	if err != nil {
		return err
	}
	seed := o.scaleSeed
	if seed == 0 {
		seed = time.Now().UnixNano()
	}
	fmt.Printf("\nscale: %v nodes on 127.0.0.1, each joining through a random earlier member (seed %d; -scale-seed %d replays the joins and the kill)\n",
		sizes, seed, seed)
	var all []scaleFigures
	for _, n := range sizes {
		f, err := scaleSize(o, n, rand.New(rand.NewPCG(uint64(seed), uint64(n))))
		if err != nil {
			return fmt.Errorf("%d nodes: %w", n, err)
		}
		all = append(all, f)
	}
	reportScaleSummary(all)
	return nil
}

// parseSizes reads a comma-separated list of network sizes (2 or more).
func parseSizes(s string) ([]int, error) {
	var sizes []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("-scale-sizes: %q is not a size of 2 nodes or more", f)
		}
		sizes = append(sizes, n)
	}
	return sizes, nil
}

// scaleSize starts a network of n nodes, runs every measurement on it and
// stops it.
func scaleSize(o options, n int, r *rand.Rand) (scaleFigures, error) {
	f := scaleFigures{n: n}
	fmt.Printf("\n  %d nodes:\n", n)
	self0, t0 := selfCPU(), time.Now()
	net := &scaleNet{o: o, r: r}
	defer net.stop()
	if err := net.start(n); err != nil {
		return f, err
	}
	f.online = net.measureOnline()
	if err := net.createProducts(); err != nil {
		return f, err
	}
	if _, err := net.waitConverged(time.Now()); err != nil {
		return f, fmt.Errorf("waiting for the products to reach every node: %w", err)
	}
	time.Sleep(2 * time.Second) // let the products' replication finish before measuring idle
	net.measureIdle(&f)
	if err := net.measureDelay(&f); err != nil {
		return f, err
	}
	if err := net.measureConvergence(&f); err != nil {
		return f, err
	}
	if err := net.measureKill(&f); err != nil {
		return f, err
	}
	self, wall := selfCPU()-self0, time.Since(t0)
	fmt.Printf("    this harness: %v of CPU over %v (%.1f%% of a core); load average %s\n",
		self.Round(time.Millisecond), wall.Round(time.Second), 100*self.Seconds()/wall.Seconds(), loadAverage())
	return f, nil
}

// start starts node 0, then nodes 1 to n-1, each joining through a random
// earlier member with a join token issued there.
func (s *scaleNet) start(n int) error {
	t0 := time.Now()
	for i := range n {
		id := fmt.Sprintf("SC-%02d", i)
		var sn *subNode
		var err error
		var extra []string
		if s.o.profile != "" { // -cpuprofile: every node, profiled while the sales spread
			extra = []string{"--pprof", scalePprof(i)}
		}
		if i == 0 {
			// A fixed port, so that a restart finds it again.
			sn, err = startMember(s.o, "", id, append([]string{"--listen", "127.0.0.1:" + freePort()}, extra...)...)
		} else {
			sn, err = startJoined(s.o, s.nodes[s.r.IntN(i)].subNode, id, extra...)
		}
		if err != nil {
			return fmt.Errorf("starting %s: %w", id, err)
		}
		s.nodes, s.ids = append(s.nodes, &scaleNode{subNode: sn, id: id}), append(s.ids, id)
	}
	s.lastJoin = time.Now()
	fmt.Printf("    started and joined %d nodes in %v\n", n, s.lastJoin.Sub(t0).Round(time.Millisecond))
	return nil
}

// stop stops every node, at once, and removes their data.
func (s *scaleNet) stop() {
	var wg sync.WaitGroup
	for _, n := range s.nodes {
		wg.Go(n.stop)
	}
	wg.Wait()
}

// measureOnline waits until every node lists every warehouse online and
// prints how long after the last join that took.
func (s *scaleNet) measureOnline() time.Duration {
	all := s.ids
	took := s.waitEach(s.lastJoin, s.all(), func(i int) bool { return s.nodes[i].onlineSet(all, true) })
	worst, never := worstOf(took)
	fmt.Printf("    every warehouse online on every node: %s after the last join (p50 per node %v)\n",
		durationOrNever(worst, never), percentile(sortedOf(took), 50).Round(time.Millisecond))
	fmt.Printf("    target (every node lists every warehouse online within %v of the last join): %s\n",
		scaleOnlineTarget, verdict(never == 0 && worst <= scaleOnlineTarget))
	if never > 0 {
		return -1
	}
	return worst
}

// onlineSet reports whether n lists every one of ids with online equal to
// want; a node that does not answer reports false.
func (n *scaleNode) onlineSet(ids []string, want bool) bool {
	var d struct {
		Warehouses []struct {
			ID     string
			Online bool
		}
	}
	if n.query(`{ warehouses { id online } }`, &d) != nil {
		return false
	}
	online := map[string]bool{}
	for _, w := range d.Warehouses {
		online[w.ID] = w.Online
	}
	for _, id := range ids {
		if _, listed := online[id]; !listed || online[id] != want {
			return false
		}
	}
	return true
}

// createProducts creates product B-0 with scaleStock units on every node,
// the sku the sales go to.
func (s *scaleNet) createProducts() error {
	for _, n := range s.nodes {
		body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"B-0\", name: \"Scale\", price: \"1.00\", initialQuantity: %d}) { sku } }"}`,
			scaleStock)
		if b, ok := post(n.client, n.graphql(), n.token, body); !ok {
			return fmt.Errorf("creating B-0 on %s: %s (see %s)", n.id, b, n.log)
		}
	}
	return nil
}

// measureIdle reads every node's CPU time and memory over scaleIdleWindow
// with no load and nothing polling them.
func (s *scaleNet) measureIdle(f *scaleFigures) {
	before := make([]time.Duration, len(s.nodes))
	for i, n := range s.nodes {
		before[i] = cpuOf(n.pid())
	}
	self0, t0 := selfCPU(), time.Now()
	time.Sleep(scaleIdleWindow)
	wall, self := time.Since(t0), selfCPU()-self0
	var cpus, rsss []float64
	for i, n := range s.nodes {
		cpus = append(cpus, 100*(cpuOf(n.pid())-before[i]).Seconds()/wall.Seconds())
		rsss = append(rsss, float64(n.memory().rss)/1024)
	}
	f.cpuMean, f.cpuMax = meanMax(cpus)
	f.network = f.cpuMean * float64(len(cpus)) / 100
	f.rssMean, f.rssMax = meanMax(rsss)
	fmt.Printf("    idle over %v: CPU per node mean %.2f%% max %.2f%% of a core; whole network %.2f cores; this harness %.2f%% (load average %s)\n",
		wall.Round(time.Millisecond), f.cpuMean, f.cpuMax, f.network, 100*self.Seconds()/wall.Seconds(), loadAverage())
	fmt.Printf("    idle memory (VmRSS) per node: mean %.1f MiB, max %.1f MiB\n", f.rssMean, f.rssMax)
	fmt.Printf("    target (idle CPU per node <= %.1f%% of a core; set for 48 nodes): %s\n",
		scaleIdleCPUTarget, verdict(f.cpuMean <= scaleIdleCPUTarget))
}

// meanMax returns the mean and the maximum of xs.
func meanMax(xs []float64) (float64, float64) {
	var sum, top float64
	for _, x := range xs {
		sum, top = sum+x, max(top, x)
	}
	return sum / float64(max(1, len(xs))), top
}

// selfCPU returns the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitEach polls ok(i) for every i of idx, scalePollers nodes at once and
// each node every scalePoll, until ok held once for each or scaleWait
// passed since t0. It returns, aligned with idx, how long after t0 each
// first held; -1 for never.
func (s *scaleNet) waitEach(t0 time.Time, idx []int, ok func(i int) bool) []time.Duration {
	took := make([]time.Duration, len(idx))
	for k := range took {
		took[k] = -1
	}
	for left := len(idx); left > 0 && time.Since(t0) < scaleWait; {
		round := time.Now()
		var mu sync.Mutex
		s.eachOf(idx, func(k, i int) {
			if took[k] >= 0 || !ok(i) {
				return
			}
			mu.Lock()
			took[k], left = time.Since(t0), left-1
			mu.Unlock()
		})
		time.Sleep(scalePoll - time.Since(round))
	}
	return took
}

// eachOf runs f(k, idx[k]) for every k, scalePollers at once, and waits
// for all.
func (s *scaleNet) eachOf(idx []int, f func(k, i int)) {
	sem := make(chan struct{}, scalePollers)
	var wg sync.WaitGroup
	for k, i := range idx {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			f(k, i)
		})
	}
	wg.Wait()
}

// all returns the indexes of every node but those in except.
func (s *scaleNet) all(except ...int) []int {
	var idx []int
	for i := range s.nodes {
		if !slices.Contains(except, i) {
			idx = append(idx, i)
		}
	}
	return idx
}

// worstOf returns the longest of took and how many are -1 (never).
func worstOf(took []time.Duration) (time.Duration, int) {
	var worst time.Duration
	never := 0
	for _, d := range took {
		if d < 0 {
			never++
		}
		worst = max(worst, d)
	}
	return worst, never
}

// sortedOf returns the durations of took that are not -1, sorted.
func sortedOf(took []time.Duration) []time.Duration {
	var ds []time.Duration
	for _, d := range took {
		if d >= 0 {
			ds = append(ds, d)
		}
	}
	slices.Sort(ds)
	return ds
}

// durationOrNever says d, or how many never got there.
func durationOrNever(d time.Duration, never int) string {
	if never > 0 {
		return fmt.Sprintf("NEVER on %d nodes within %v", never, scaleWait)
	}
	return d.Round(time.Millisecond).String()
}

// replicas returns, by warehouse id, "seq/digest" of every log n holds.
func (n *scaleNode) replicas() (map[string]string, error) {
	var d struct {
		Warehouses []struct {
			ID      string
			Replica *replica
		}
	}
	if err := n.query(`{ warehouses { id replica { seq digest } } }`, &d); err != nil {
		return nil, err
	}
	held := map[string]string{}
	for _, w := range d.Warehouses {
		if w.Replica != nil && w.Replica.Seq > 0 {
			held[w.ID] = fmt.Sprintf("%d/%s", w.Replica.Seq, w.Replica.Digest)
		}
	}
	return held, nil
}

// waitConverged polls every node's replicas every scalePoll until all hold
// every warehouse's log at the same seq and digest, and returns how long
// after t0 that was; after scaleWait it says how far apart they are.
func (s *scaleNet) waitConverged(t0 time.Time) (time.Duration, error) {
	views := make([]map[string]string, len(s.nodes))
	for {
		round := time.Now()
		s.eachOf(s.all(), func(_, i int) {
			v, err := s.nodes[i].replicas()
			if err != nil {
				v = nil
			}
			views[i] = v
		})
		apart := s.apart(views)
		if apart == 0 {
			return time.Since(t0), nil
		}
		if time.Since(t0) > scaleWait {
			return -1, fmt.Errorf("after %v, %d nodes hold some warehouse's log differently from %s or not at all", scaleWait, apart, s.ids[0])
		}
		time.Sleep(scalePoll - time.Since(round))
	}
}

// apart returns how many nodes' views differ from node 0's, or lack a
// warehouse, or did not answer.
func (s *scaleNet) apart(views []map[string]string) int {
	apart := 0
	for _, v := range views {
		same := v != nil && len(v) == len(views[0]) && len(v) == len(s.ids)
		for id, held := range v {
			same = same && views[0][id] == held
		}
		if !same {
			apart++
		}
	}
	return apart
}

// sale is one acknowledged sale: its movement's seq, and when its
// acknowledgement arrived, since the watcher's start.
type sale struct {
	seq int
	at  time.Duration
}

// sellPaced records rate sales/s of one unit of B-0 on n for d, on a
// fixed schedule (open loop, at most writerInFlight outstanding), each
// with an idempotency key of its own; it returns the acknowledged sales,
// in no order, and how many failed.
func (n *scaleNode) sellPaced(rate int, d time.Duration, start time.Time, prefix string) ([]sale, failures) {
	var mu sync.Mutex
	var sales []sale
	var failed failures
	var wg sync.WaitGroup
	sem := make(chan struct{}, writerInFlight)
	period := time.Second / time.Duration(rate)
	t0 := time.Now()
	for i := 0; time.Duration(i)*period < d; i++ {
		time.Sleep(time.Until(t0.Add(time.Duration(i) * period)))
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			body := fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-0","kind":"SALE","quantity":1,"idempotencyKey":"%s-%d"}}}`,
				movementQuery, prefix, i)
			b, ok := post(n.client, n.graphql(), n.token, body)
			seq := -1
			if ok {
				seq, _, ok = recorded(b)
			}
			at := time.Since(start)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				failed.add(b)
				return
			}
			sales = append(sales, sale{seq: seq, at: at})
		})
	}
	wg.Wait()
	return sales, failed
}

// scalePprof is where node i serves its profiles when -cpuprofile is set.
func scalePprof(i int) string { return fmt.Sprintf("127.0.0.1:%d", 6100+i) }

// failures counts failed sales and keeps the first answer of one, so
// that a report says why they failed.
type failures struct {
	n     int
	first string
}

// add counts a failed sale whose answer was b (nil: no answer).
func (f *failures) add(b []byte) {
	if f.n++; f.first == "" {
		f.first = "no answer"
		if len(b) > 0 {
			f.first = strings.TrimSpace(string(b[:min(len(b), 300)]))
		}
	}
}

// String says how many failed, and the first one's answer.
func (f failures) String() string {
	if f.n == 0 {
		return "0 failed"
	}
	return fmt.Sprintf("%d failed (the first answered: %s)", f.n, f.first)
}

// measureDelay records scaleSaleRate sales/s on node 0 for scaleSaleFor
// and matches each acknowledgement with its stockChanged event on a
// websocket subscriber of the node that joined last.
func (s *scaleNet) measureDelay(f *scaleFigures) error {
	first, last := s.nodes[0], s.nodes[len(s.nodes)-1]
	q := fmt.Sprintf(`subscription { stockChanged(warehouse: %q) { sku quantity merged movement { id } } }`, first.id)
	start := time.Now()
	w, err := dialWatcher(last.endpoint(), q, start)
	if err != nil {
		return fmt.Errorf("subscribing on %s: %w", last.id, err)
	}
	if err := last.waitSubscriptions(1); err != nil {
		closeWatchers([]*watcher{w})
		return err
	}
	self0 := selfCPU()
	var profiling sync.WaitGroup
	if s.o.profile != "" {
		for i, n := range s.nodes {
			profiling.Go(func() { profileTo(scalePprof(i), scaleSaleFor, s.o.profile+"."+n.id) })
		}
	}
	counted0, _ := s.counters()
	cpu0, t0 := s.networkCPU(), time.Now()
	sales, failed := first.sellPaced(scaleSaleRate, scaleSaleFor, start, "delay")
	drained := drain([]*watcher{w}, int64(len(sales)))
	closeWatchers([]*watcher{w})
	cpu, wall := s.networkCPU()-cpu0, time.Since(t0)
	counted1, unread := s.counters()
	profiling.Wait()
	var delays []time.Duration
	for _, a := range sales {
		if a.seq < len(w.arrivals) && w.arrivals[a.seq] != 0 {
			delays = append(delays, max(0, time.Duration(w.arrivals[a.seq]-1)-a.at))
		} else {
			f.missing++
		}
	}
	slices.Sort(delays)
	f.p50, f.p99 = percentile(delays, 50).Round(time.Millisecond), percentile(delays, 99).Round(time.Millisecond)
	fmt.Printf("    %d sales/s on %s for %v -> stockChanged subscriber on %s (joined last): %d acknowledged, %v; %s\n",
		scaleSaleRate, first.id, scaleSaleFor, last.id, len(sales), failed, drained)
	fmt.Printf("      ack -> event: p50 %v p99 %v max %v; %d missing (%d merged events, %d duplicates); this harness %v of CPU\n",
		f.p50, f.p99, percentile(delays, 100).Round(time.Millisecond), f.missing, w.merged.Load(), w.dups, (selfCPU() - self0).Round(time.Millisecond))
	if applied := len(sales) * (len(s.nodes) - 1); applied > 0 {
		fmt.Printf("      every node's CPU meanwhile: %v over %v (%.2f cores on %d CPUs), %v per entry replicated to a node\n",
			cpu.Round(time.Millisecond), wall.Round(time.Millisecond), cpu.Seconds()/wall.Seconds(), runtime.NumCPU(),
			(cpu / time.Duration(applied)).Round(time.Microsecond))
		printPerEntry(counted0, counted1, applied)
		if len(unread) > 0 {
			fmt.Printf("      (metrics not read from %v)\n", unread)
		}
	}
	fmt.Printf("    target (p99 < %v, none missing; set for 48 nodes): %s\n",
		scaleDelayTarget, verdict(len(sales) > 0 && f.missing == 0 && f.p99 < scaleDelayTarget))
	return nil
}

// networkCPU returns the CPU time every node has used so far.
func (s *scaleNet) networkCPU() time.Duration {
	var sum time.Duration
	for _, n := range s.nodes {
		sum += cpuOf(n.pid())
	}
	return sum
}

// measureConvergence has every node sell scaleEachRate/s for scaleEachFor
// at once, then waits until every node holds every warehouse's log at the
// same seq and digest.
func (s *scaleNet) measureConvergence(f *scaleFigures) error {
	var acked atomic.Int64
	var mu sync.Mutex
	var failed failures
	var wg sync.WaitGroup
	start := time.Now()
	for _, n := range s.nodes {
		wg.Go(func() {
			sales, bad := n.sellPaced(scaleEachRate, scaleEachFor, start, "each")
			acked.Add(int64(len(sales)))
			mu.Lock()
			defer mu.Unlock()
			if failed.n += bad.n; failed.first == "" {
				failed.first = bad.first
			}
		})
	}
	wg.Wait()
	lastSale := time.Now()
	took, err := s.waitConverged(lastSale)
	f.converged = took
	state := fmt.Sprintf("identical seq and digest of every warehouse on every node %v after the last sale", took.Round(time.Millisecond))
	if err != nil {
		state = err.Error()
	}
	fmt.Printf("    every node selling %d/s for %v at once: %d acknowledged, %v; %s\n",
		scaleEachRate, scaleEachFor, acked.Load(), failed, state)
	fmt.Printf("    target (identical everywhere within %v of the last sale): %s\n",
		scaleConvergeTarget, verdict(err == nil && took <= scaleConvergeTarget))
	return nil
}

// measureKill SIGKILLs a random node but node 0, waits until every other
// node shows it offline, restarts it on the same data folder and port, and
// waits until every other node shows it online again.
func (s *scaleNet) measureKill(f *scaleFigures) error {
	k := 1 + s.r.IntN(len(s.nodes)-1)
	victim, others := s.nodes[k], s.all(k)
	victim.kill()
	killed := time.Now()
	off := s.waitEach(killed, others, func(i int) bool { return s.nodes[i].onlineSet([]string{victim.id}, false) })
	worstOff, neverOff := worstOf(off)
	f.offline = worstOff
	restarted := time.Now()
	if err := victim.restart(); err != nil {
		return fmt.Errorf("restarting %s: %w", victim.id, err)
	}
	serving := time.Now()
	on := s.waitEach(serving, others, func(i int) bool { return s.nodes[i].onlineSet([]string{victim.id}, true) })
	worstOn, neverOn := worstOf(on)
	f.back = worstOn
	fmt.Printf("    SIGKILL %s: every other node shows it offline %s after the kill (p50 per node %v)\n",
		victim.id, durationOrNever(worstOff, neverOff), percentile(sortedOf(off), 50).Round(time.Millisecond))
	fmt.Printf("    restarted on its data folder and port: serving after %v; every other node shows it online %s after it serves (p50 per node %v)\n",
		serving.Sub(restarted).Round(time.Millisecond), durationOrNever(worstOn, neverOn), percentile(sortedOf(on), 50).Round(time.Millisecond))
	fmt.Printf("    target (offline everywhere within %v of the kill): %s; target (online everywhere within %v of the restart): %s\n",
		scaleOfflineTarget, verdict(neverOff == 0 && worstOff <= scaleOfflineTarget),
		scaleOnlineAgain, verdict(neverOn == 0 && worstOn <= scaleOnlineAgain))
	return nil
}

// kill ends the node with SIGKILL, keeping its data folder.
func (n *scaleNode) kill() {
	_ = n.cmd.Process.Kill()
	_ = n.cmd.Wait()
}

// restart starts the node again with the flags it was started with (the
// same data folder, port and join flags, as a service manager would) and
// waits until it serves.
func (n *scaleNode) restart() error {
	_ = os.Remove(filepath.Join(n.dir, "node.addr")) // so that waitNode waits for the new one
	logf, err := os.OpenFile(n.log, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(n.cmd.Path, n.cmd.Args[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	n.cmd = cmd
	_, _, err = waitNode(n.dir)
	return err
}

// reportScaleSummary prints one line per size, as the table, and
// how the per-node idle CPU grows beside log N.
func reportScaleSummary(all []scaleFigures) {
	fmt.Printf("\n  scale summary:\n")
	fmt.Printf("  %5s  %-26s  %-8s  %-10s  %-22s  %-10s  %-10s  %-10s  %-10s\n", "nodes", "idle CPU per node mean/max",
		"network", "RSS mean", "sale -> event p50/p99", "converged", "online", "offline", "back")
	for _, f := range all {
		fmt.Printf("  %5d  %6.2f%% / %6.2f%% of a core   %5.2f c  %6.1f MiB  %9v / %-9v  %-10v  %-10v  %-10v  %-10v\n",
			f.n, f.cpuMean, f.cpuMax, f.network, f.rssMean, f.p50.Round(time.Millisecond), f.p99.Round(time.Millisecond),
			f.converged.Round(time.Millisecond), f.online.Round(time.Millisecond), f.offline.Round(time.Millisecond), f.back.Round(time.Millisecond))
	}
	if len(all) < 2 || all[0].cpuMean <= 0 {
		return
	}
	base := all[0]
	for _, f := range all[1:] {
		cpu, logN := f.cpuMean/base.cpuMean, math.Log(float64(f.n))/math.Log(float64(base.n))
		fmt.Printf("  per-node idle CPU from %d to %d nodes: x%.2f; log N: x%.2f; linear N: x%.2f; growth no faster than log N: %s\n",
			base.n, f.n, cpu, logN, float64(f.n)/float64(base.n), verdict(cpu <= logN))
	}
}
