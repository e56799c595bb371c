package main

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// The parts of issue 29. fefo: plain sales (products without lots), then
// FEFO sales (no lot named) of products holding lotsPerProduct lots with
// distinct expiries: each such sale reads and orders the product's lots
// and takes its unit from the soonest, writing the lot's line and the
// movement's detail; target: at least fefoRatioTarget of the plain rate.
// expiring: expiringLots over expiringLotsN lots with expiries spread over
// two years, asked for the next expiringWindow days by 4 clients; target:
// p99 under expiringTarget. With -cpuprofile, the node is profiled during
// each load, to that file with the suffix .plain, .fefo or .expiring.
const (
	lotsPerProduct  = 5
	fefoRatioTarget = 0.8
	expiringLotsN   = 100_000
	expiringSKUs    = 1_000
	expiringWindow  = 7
	expiringTarget  = 20 * time.Millisecond
)

// fefoBench runs the fefo part and prints its report.
func fefoBench(o options) error {
	fmt.Printf("\nfefo: %d clients for %v each: plain SALEs, then FEFO SALEs of products holding %d lots\n",
		o.clients, o.duration, lotsPerProduct)
	n, err := startMember(o, "", "FE-A", pprofFlag(o)...)
	if err != nil {
		return err
	}
	defer n.stop()
	cs := clients(o, n.tls)
	for i := range o.skus {
		if err := n.query(fmt.Sprintf(`mutation { createProduct(input: {sku: "B-%d", name: "Plain %d", price: "1.00", initialQuantity: %d}) { sku } }`,
			i, i, transferSeed), &struct{}{}); err != nil {
			return err
		}
		if err := n.query(fmt.Sprintf(`mutation { createProduct(input: {sku: "F-%d", name: "Lots %d", price: "1.00"}) { sku } }`, i, i), &struct{}{}); err != nil {
			return err
		}
		for l := range lotsPerProduct {
			body := fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"F-%d","kind":"PURCHASE","quantity":%d,"lot":{"code":"L%d","expiresOn":"2099-01-%02d"}}}}`,
				movementQuery, i, transferSeed/lotsPerProduct, l, l+1)
			if _, ok := post(cs[0], n.graphql(), n.token, body); !ok {
				return fmt.Errorf("stocking F-%d failed; see %s", i, n.log)
			}
		}
	}
	profiled := profilePart(o, ".plain")
	plain := load(o.clients, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], n.graphql(), n.token, fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-%d","kind":"SALE","quantity":1,"idempotencyKey":"p%d-%d"}}}`,
			movementQuery, (c+i)%o.skus, c, i))
		return ok
	})
	<-profiled
	profiled = profilePart(o, ".fefo")
	fefo := load(o.clients, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], n.graphql(), n.token, fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"F-%d","kind":"SALE","quantity":1,"idempotencyKey":"f%d-%d"}}}`,
			movementQuery, (c+i)%o.skus, c, i))
		return ok
	})
	<-profiled
	fmt.Println(plain.line("  recordMovement SALE, no lots"))
	fmt.Println(fefo.line(fmt.Sprintf("  recordMovement SALE, FEFO over %d lots", lotsPerProduct)))
	ratio := fefo.rate() / plain.rate()
	fmt.Printf("  FEFO/plain: %.2fx\n", ratio)
	fmt.Printf("fefo target (>= %.1fx plain): %s\n\n", fefoRatioTarget, metOrNot(ratio >= fefoRatioTarget && fefo.ops > 0))
	return nil
}

// expiringBench runs the expiring part and prints its report.
func expiringBench(o options) error {
	fmt.Printf("\nexpiring: expiringLots(withinDays: %d) over %d lots of %d products, 4 clients for %v\n",
		expiringWindow, expiringLotsN, expiringSKUs, o.duration)
	n, err := startMember(o, "", "EX-A", pprofFlag(o)...)
	if err != nil {
		return err
	}
	defer n.stop()
	var csv strings.Builder
	csv.WriteString("sku,name,description,price,quantity,reorderPoint\n")
	for i := range expiringSKUs {
		fmt.Fprintf(&csv, "E-%04d,Item %d,,1.50,0,0\n", i, i)
	}
	if err := n.send("POST", "/api/v1/products/import", csv.String()); err != nil {
		return fmt.Errorf("importing the products: %w", err)
	}
	// 100,000 purchases into lots, 50 to a request (aliased mutations),
	// expiries spread over the next two years.
	t0 := time.Now()
	cs := clients(options{clients: 8, http2: o.http2}, n.tls)
	today := time.Now()
	var seedErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for start := c * 50; start < expiringLotsN; start += 8 * 50 {
				var b strings.Builder
				b.WriteString("mutation {")
				for k := start; k < start+50 && k < expiringLotsN; k++ {
					day := today.AddDate(0, 0, 1+k%730).Format("2006-01-02")
					fmt.Fprintf(&b, ` m%d: recordMovement(input: {sku: "E-%04d", kind: PURCHASE, quantity: 3, lot: {code: "L%d", expiresOn: "%s"}}) { seq: balance }`,
						k, k%expiringSKUs, k, day)
				}
				b.WriteString(" }")
				body := fmt.Appendf(nil, `{"query":%q}`, b.String())
				if out, ok := post(cs[c], n.graphql(), n.token, body); !ok {
					mu.Lock()
					seedErr = fmt.Errorf("seeding lots: %.300s", out)
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	if seedErr != nil {
		return seedErr
	}
	fmt.Printf("  seeded %d lots in %v\n", expiringLotsN, time.Since(t0).Round(time.Second))
	var first struct{ ExpiringLots []struct{ Code string } }
	if err := n.query(fmt.Sprintf(`{ expiringLots(withinDays: %d) { code } }`, expiringWindow), &first); err != nil {
		return err
	}
	body := fmt.Appendf(nil, `{"query":"{ expiringLots(withinDays: %d) { warehouse { id } sku code expiresOn quantity } }"}`, expiringWindow)
	profiled := profilePart(o, ".expiring")
	r := load(4, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], n.graphql(), n.token, body)
		return ok
	})
	<-profiled
	fmt.Println(r.line(fmt.Sprintf("  expiringLots(withinDays: %d), %d lots in the window", expiringWindow, len(first.ExpiringLots))))
	fmt.Printf("expiring target (p99 < %v): %s\n\n", expiringTarget, metOrNot(r.p(99) < expiringTarget && r.ops > 0))
	return nil
}
