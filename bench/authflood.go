package main

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
)

// floodClients is how many connections send made-up bearer tokens in the
// authflood part, all from 127.0.0.1, as the attack on issue 17 did.
const floodClients = 32

// authFloodBench measures a writer recording movements alone and then
// beside a flood of requests with made-up bearer tokens from one address,
// and what the node answered the flood: an unknown token must cost no
// database job, and the address is slowed down (429 beyond its tries).
func authFloodBench(o options) error {
	n, tc, err := startLoadNode(o)
	if err != nil {
		return err
	}
	defer n.stop()
	writers := clients(options{clients: 8, http2: o.http2}, tc)
	if err := n.seedProducts(writers[0], o.skus); err != nil {
		return err
	}
	url := n.graphql()
	write := func(c, i int) bool {
		_, ok := post(writers[c], url, n.token, movementBody(o, c, i+1<<20))
		return ok
	}
	alone := load(len(writers), o.duration, write)
	fmt.Println(alone.line("authflood: writer alone, 8 clients"))

	var stop atomic.Bool
	var sent atomic.Int64
	var codes sync.Map
	flooders := clients(options{clients: floodClients, http2: o.http2}, tc)
	var wg sync.WaitGroup
	for f, c := range flooders {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				req, _ := http.NewRequest(http.MethodPost, url, nil)
				req.Header.Set("Authorization", fmt.Sprintf("Bearer smk_%021d%022d", f, i))
				resp, err := c.Do(req)
				sent.Add(1)
				if err != nil {
					continue
				}
				resp.Body.Close()
				v, _ := codes.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		})
	}
	flooded := load(len(writers), o.duration, func(c, i int) bool { return write(c, i+1<<21) })
	stop.Store(true)
	wg.Wait()
	fmt.Println(flooded.line("authflood: writer beside the flood"))
	fmt.Printf("  flood: %d requests (%.0f/s) from %d connections:", sent.Load(), float64(sent.Load())/flooded.took.Seconds(), floodClients)
	codes.Range(func(k, v any) bool { fmt.Printf(" %d×%d", v.(*atomic.Int64).Load(), k); return true })
	fmt.Println()
	if m, err := n.metrics(writers[0]); err == nil {
		fmt.Printf("  node: %.0f lookup jobs in all; auth failures refused %.0f, delayed %.0f, throttled %.0f\n",
			m[`stockmesh_job_wait_seconds_count{class="lookup"}`], m[`stockmesh_auth_failures_total{result="refused"}`],
			m[`stockmesh_auth_failures_total{result="delayed"}`], m[`stockmesh_auth_failures_total{result="throttled"}`])
	}
	fmt.Printf("  writer beside the flood: %.0f%% of its rate alone\n\n", 100*flooded.rate()/alone.rate())
	return nil
}
