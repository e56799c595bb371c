package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// The reports part, from issue 14: a ledger of reportMovements movements
// over reportSKUs skus in three warehouses (the node's own, recorded now
// through the writer, and two replicas whose logs span a year, applied
// with log.apply as replication does), then the history, report, stockAt
// and CSV export figures, alone and beside a writer recording
// reportWriterRate movements/s.
const (
	reportMovements  = 1_000_000
	reportSKUs       = 1000
	reportWriterRate = 500
	reportSamples    = 200
)

// reportFigures is one round of the reports part's measurements.
type reportFigures struct {
	firstPage, page100, stockAt result
	report                      result
	csvRows                     int
	phases                      []phase // when each measurement ran
	csvTook                     time.Duration
	csvNodeCPU, csvReaderCPU    time.Duration // CPU the export took in the node and in its reader
	rssGrowth                   int64         // bytes
}

// phase is when one of measureReports' measurements ran, and the node
// CPU its requests took.
type phase struct {
	name       string
	start, end time.Time
	cpu        time.Duration // the node's, writes included when a writer ran
	requests   int
}

// stamped is one writer latency and when its request started.
type stamped struct {
	at  time.Time
	lat time.Duration
}

// reportsBench seeds the ledger, starts a node on it and measures.
func reportsBench(o options) error {
	dir, err := os.MkdirTemp("", "stockmesh-bench-reports-")
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := seedReports(dir); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Printf("reports: seeded %d movements over %d skus in 3 warehouses through the store in %v\n",
		reportMovements, reportSKUs, time.Since(t0).Round(time.Millisecond))
	direct, rows, err := directGroupBy(dir)
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	n, err := startMember(o, dir, "REP-1", pprofFlag(o)...)
	if err != nil {
		return err
	}
	defer n.stop()
	alone, err := measureReports(n, nil)
	if err != nil {
		return err
	}
	printReports("alone", alone, false)
	fmt.Printf("  direct SQLite GROUP BY warehouse, month over the ledger: %v (%d rows)\n", direct.Round(time.Microsecond), rows)
	// The commit times and the writes' queue waits, as histogram series of
	// the node's /metrics (a bucket's series ends le="BOUND"}).
	commit, wait := `stockmesh_commit_seconds_bucket{`, `stockmesh_job_wait_seconds_bucket{class="write",`
	snap := func() map[string]float64 { v, _ := n.metrics(n.client); return v }
	m0 := snap()
	cpu0 := cpuOf(n.pid())
	if o.profile != "" {
		go saveProfile("profile?seconds=4", o.profile+".writer")
	}
	quiet, _ := runWriter(n, 10*time.Second, nil)
	fmt.Printf("  writer alone: %d movements, p50 %v p99 %v, node CPU %v per movement\n",
		quiet.ops, quiet.p(50), quiet.p(99), (cpuOf(n.pid())-cpu0)/time.Duration(max(1, quiet.ops)))
	stop := make(chan struct{})
	type written struct {
		res     result
		samples []stamped
	}
	busy := make(chan written, 1)
	go func() { r, s := runWriter(n, 0, stop); busy <- written{r, s} }()
	m1 := snap()
	printHistDelta("commits alone", commit, m0, m1)
	printHistDelta("write waits alone", wait, m0, m1)
	var m2 map[string]float64
	traced := func() {
		m2 = snap()
		if o.profile != "" {
			go saveProfile("trace?seconds=3", o.profile+".trace")
			go saveProfile("profile?seconds=3", o.profile)
			go saveProfile("allocs?seconds=3", o.profile+".allocs")
		}
	}
	loaded, err := measureReports(n, traced)
	close(stop)
	w := <-busy
	if err != nil {
		return err
	}
	printReports(fmt.Sprintf("beside a writer at %d movements/s", reportWriterRate), loaded, true)
	m3 := snap()
	printHistDelta("commits during the export", commit, m2, m3)
	printHistDelta("write waits during the export", wait, m2, m3)
	if quiet.ops == 0 || w.res.ops == 0 {
		return fmt.Errorf("the writer recorded %d movements alone and %d beside the reports", quiet.ops, w.res.ops)
	}
	growth := 100 * (float64(w.res.p(99))/float64(quiet.p(99)) - 1)
	fmt.Printf("  writer p99 alone %v, beside the reports %v (%+.0f%%; target <= +20%%: %s); max %v and %v; %d movements, %d errors\n",
		quiet.p(99), w.res.p(99), growth, verdict(growth <= 20), quiet.p(100), w.res.p(100), w.res.ops, w.res.errors)
	for _, ph := range loaded.phases {
		var lats []time.Duration
		for _, s := range w.samples {
			if !s.at.Before(ph.start) && s.at.Before(ph.end) {
				lats = append(lats, s.lat)
			}
		}
		slices.Sort(lats)
		fmt.Printf("    writer during %-14s p50 %v  p99 %v  (%d movements)\n", ph.name, percentile(lats, 50), percentile(lats, 99), len(lats))
	}
	fmt.Println()
	return nil
}

