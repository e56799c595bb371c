// Command bench measures a stockmesh node (make bench): 64 concurrent
// clients send recordMovement over HTTPS GraphQL for 10 s, and the same
// run measures, for comparison, the same transactions directly on SQLite
// from one loop (one per movement at synchronous=FULL and NORMAL, and 64
// per transaction at FULL) and a bare Go HTTPS handler under the same load;
// then websocket subscribers under a steady writer beside a bare
// gorilla/websocket server fed the same way (the anchor), Python Pyro4
// clients against the node and against a Python lock-and-JSON server, and
// replication between nodes: a node catching up on 200,000 movements
// beside the same rows written directly to SQLite, and the delay until a
// movement recorded on one node is readable on two others; reports
// over a ledger of a million movements (history pages, movementReport
// beside a direct GROUP BY, stockAt, the CSV export), alone and beside a
// writer; a writer beside a flood of made-up bearer tokens; the hostile
// inputs of issue 17 with the node's peak memory during each; and
// transfers between two nodes beside the sender's recordMovement rate;
// reserveStock + fulfilReservation beside recordMovement, finalizing a
// stocktake of 10,000 lines, and availability with 24 warehouses held
// (issue 28); replenishmentPlan over 10,000 products × 24 warehouses held
// with a million sales in the window (issue 30, the database seeded
// directly);
// an import of 100,000 products beside a writer (the longest write's wait,
// the node's peak RSS);
// networks of 6 to 48 nodes (scale), and the membership protocol simulated
// for up to 5,000 members (gossipsim); the dashboard in headless Chromium
// with 5,000 products × 3 warehouses (issue 31).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"
)

// options are the bench's flags.
type options struct {
	duration time.Duration
	clients  int
	skus     int
	node     string
	profile  string
	http2    bool
	parts    string
	subs     int  // websocket subscribers in the subscribers part; 0: the cases
	rate     int  // the subscribers part's writer, movements/s; 0: the cases
	filtered bool // each subscriber filters its own sku (with -subs or -rate)
	// scaleSizes are the network sizes of the scale part, comma-separated;
	// scaleSeed chooses its joins and kill (0: from the clock).
	scaleSizes string
	scaleSeed  int64
}

// runs reports whether the bench should run part.
func (o options) runs(part string) bool { return strings.Contains(","+o.parts+",", ","+part+",") }

