package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// floodClients is how many connections send made-up bearer tokens in the
// authflood part, all from 127.0.0.1, as the attack on issue 17 did.
const floodClients = 32

// joinFloodClients is how many connections the joinflood part opens from
// 127.0.0.1: more than the node holds refusals for (auth.MaxHeld) and more
// than it lets one address keep open (node.DefaultMaxConnsPerAddress).
// Without the latter, such a flood sent over 10,000 bad joins a second
// from one address.
const joinFloodClients = 1100

// authFloodBench measures a writer recording movements alone and then
// beside a flood of requests with made-up bearer tokens from one address,
// and what the node answered the flood: an unknown token must cost no
// database job, and the address is slowed down (429 beyond its tries).
func authFloodBench(o options) error {
	badToken := func(base string, f, i int) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, base+"/graphql", nil)
		req.Header.Set("Authorization", fmt.Sprintf("Bearer smk_%021d%022d", f, i))
		return req
	}
	return floodBench(o, "authflood", func(n *benchNode, tc *tls.Config) flooder {
		return &requestFlood{base: n.base, conns: floodClients, tc: tc, newReq: badToken}
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
	return floodBench(o, "joinflood", func(n *benchNode, tc *tls.Config) flooder {
		return &requestFlood{base: n.base, conns: joinFloodClients, tc: tc, newReq: badJoin}
	}, joinMetrics)
}

// newConnFloodClients is how many goroutines the joinflood-new part sends
// bad joins from, each over a new connection (a TLS handshake) per join.
const newConnFloodClients = 64

// newConnFloodBench is joinFloodBench with every bad join sent over a new
// connection, the dearest flood for the node (a TLS handshake each): the
// node must refuse, before their handshake, the connections an address
// opens faster than node.DefaultHandshakesPerAddress a second.
func newConnFloodBench(o options) error {
	return floodBench(o, "joinflood-new", func(n *benchNode, tc *tls.Config) flooder {
		return &requestFlood{base: n.base, conns: newConnFloodClients, tc: tc, newReq: badJoin, newConns: true}
	}, joinMetrics)
}

// badJoin is a join request with a made-up token, the joinflood parts'.
func badJoin(base string, f, i int) *http.Request {
	body := fmt.Sprintf(`{"token":"SMJ1.bad%d-%d","id":"X-%d","url":"https://127.0.0.1:1","csr":""}`, f, i, i)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/join", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return req
}

// joinMetrics prints what the node's metrics say of a join flood.
func joinMetrics(m map[string]float64) {
	fmt.Printf("  node: %.0f write jobs and %.0f lookup jobs in all; connections refused before their handshake: %.0f for open ones, %.0f for handshakes\n",
		m[`stockmesh_job_wait_seconds_count{class="write"}`], m[`stockmesh_job_wait_seconds_count{class="lookup"}`],
		m[`stockmesh_connections_refused_total{reason="open"}`], m[`stockmesh_connections_refused_total{reason="handshakes"}`])
}

// flooder is a flood a flood part measures a writer beside.
type flooder interface {
	start(round int) error
	stop() error
	// report says what was sent and answered over all rounds.
	report(took time.Duration) string
}

// floodBench measures a writer recording reportWriterRate movements/s, in
// a process of its own (runWriter) and from another address than the
// flood's, alone and then beside the flood newFlood makes, floodRounds
// times alternately, and prints the flood's answers, what metrics says of
// the node's work, and the median p99s.
func floodBench(o options, name string, newFlood func(n *benchNode, tc *tls.Config) flooder, metrics func(map[string]float64)) error {
	n, tc, err := startLoadNode(o)
	if err != nil {
		return err
	}
	defer n.stop()
	writers := clients(options{clients: 16, http2: o.http2}, tc)
	if err := seedWriterSKUs(n, writers); err != nil {
		return err
	}
	sub := &subNode{benchNode: n, tls: tc, client: writers[0]}
	// The writer stands for the warehouse's terminals: another address
	// than the flood's (127.0.0.1), as it would be.
	os.Setenv("BENCH_SOURCE", "127.0.0.2")
	defer os.Unsetenv("BENCH_SOURCE")
	flood := newFlood(n, tc)
	var alone, beside []float64
	var took time.Duration
	for round := range floodRounds {
		c0 := cpuNow(n)
		a, _ := runWriter(sub, o.duration, nil)
		c1 := cpuNow(n)
		fmt.Println(a.line(fmt.Sprintf("%s: round %d, writer alone, %d/s", name, round+1, reportWriterRate)))
		if err := flood.start(round); err != nil {
			return err
		}
		if o.profile != "" && round == 0 { // the node beside the flood
			go profile(o)
		}
		b, _ := runWriter(sub, o.duration, nil)
		c2 := cpuNow(n)
		if err := flood.stop(); err != nil {
			return err
		}
		quiet, loud := c1.sub(c0), c2.sub(c1)
		fmt.Println(b.line(fmt.Sprintf("%s: round %d, writer beside the flood", name, round+1)))
		fmt.Printf("  cores used: node %.2f alone, %.2f beside the flood; this bench %.2f\n",
			quiet.node.Seconds()/quiet.wall.Seconds(), loud.node.Seconds()/loud.wall.Seconds(), loud.self.Seconds()/loud.wall.Seconds())
		if a.errors > 0 || b.errors > 0 || a.ops == 0 || b.ops == 0 {
			return fmt.Errorf("the writer failed %d times alone and %d beside the flood, round %d", a.errors, b.errors, round+1)
		}
		alone, beside = append(alone, float64(a.p(99))), append(beside, float64(b.p(99)))
		took += b.took
	}
	fmt.Println("  flood:", flood.report(took))
	if m, err := n.metrics(writers[0]); err == nil {
		metrics(m)
	}
	ma, mb := median(alone), median(beside)
	fmt.Printf("  writer's p99, median of %d alternated rounds: alone %v, beside the flood %v (%+.0f%%; target +20%%: %s)\n\n",
		floodRounds, time.Duration(ma).Round(10*time.Microsecond), time.Duration(mb).Round(10*time.Microsecond),
		100*(mb/ma-1), verdict(mb <= 1.2*ma))
	return nil
}

// floodRounds is how many times the flood parts measure the writer alone
// and beside the flood, alternately: one round's p99 varies by a third
// from run to run on this machine.
const floodRounds = 3

// requestFlood sends the requests newReq makes to the node at base from
// conns connections (made at the first start, trusting tc), between start
// and stop, counting the answers by status.
type requestFlood struct {
	base   string
	conns  int
	tc     *tls.Config
	newReq func(base string, f, i int) *http.Request
	// newConns sends each request over a new connection.
	newConns bool
	// handshakeWait, when not 0, is how long a new connection's TLS
	// handshake is waited for before it is dropped for another: a flooder
	// that does not wait for the connections the node holds unanswered.
	handshakeWait time.Duration

	clients []*http.Client
	halt    atomic.Bool
	wg      sync.WaitGroup
	sent    atomic.Int64
	codes   sync.Map // status → *atomic.Int64
}

func (r *requestFlood) start(round int) error {
	if r.clients == nil {
		r.clients = clients(options{clients: r.conns}, r.tc)
		for _, c := range r.clients {
			tr := c.Transport.(*http.Transport)
			tr.DisableKeepAlives = r.newConns
			tr.TLSHandshakeTimeout = r.handshakeWait
		}
	}
	r.halt.Store(false)
	for f, c := range r.clients {
		r.wg.Go(func() {
			for i := 0; !r.halt.Load(); i++ {
				resp, err := c.Do(r.newReq(r.base, f, i+round<<24))
				r.sent.Add(1)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body) // read whole, the connection is reused
				resp.Body.Close()
				v, _ := r.codes.LoadOrStore(resp.StatusCode, new(atomic.Int64))
				v.(*atomic.Int64).Add(1)
			}
		})
	}
	return nil
}

func (r *requestFlood) stop() error {
	r.halt.Store(true)
	r.wg.Wait()
	return nil
}

func (r *requestFlood) report(took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requests (%.0f/s) from %d connections:", r.sent.Load(), float64(r.sent.Load())/took.Seconds(), r.conns)
	r.codes.Range(func(k, v any) bool { fmt.Fprintf(&b, " %d×%d", v.(*atomic.Int64).Load(), k); return true })
	return b.String()
}

// seedWriterSKUs creates, with cs, the reportSKUs products the -write
// writer buys.
func seedWriterSKUs(n *benchNode, cs []*http.Client) error {
	var wg sync.WaitGroup
	var failed atomic.Bool
	for c := range cs {
		wg.Go(func() {
			for i := c; i < reportSKUs; i += len(cs) {
				body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"%s\", name: \"Bench\", price: \"1.00\"}) { sku } }"}`, sku(i))
				if _, ok := post(cs[c], n.graphql(), n.token, body); !ok {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return fmt.Errorf("creating the writer's products failed; see %s", n.log)
	}
	return nil
}