// verdict returns MET or NOT MET.
func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// printReports prints one round's figures against the targets;
// yielding says the export ran beside writes, to which it yields (its
// rate then has no target).
func printReports(name string, f reportFigures, yielding bool) {
	rate := float64(f.csvRows) / f.csvTook.Seconds()
	fmt.Printf("reports, %s:\n", name)
	fmt.Printf("  history, first page   p50 %v  p99 %v  (target p99 < 10ms: %s)\n", f.firstPage.p(50), f.firstPage.p(99), verdict(f.firstPage.p(99) < 10*time.Millisecond))
	fmt.Printf("  history, 100th page   p50 %v  p99 %v  (target p99 < 10ms: %s)\n", f.page100.p(50), f.page100.p(99), verdict(f.page100.p(99) < 10*time.Millisecond))
	fmt.Printf("  movementReport [WAREHOUSE, MONTH] p50 %v  max %v  (target < 50ms: %s)\n", f.report.p(50), f.report.p(100), verdict(f.report.p(100) < 50*time.Millisecond))
	fmt.Printf("  stockAt               p50 %v  p99 %v  (target p99 < 5ms: %s)\n", f.stockAt.p(50), f.stockAt.p(99), verdict(f.stockAt.p(99) < 5*time.Millisecond))
	target := fmt.Sprintf("target >= 200000 rows/s, < 50 MB: %s", verdict(rate >= 200_000 && f.rssGrowth < 50e6))
	if yielding {
		target = fmt.Sprintf("yields to the writes; target < 50 MB: %s", verdict(f.rssGrowth < 50e6))
	}
	fmt.Printf("  movements.csv         %d rows in %v: %.0f rows/s, node RSS +%.1f MB  (%s)\n",
		f.csvRows, f.csvTook.Round(time.Millisecond), rate, float64(f.rssGrowth)/1e6, target)
	fmt.Printf("  movements.csv CPU     node %v, its reader %v (%.0f%% and %.0f%% of one CPU)\n", f.csvNodeCPU, f.csvReaderCPU.Round(time.Millisecond),
		100*f.csvNodeCPU.Seconds()/f.csvTook.Seconds(), 100*f.csvReaderCPU.Seconds()/f.csvTook.Seconds())
	if !yielding { // beside the writer, its CPU is in the phases' too
		fmt.Printf("  node CPU per request ")
		for _, ph := range f.phases[:len(f.phases)-1] {
			fmt.Printf(" %s %v", ph.name, (ph.cpu / time.Duration(ph.requests)).Round(time.Microsecond))
		}
		fmt.Println()
	}
}

// seedReports writes the ledger into dir through the store.
func seedReports(dir string) error {
	st, err := store.Open(dir, store.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(14, 14))
	per := reportMovements / 3
	for _, id := range []string{"REP-2", "REP-3"} {
		if err := applySynthetic(st, r, id, per); err != nil {
			return err
		}
	}
	if err := recordLocal(st, r, "REP-1", reportMovements-2*per); err != nil {
		return err
	}
	return resealAll(st)
}

