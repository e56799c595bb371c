package main

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The replenish part (issue 30): replenishmentPlan on one node holding
// replenishProducts products in each of replenishWarehouses warehouses,
// with replenishSales sales in the window, target: p99 under
// replenishTarget.
const (
	replenishProducts   = 10_000
	replenishWarehouses = 24
	replenishSales      = 1_000_000
	replenishTarget     = 250 * time.Millisecond
)

// replenishBench runs the replenish part. Building 240,000 products and a
// million sales through 24 nodes' APIs would take hours, so the node's
// database is seeded directly while it is stopped: the 23 other
// warehouses as members, every warehouse's products (about one in ten at
// or below its reorder point, half of them with a maximum), and the hourly
// rollup rows of a million sales of 1 to 3 units over the last 30 days,
// from which the node fills its sales window when it starts again (a
// plan reads that window; the ledger's rows themselves are not read by
// it, and are not seeded). Then one client asks the whole
// plan (every warehouse, every sku) for o.duration, with the CPU profile
// to o.profile.
func replenishBench(o options) error {
	fmt.Printf("\nreplenish: replenishmentPlan over %d products × %d warehouses, %d sales in the window, 1 client for %v\n",
		replenishProducts, replenishWarehouses, replenishSales, o.duration)
	dir, err := os.MkdirTemp("", "stockmesh-bench-replenish-")
	if err != nil {
		return err
	}
	n, err := startNodeIn(o, dir, "--id", "RP-00")
	if err != nil {
		return err
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	_ = n.cmd.Wait()
	seeded := time.Now()
	if err := seedReplenish(dir); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Printf("  seeded in %v\n", time.Since(seeded).Round(time.Second))
	_ = os.Remove(filepath.Join(dir, "node.addr")) // the stopped node's: wait for the new one's
	extra := []string{"--id", "RP-00"}
	if o.profile != "" {
		extra = append(extra, "--pprof", pprofAddr)
	}
	if n, err = startNodeIn(o, dir, extra...); err != nil {
		return err
	}
	defer n.stop()
	tc, err := clientTLS(n.dir)
	if err != nil {
		return err
	}
	cs := clients(options{clients: 1, http2: o.http2}, tc)
	body := []byte(`{"query":"{ replenishmentPlan { sku from { id } to { id } quantity } }"}`)
	start := time.Now()
	out, ok := post(cs[0], n.graphql(), n.token, body)
	if !ok {
		fmt.Printf("  the first plan, cold, failed after %v: %.200s\n", time.Since(start).Round(time.Millisecond), out)
	} else {
		fmt.Printf("  the first plan, cold: %v, %d suggestions, %d KiB of JSON\n", time.Since(start).Round(time.Millisecond),
			strings.Count(string(out), `"quantity"`), len(out)/1024)
	}
	if o.profile != "" {
		go profileTo(pprofAddr, max(time.Second, o.duration-2*time.Second), o.profile)
	}
	r := load(1, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], n.graphql(), n.token, body)
		return ok
	})
	fmt.Println(r.line("  replenishmentPlan, whole network"), " load", loadAverage())
	one := []byte(`{"query":"{ replenishmentPlan(warehouse: \"RP-00\") { sku from { id } quantity } }"}`)
	r1 := load(1, o.duration/2, func(c, i int) bool {
		_, ok := post(cs[c], n.graphql(), n.token, one)
		return ok
	})
	fmt.Println(r1.line("  replenishmentPlan(warehouse)"), " load", loadAverage())
	fmt.Printf("replenish target (p99 < %v, whole network): %s\n\n", replenishTarget, metOrNot(r.p(99) < replenishTarget && r.ops > 0))
	return nil
}

// seedReplenish writes the replenish part's warehouses, products and
// sales into the stopped node's database in dir.
func seedReplenish(dir string) error {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "stockmesh.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_busy_timeout=5000")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	rng := rand.New(rand.NewPCG(30, 30))
	ids := make([]string, replenishWarehouses)
	for w := range ids {
		ids[w] = fmt.Sprintf("RP-%02d", w)
		if w == 0 {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO warehouses (id, name, local, created_at, keys_seq, url, epoch, holds_ca)
			VALUES (?, ?, false, ?, 0, ?, 'bench', false)`, ids[w], "Warehouse "+ids[w], now, "https://"+ids[w]+".invalid"); err != nil {
			return err
		}
	}
	prod, err := tx.Prepare(`INSERT INTO products (warehouse_id, sku, name, description, price, quantity, reorder_point, max_stock,
		seq, created_at, updated_at) VALUES (?, ?, ?, '', 10000, ?, 20, ?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	for w, id := range ids {
		for p := range replenishProducts {
			qty := 21 + rng.IntN(300)
			if rng.IntN(10) == 0 {
				qty = rng.IntN(21) // at or below the reorder point
			}
			maxStock := 0
			if p%2 == 0 {
				maxStock = 200
			}
			if _, err := prod.Exec(id, fmt.Sprintf("SKU-%05d", p), fmt.Sprintf("Product %d", p), qty, maxStock, w*replenishProducts+p+1, now, now); err != nil {
				return err
			}
		}
	}
	roll, err := tx.Prepare(`INSERT INTO movement_rollup (sku, hour, warehouse_id, kind, units_in, units_out, count, value)
		VALUES (?, ?, ?, 'SALE', 0, ?, 1, ?) ON CONFLICT DO UPDATE SET units_out = units_out + excluded.units_out,
		count = count + 1, value = value + excluded.value`)
	if err != nil {
		return err
	}
	hour := now.Unix() / 3600
	for range replenishSales {
		units := 1 + rng.IntN(3)
		if _, err := roll.Exec(fmt.Sprintf("SKU-%05d", rng.IntN(replenishProducts)), hour-int64(rng.IntN(30*24)),
			ids[rng.IntN(len(ids))], units, units*10000); err != nil {
			return err
		}
	}
	// The node made its sales window (sales_window, the running sums a
	// plan reads) empty when it first started, before these sales: drop
	// it, so that the node fills it again from the rollup when it starts.
	if _, err := tx.Exec(`DELETE FROM sales_window; DELETE FROM sales_window_from`); err != nil {
		return err
	}
	return tx.Commit()
}
