package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
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
	return floodBench(o, "authflood", func(n *benchNode, f, i int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, n.graphql(), nil)
		req.Header.Set("Authorization", fmt.Sprintf("Bearer smk_%021d%022d", f, i))
		return req
	}, func(m map[string]float64) {
		fmt.Printf("  node: %.0f lookup jobs in all; auth failures refused %.0f, delayed %.0f, throttled %.0f\n",
			m[`stockmesh_job_wait_seconds_count{class="lookup"}`], m[`stockmesh_auth_failures_total{result="refused"}`],
			m[`stockmesh_auth_failures_total{result="delayed"}`], m[`stockmesh_auth_failures_total{result="throttled"}`])
	})
}

// joinFloodBench is authFloodBench with join requests carrying made-up
// tokens to /api/v1/join, the public route of the network (the trust
// issue: 10,000 bad joins a second from one address must not move a
// writer's p99 by more than 20%).
func joinFloodBench(o options) error {
	return floodBench(o, "joinflood", func(n *benchNode, f, i int) *http.Request {
		body := fmt.Sprintf(`{"token":"SMJ1.bad%d-%d","id":"X-%d","url":"https://127.0.0.1:1","csr":""}`, f, i, i)
		req, _ := http.NewRequest(http.MethodPost, n.base+"/api/v1/join", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		return req
	}, func(m map[string]float64) {
		fmt.Printf("  node: %.0f write jobs and %.0f lookup jobs in all\n",
			m[`stockmesh_job_wait_seconds_count{class="write"}`], m[`stockmesh_job_wait_seconds_count{class="lookup"}`])
	})
}

// floodWriterRate is the rate of the writer the flood parts measure.
const floodWriterRate = 500

// floodBench measures a writer recording floodWriterRate movements/s alone
// and then beside a flood of requests newReq makes, sent from floodClients
// connections from one address, and prints the flood's answers and what
// metrics says of the node's work.
func floodBench(o options, name string, newReq func(n *benchNode, f, i int) *http.Request, metrics func(map[string]float64)) error {
	n, tc, err := startLoadNode(o)
	if err != nil {
		return err
	}
	defer n.stop()
	writers := clients(options{clients: 16, http2: o.http2}, tc)
	if err := n.seedProducts(writers[0], o.skus); err != nil {
		return err
	}
	url := n.graphql()
	write := func(i int) bool {
		_, ok := post(writers[i%len(writers)], url, n.token, movementBody(o, i%len(writers), i+1<<20))
		return ok
	}
	alone := paced(floodWriterRate, len(writers), o.duration, write)
	fmt.Println(alone.line(fmt.Sprintf("%s: writer alone, %d/s", name, floodWriterRate)))

	var stop atomic.Bool
	var sent atomic.Int64
	var codes sync.Map
	flooders := clients(options{clients: floodClients, http2: o.http2}, tc)
	var wg sync.WaitGroup
	for f, c := range flooders {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				resp, err := c.Do(newReq(n, f, i))
				sent.Add(1)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body) // read whole, the connection is reused
				resp.Body.Close()
				v, _ := codes.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		})
	}
	flooded := paced(floodWriterRate, len(writers), o.duration, func(i int) bool { return write(i + 1<<21) })
	stop.Store(true)
	wg.Wait()
	fmt.Println(flooded.line(name + ": writer beside the flood"))
	fmt.Printf("  flood: %d requests (%.0f/s) from %d connections:", sent.Load(), float64(sent.Load())/flooded.took.Seconds(), floodClients)
	codes.Range(func(k, v any) bool { fmt.Printf(" %d×%d", v.(*atomic.Int64).Load(), k); return true })
	fmt.Println()
	if m, err := n.metrics(writers[0]); err == nil {
		metrics(m)
	}
	fmt.Printf("  writer beside the flood: %.0f%% of its rate alone, p99 %v → %v (%+.0f%%; target +20%%: %s)\n\n",
		100*flooded.rate()/alone.rate(), alone.p(99), flooded.p(99), 100*(float64(flooded.p(99))/float64(alone.p(99))-1),
		verdict(flooded.p(99) <= alone.p(99)*6/5))
	return nil
}
