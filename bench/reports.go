package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
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
	csvTook                     time.Duration
	rssGrowth                   int64 // bytes
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
	n, err := startMember(o, dir, "REP-1")
	if err != nil {
		return err
	}
	defer n.stop()
	alone, err := measureReports(n)
	if err != nil {
		return err
	}
	printReports("alone", alone)
	fmt.Printf("  direct SQLite GROUP BY warehouse, month over the ledger: %v (%d rows)\n", direct.Round(time.Microsecond), rows)
	quiet := runWriter(n, 5*time.Second, nil)
	stop := make(chan struct{})
	busy := make(chan result, 1)
	go func() { busy <- runWriter(n, 0, stop) }()
	loaded, err := measureReports(n)
	close(stop)
	w := <-busy
	if err != nil {
		return err
	}
	printReports(fmt.Sprintf("beside a writer at %d movements/s", reportWriterRate), loaded)
	growth := 100 * (float64(w.p(99))/float64(quiet.p(99)) - 1)
	fmt.Printf("  writer p99 alone %v, beside the reports %v (%+.0f%%; target <= +20%%: %s); %d movements, %d errors\n\n",
		quiet.p(99), w.p(99), growth, verdict(growth <= 20), w.ops, w.errors)
	return nil
}

// verdict returns MET or NOT MET.
func verdict(ok bool) string {
	if ok {
		return "MET"
	}
	return "NOT MET"
}

// printReports prints one round's figures against the targets.
func printReports(name string, f reportFigures) {
	rate := float64(f.csvRows) / f.csvTook.Seconds()
	fmt.Printf("reports, %s:\n", name)
	fmt.Printf("  history, first page   p50 %v  p99 %v  (target p99 < 10ms: %s)\n", f.firstPage.p(50), f.firstPage.p(99), verdict(f.firstPage.p(99) < 10*time.Millisecond))
	fmt.Printf("  history, 100th page   p50 %v  p99 %v  (target p99 < 10ms: %s)\n", f.page100.p(50), f.page100.p(99), verdict(f.page100.p(99) < 10*time.Millisecond))
	fmt.Printf("  movementReport [WAREHOUSE, MONTH] p50 %v  max %v  (target < 50ms: %s)\n", f.report.p(50), f.report.p(100), verdict(f.report.p(100) < 50*time.Millisecond))
	fmt.Printf("  stockAt               p50 %v  p99 %v  (target p99 < 5ms: %s)\n", f.stockAt.p(50), f.stockAt.p(99), verdict(f.stockAt.p(99) < 5*time.Millisecond))
	fmt.Printf("  movements.csv         %d rows in %v: %.0f rows/s, node RSS +%.1f MB  (target >= 200000 rows/s, < 50 MB: %s)\n",
		f.csvRows, f.csvTook.Round(time.Millisecond), rate, float64(f.rssGrowth)/1e6, verdict(rate >= 200_000 && f.rssGrowth < 50e6))
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
	return recordLocal(st, r, "REP-1", reportMovements-2*per)
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

// measureReports runs one round of the measurements on n.
func measureReports(n *subNode) (reportFigures, error) {
	var f reportFigures
	var err error
	page := func(after any) (string, error) {
		d, err := n.gql(historyQuery, map[string]any{"after": after})
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
	report := `{ movementReport(groupBy: [WAREHOUSE, MONTH]) { keys count } }`
	if f.report, err = timed(20, func(int) error { _, err := n.gql(report, nil); return err }); err != nil {
		return f, err
	}
	r := rand.New(rand.NewPCG(5, 5))
	year := time.Now().AddDate(-1, 0, 0)
	if f.stockAt, err = timed(reportSamples*2, func(int) error {
		at := year.Add(time.Duration(r.Int64N(int64(time.Since(year))))).UTC().Format(time.RFC3339Nano)
		_, err := n.gql(`query($s: ID!, $at: Time!, $w: ID) { stockAt(sku: $s, at: $at, warehouse: $w) }`,
			map[string]any{"s": sku(r.IntN(reportSKUs)), "at": at, "w": []string{"REP-1", "REP-2", "REP-3"}[r.IntN(3)]})
		return err
	}); err != nil {
		return f, err
	}
	f.csvRows, f.csvTook, f.rssGrowth, err = exportCSV(n)
	return f, err
}

// exportCSV reads the whole movements.csv, counting its rows, while
// sampling the node's resident memory.
func exportCSV(n *subNode) (int, time.Duration, int64, error) {
	before := rss(n.pid())
	peak := before
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				peak = max(peak, rss(n.pid()))
			}
		}
	})
	t0 := time.Now()
	req, _ := http.NewRequest(http.MethodGet, n.base+"/api/v1/reports/movements.csv", nil)
	req.Header.Set("Authorization", "Bearer "+n.token)
	c := &http.Client{Transport: n.client.Transport}
	resp, err := c.Do(req)
	rows := 0
	if err == nil {
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			rows++
		}
		err = sc.Err()
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("movements.csv: %s", resp.Status)
		}
	}
	took := time.Since(t0)
	close(done)
	wg.Wait()
	return rows - 1, took, peak - before, err
}

// rss returns a process's resident memory in bytes.
func rss(pid int) int64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := strings.CutPrefix(string(line), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// runWriter records reportWriterRate movements/s on the local warehouse
// for d, or until stop closes, and returns their latencies.
func runWriter(n *subNode, d time.Duration, stop <-chan struct{}) result {
	var mu sync.Mutex
	var res result
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Second / reportWriterRate)
	defer tick.Stop()
	end := time.After(d)
	if d == 0 {
		end = nil
	}
	sem := make(chan struct{}, 64)
	t0 := time.Now()
	for i := 0; ; i++ {
		select {
		case <-tick.C:
		case <-end:
			wg.Wait()
			res.took = time.Since(t0)
			slices.Sort(res.latencies)
			return res
		case <-stop:
			wg.Wait()
			res.took = time.Since(t0)
			slices.Sort(res.latencies)
			return res
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			body := fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"%s","kind":"PURCHASE","quantity":1}}}`, movementQuery, sku(i%reportSKUs))
			s := time.Now()
			_, ok := post(n.client, n.graphql(), n.token, body)
			lat := time.Since(s)
			mu.Lock()
			defer mu.Unlock()
			if !ok {
				res.errors++
				return
			}
			res.ops++
			res.latencies = append(res.latencies, lat)
		})
	}
}