// resealAll runs the store's background reseal pass to its end, as a node
// does after its first start, so that the measurements do not run beside
// it: a ledger written through the store alone has never been through one.
func resealAll(st *store.Store) error {
	for {
		var rep stock.ResealReport
		out := st.HandleWrites([][]byte{mustJob(stock.OpKeysReseal.Name, &stock.ResealRequest{Limit: stock.MaxResealBatch})})
		if err := stock.DecodeReply(out[0], &rep); err != nil {
			return fmt.Errorf("resealing: %w", err)
		}
		if rep.Done {
			return nil
		}
	}
}

// sku is the bench's i-th sku.
func sku(i int) string { return fmt.Sprintf("S-%04d", i) }

// writeAll runs jobs as one batch and checks every reply.
func writeAll(st *store.Store, jobs [][]byte) error {
	for _, rep := range st.HandleWrites(jobs) {
		if len(rep) == 0 || rep[0] != 'R' {
			return fmt.Errorf("seeding: %s", rep)
		}
	}
	return nil
}

// recordLocal creates the local warehouse's products and records
// movements of them through the writer, 1000 per batch.
func recordLocal(st *store.Store, r *rand.Rand, id string, movements int) error {
	jobs := [][]byte{mustJob(stock.OpWarehouseInit.Name, &stock.Warehouse{ID: id, Name: id})}
	for i := range reportSKUs {
		jobs = append(jobs, mustJob(stock.OpProductCreate.Name, &stock.CreateProductInput{
			SKU: sku(i), Name: "Bench " + sku(i), Price: stock.Price(1_0000 + r.IntN(500_0000)), InitialQuantity: 1000}))
	}
	for i := 0; i < movements; {
		for ; i < movements && len(jobs) < 1000; i++ {
			kind := []stock.Kind{stock.KindPurchase, stock.KindSale}[i%2]
			in := &stock.MovementInput{SKU: sku(r.IntN(reportSKUs)), Kind: kind, Quantity: 1}
			if i%20 == 0 {
				in.Reference = fmt.Sprintf("PO-%d", i/20)
			}
			b, _ := stock.EncodeJob(stock.JobMeta{Op: stock.OpMovementRecord.Name, Actor: []string{"ana", "luis", "eva"}[i%3]}, in)
			jobs = append(jobs, b)
		}
		if err := writeAll(st, jobs); err != nil {
			return err
		}
		jobs = jobs[:0]
	}
	return nil
}