// main parses the flags and runs the bench.
func main() {
	var o options
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long each load runs")
	flag.IntVar(&o.clients, "clients", 64, "concurrent clients")
	flag.IntVar(&o.skus, "skus", 16, "products the movements spread over")
	flag.StringVar(&o.node, "node", "bin/stockmeshd", "stockmeshd binary to start")
	flag.StringVar(&o.profile, "cpuprofile", "", "write a CPU profile of the node under load to this file (the scale part: of every node, to this file.ID)")
	flag.BoolVar(&o.http2, "http2", false, "clients speak HTTP/2 instead of HTTP/1.1 with keep-alive")
	flag.StringVar(&o.parts, "parts", "http,baselines,subscribers,pyro,pyrocpu,network,reports,saturated,authflood,joinflood,joinflood-new,joinflood-idle,joinflood-new-idle,joinflood-decoy,attacks,transfers,reservations,stocktake,availability,replenish,import,signing,scale,gossipsim,fefo,expiring,dashboard", "comma-separated parts to run")
	flag.IntVar(&o.subs, "subs", 0, "websocket subscribers in the subscribers part (default: the issue's three cases)")
	flag.IntVar(&o.rate, "rate", 0, "movements/s the subscribers part's writer records (default: the issue's three cases)")
	flag.BoolVar(&o.filtered, "filtered", false, "with -subs or -rate: each subscriber filters its own sku (groups of one)")
	flag.StringVar(&o.scaleSizes, "scale-sizes", "6,12,24,48", "network sizes of the scale part")
	flag.Int64Var(&o.scaleSeed, "scale-seed", 0, "seed of the scale part's joins and kill (default: from the clock; printed)")
	// The bench's internal modes: it starts itself in one of them as a
	// separate process, passing it a folder.
	modes := []struct {
		flag *string
		run  func(dir string) error
	}{
		{flag.String("anchor-serve", "", "internal: serve as the subscribers part's anchor with the certificate in this folder"), anchorServe},
		{flag.String("csv-read", "", "internal: read the URL in $BENCH_URL with the bearer $BENCH_TOKEN, trusting this node folder's CA, and print its lines"), csvReadServe},
		{flag.String("join-flood", "", "internal: send bad joins to $BENCH_URL from $BENCH_CONNS connections, trusting this node folder's CA, until stdin ends"), joinFloodServe},
		{flag.String("write", "", "internal: record movements at the reports part's writer rate through $BENCH_URL with the bearer $BENCH_TOKEN, trusting this node folder's CA, until stdin ends"), writeServe},
	}
	selfProfile := flag.String("selfprofile", "", "write a CPU profile of the bench process itself to this file")
	flag.Parse()
	for _, m := range modes {
		if *m.flag == "" {
			continue
		}
		if err := m.run(*m.flag); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		return
	}
	if *selfProfile != "" {
		f, err := os.Create(*selfProfile)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run prints the header and runs the parts o selects, in order.
func run(o options) error {
	host, _ := os.Hostname()
	fmt.Printf("stockmesh bench: %d clients, %v per load, %d CPUs (%s/%s), host %s\n\n",
		o.clients, o.duration, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, host)
	parts := []struct {
		name string
		run  func(options) error
	}{{"http", httpBench}, {"subscribers", subscribersBench}, {"pyro", pyroBench}, {"pyrocpu", pyroCPUBench}, {"network", networkBench}, {"reports", reportsBench}, {"authflood", authFloodBench}, {"joinflood", joinFloodBench}, {"joinflood-new", newConnFloodBench}, {"joinflood-idle", idleFloodBench}, {"joinflood-new-idle", idleNewConnFloodBench}, {"joinflood-decoy", decoyFloodBench}, {"attacks", attacksBench},
		{"transfers", transfersBench}, {"reservations", reservationsBench}, {"stocktake", stocktakeBench}, {"availability", availabilityBench}, {"replenish", replenishBench}, {"import", importBench}, {"saturated", saturatedBench}, {"signing", signingBench}, {"scale", scaleBench}, {"gossipsim", gossipSimBench},
		{"fefo", fefoBench}, {"expiring", expiringBench}, {"dashboard", dashboardBench}}
	for _, p := range parts {
		if o.runs(p.name) {
			if err := p.run(o); err != nil {
				return fmt.Errorf("%s: %w", p.name, err)
			}
		}
	}
	return nil
}

// httpBench measures recordMovement over HTTPS GraphQL and, with the
// baselines part, compares it with direct SQLite and a bare HTTPS handler.
func httpBench(o options) error {
	node, err := nodeLoad(o)
	if err != nil || !o.runs("baselines") {
		return err
	}
	bare, err := bareHTTPS(o)
	if err != nil {
		return err
	}
	full, err := directSQLite(o, "FULL", 1)
	if err != nil {
		return err
	}
	normal, err := directSQLite(o, "NORMAL", 1)
	if err != nil {
		return err
	}
	if _, err := directSQLite(o, "FULL", 64); err != nil {
		return err
	}
	fmt.Println()
	fmt.Printf("node recordMovement over HTTPS GraphQL (FULL): %8.0f movements/s  p50 %v  p99 %v  errors %d\n",
		node.rate(), node.p(50), node.p(99), node.errors)
	fmt.Printf("  vs direct SQLite, 1 tx/movement, FULL:      %8.0f/s  ratio %.2fx\n", full.rate(), node.rate()/full.rate())
	fmt.Printf("  vs direct SQLite, 1 tx/movement, NORMAL:    %8.0f/s  ratio %.2fx\n", normal.rate(), node.rate()/normal.rate())
	fmt.Printf("  vs bare Go HTTPS handler:                   %8.0f req/s  (node reaches %.0f%% of it)\n", bare.rate(), 100*node.rate()/bare.rate())
	verdict := "MET"
	if node.rate() < normal.rate() || node.p(99) >= 50*time.Millisecond {
		verdict = "NOT MET"
	}
	fmt.Printf("target (>= 1.0x direct NORMAL, p99 < 50ms): %s\n\n", verdict)
	return nil
}