// applySynthetic applies a year-long log of warehouse id (products, price
// changes and movements) with log.apply, 10,000 entries per run.
func applySynthetic(st *store.Store, r *rand.Rand, id string, movements int) error {
	start := time.Now().UTC().AddDate(-1, 0, 0).Truncate(time.Hour)
	step := time.Since(start) / time.Duration(movements+reportSKUs)
	at, seq := start, int64(0)
	qty := make([]int64, reportSKUs)
	var run []stock.LogEntry
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		err := writeAll(st, [][]byte{mustJob(stock.OpApplyChanges.Name, &stock.ChangeBatch{Entries: run})})
		run = run[:0]
		return err
	}
	for i := range reportSKUs {
		seq++
		run = append(run, stock.LogEntry{Origin: id, Seq: seq, At: at, Type: stock.EntryProductCreated,
			Product: &stock.Product{Warehouse: id, SKU: sku(i), Name: "Bench " + sku(i), Price: stock.Price(1_0000 + r.IntN(500_0000)), Seq: seq, CreatedAt: at, UpdatedAt: at}})
	}
	for i := range movements {
		at = at.Add(step).Truncate(time.Microsecond)
		s := r.IntN(reportSKUs)
		d := int64(1 + r.IntN(5))
		kind := stock.KindPurchase
		if qty[s] >= d && r.IntN(2) == 0 {
			kind, d = stock.KindSale, -d
		}
		qty[s] += d
		seq++
		m := &stock.Movement{ID: stock.MovementID(id, seq), Warehouse: id, Seq: seq, SKU: sku(s), Kind: kind, Quantity: d,
			Balance: qty[s], Actor: []string{"ana", "luis", "eva"}[i%3], CreatedAt: at}
		if i%20 == 0 {
			m.Reference = fmt.Sprintf("PO-%d", i/20)
		}
		run = append(run, stock.LogEntry{Origin: id, Seq: seq, At: at, Type: stock.EntryMovement, Movement: m})
		if len(run) == 10_000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// directGroupBy times the [WAREHOUSE, MONTH] totals computed by one GROUP
// BY straight on the ledger, best of three.
func directGroupBy(dir string) (time.Duration, int, error) {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, store.FileName)+"?mode=ro")
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	best, rows := time.Duration(1<<62), 0
	for range 3 {
		t0 := time.Now()
		rs, err := db.Query(`SELECT warehouse_id, substr(created_at, 1, 7) AS month, sum(max(quantity, 0)),
			sum(max(-quantity, 0)), count(*), sum(abs(quantity) * price) FROM movements GROUP BY warehouse_id, month`)
		if err != nil {
			return 0, 0, err
		}
		rows = 0
		for rs.Next() {
			rows++
		}
		rs.Close()
		best = min(best, time.Since(t0))
	}
	return best, rows, nil
}

// gql posts a GraphQL query with variables and returns the data.
func (n *subNode) gql(q string, vars map[string]any) (json.RawMessage, error) {
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	b, ok := post(n.client, n.graphql(), n.token, body)
	if !ok {
		return nil, fmt.Errorf("%s: %.300s", q, b)
	}
	var r struct{ Data json.RawMessage }
	err := json.Unmarshal(b, &r)
	return r.Data, err
}

// timed runs fn samples times and returns its latencies, sorted.
func timed(samples int, fn func(i int) error) (result, error) {
	var res result
	t0 := time.Now()
	for i := range samples {
		s := time.Now()
		if err := fn(i); err != nil {
			return res, err
		}
		res.latencies = append(res.latencies, time.Since(s))
		res.ops++
	}
	res.took = time.Since(t0)
	slices.Sort(res.latencies)
	return res, nil
}

const historyQuery = `query($after: String) { movements(filter: {warehouse: "REP-2", kinds: [SALE]}, first: 50, after: $after) {
	edges { node { id sku quantity balance createdAt } } pageInfo { endCursor } } }`

// measureReports runs one round of the measurements on n; exporting, when
// not nil, is called as the export starts.
func measureReports(n *subNode, exporting func()) (reportFigures, error) {
	var f reportFigures
	var err error
	t0, cpu0, asked := time.Now(), cpuOf(n.pid()), 0
	gql := func(q string, vars map[string]any) (json.RawMessage, error) { asked++; return n.gql(q, vars) }
	mark := func(name string) { // a phase ends: the requests asked since the last
		f.phases = append(f.phases, phase{name, t0, time.Now(), cpuOf(n.pid()) - cpu0, asked})
		t0, cpu0, asked = time.Now(), cpuOf(n.pid()), 0
	}
	page := func(after any) (string, error) {
		d, err := gql(historyQuery, map[string]any{"after": after})
		var out struct {
			Movements struct{ PageInfo struct{ EndCursor string } }
		}
		if err == nil {
			err = json.Unmarshal(d, &out)
		}
		return out.Movements.PageInfo.EndCursor, err
	}
	if f.firstPage, err = timed(reportSamples, func(int) error { _, err := page(nil); return err }); err != nil {
		return f, err
	}
	var cursor any
	for range 99 {
		c, err := page(cursor)
		if err != nil {
			return f, err
		}
		cursor = c
	}
	if f.page100, err = timed(reportSamples, func(int) error { _, err := page(cursor); return err }); err != nil {
		return f, err
	}
	mark("history pages")
	report := `{ movementReport(groupBy: [WAREHOUSE, MONTH]) { keys count } }`
	if f.report, err = timed(20, func(int) error { _, err := gql(report, nil); return err }); err != nil {
		return f, err
	}
	mark("movementReport")
	r := rand.New(rand.NewPCG(5, 5))
	year := time.Now().AddDate(-1, 0, 0)
	if f.stockAt, err = timed(reportSamples*2, func(int) error {
		at := year.Add(time.Duration(r.Int64N(int64(time.Since(year))))).UTC().Format(time.RFC3339Nano)
		_, err := gql(`query($s: ID!, $at: Time!, $w: ID) { stockAt(sku: $s, at: $at, warehouse: $w) }`,
			map[string]any{"s": sku(r.IntN(reportSKUs)), "at": at, "w": []string{"REP-1", "REP-2", "REP-3"}[r.IntN(3)]})
		return err
	}); err != nil {
		return f, err
	}
	mark("stockAt")
	if exporting != nil {
		exporting()
	}
	asked++
	f.csvRows, f.csvTook, f.rssGrowth, f.csvReaderCPU, err = exportCSV(n)
	mark("movements.csv")
	f.csvNodeCPU = f.phases[len(f.phases)-1].cpu
	return f, err
}

// exportCSV reads the whole movements.csv, counting its rows, while
// sampling the node's resident memory. The reading runs in a process of
// its own, as a spreadsheet user's download would: in the bench's process
// its busy loop would delay the bench's own writer and be counted against
// the node.
func exportCSV(n *subNode) (rows int, took time.Duration, growth int64, readerCPU time.Duration, err error) {
	before := rss(n.pid())
	var out []byte
	var t0 time.Time
	peak := watchRSS(n.pid(), 20*time.Millisecond, func() {
		t0 = time.Now()
		var cmd *exec.Cmd
		if cmd, err = child(n, "-csv-read", n.base+"/api/v1/reports/movements.csv"); err != nil {
			return
		}
		out, err = cmd.Output()
		if cmd.ProcessState != nil {
			readerCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		took = time.Since(t0)
	})
	growth = peak - before
	if err != nil {
		return 0, took, growth, readerCPU, fmt.Errorf("reading movements.csv: %w", err)
	}
	rows, err = strconv.Atoi(strings.TrimSpace(string(out)))
	return rows - 1, took, growth, readerCPU, err
}

// csvReadServe is the bench's -csv-read mode: it reads $BENCH_URL with the
// bearer $BENCH_TOKEN, trusting the CA of the node folder dir, and prints
// how many lines it read.
func csvReadServe(dir string) error {
	tc, err := clientTLS(dir)
	if err != nil {
		return err
	}
	req, err := http.NewRequest(http.MethodGet, os.Getenv("BENCH_URL"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+os.Getenv("BENCH_TOKEN"))
	resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: tc}}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", req.URL, resp.Status)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	rows := 0
	for sc.Scan() {
		rows++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Println(rows)
	return nil
}

// saveProfile saves the node's /debug/pprof/ path (with -cpuprofile) to file.
func saveProfile(path, file string) {
	resp, err := http.Get("http://" + pprofAddr + "/debug/pprof/" + path)
	if err == nil {
		defer resp.Body.Close()
		var b []byte
		if b, err = io.ReadAll(resp.Body); err == nil {
			err = os.WriteFile(file, b, 0o644)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: profiling:", err)
	}
}

// runWriter records reportWriterRate movements/s on the local warehouse
// for d, or until stop closes, and returns their latencies, sorted and
// as they came. The writing runs in a process of its own (the bench's
// -write mode), as the warehouse's terminals are apart from a manager's
// reports: in the bench's process, the report queries' decoding would
// delay the writer's goroutines and be counted against the node.
func runWriter(n *subNode, d time.Duration, stop <-chan struct{}) (result, []stamped) {
	var res result
	var in io.WriteCloser
	var out bytes.Buffer
	cmd, err := child(n, "-write", n.graphql())
	if err == nil {
		cmd.Stdout = &out
		in, err = cmd.StdinPipe()
	}
	if err == nil {
		err = cmd.Start()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: starting the writer:", err)
		res.errors++
		return res, nil
	}
	t0 := time.Now()
	var end <-chan time.Time
	if d > 0 {
		end = time.After(d)
	}
	select {
	case <-end:
	case <-stop:
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		fmt.Fprintln(os.Stderr, "bench: the writer:", err)
	}
	res.took = time.Since(t0)
	var samples []stamped
	for line := range strings.Lines(out.String()) {
		var at, lat int64
		if _, err := fmt.Sscan(line, &at, &lat); err != nil {
			res.errors++
			continue
		}
		res.ops++
		res.latencies = append(res.latencies, time.Duration(lat))
		samples = append(samples, stamped{time.Unix(0, at), time.Duration(lat)})
	}
	slices.Sort(res.latencies)
	return res, samples
}

// purchaseOne is the GraphQL request the reports' writers send: a
// purchase of one unit of sku.
func purchaseOne(sku string) []byte {
	return fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"%s","kind":"PURCHASE","quantity":1}}}`, movementQuery, sku)
}

// child returns the bench itself in the internal mode flag, on n's data
// folder, told to reach url with n's admin token (see main's modes).
func child(n *subNode, flag, url string) (*exec.Cmd, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, flag, n.dir)
	cmd.Env = append(os.Environ(), "BENCH_URL="+url, "BENCH_TOKEN="+n.token)
	cmd.Stderr = os.Stderr
	return cmd, nil
}

// writeServe is the bench's -write mode: it records reportWriterRate
// movements/s through the GraphQL endpoint $BENCH_URL with the bearer
// $BENCH_TOKEN, trusting the CA of the node folder dir (from the local
// address $BENCH_SOURCE when set), until its stdin ends, then prints one line per movement: when its request started and
// its latency, in nanoseconds, or "error".
func writeServe(dir string) error {
	tc, err := clientTLS(dir)
	if err != nil {
		return err
	}
	tr := &http.Transport{TLSClientConfig: tc, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: writerInFlight}
	if src := os.Getenv("BENCH_SOURCE"); src != "" { // another address than a flood's
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
		tr.DialContext = d.DialContext
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: tr}
	url, token := os.Getenv("BENCH_URL"), os.Getenv("BENCH_TOKEN")
	stop := make(chan struct{})
	go func() { io.Copy(io.Discard, os.Stdin); close(stop) }()
	var mu sync.Mutex
	var out []byte
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / reportWriterRate)
	defer tick.Stop()
	sem := make(chan struct{}, writerInFlight)
	for i := 0; ; i++ {
		select {
		case <-tick.C:
		case <-stop:
			wg.Wait()
			_, err := os.Stdout.Write(out)
			return err
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			body := purchaseOne(sku(i % reportSKUs))
			s := time.Now()
			_, ok := post(client, url, token, body)
			lat := time.Since(s)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				out = append(out, "error\n"...)
				return
			}
			out = fmt.Appendf(out, "%d %d\n", s.UnixNano(), lat.Nanoseconds())
		})
	}
}

// printHistDelta prints how many observations of the histogram whose
// bucket series begin with series fell, between the /metrics snapshots a
// and b, above each bucket bound.
func printHistDelta(name, series string, a, b map[string]float64) {
	count := func(le string) float64 { k := series + `le="` + le + `"}`; return b[k] - a[k] }
	total := count("+Inf")
	fmt.Printf("    %s: %.0f", name, total)
	for _, le := range []string{"0.001", "0.0025", "0.005", "0.01", "0.025"} {
		secs, _ := strconv.ParseFloat(le, 64)
		fmt.Printf("  >%gms %.0f", secs*1000, total-count(le))
	}
	fmt.Println()
}
