package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
)

const movementQuery = `mutation($in: MovementInput!) { recordMovement(input: $in) { id balance } }`

// movementBody is the request body of client c's i-th movement.
func movementBody(o options, c, i int) []byte {
	return fmt.Appendf(nil, `{"query":%q,"variables":{"in":{"sku":"B-%d","kind":"PURCHASE","quantity":1,"idempotencyKey":"c%d-%d"}}}`,
		movementQuery, (c+i)%o.skus, c, i)
}

// clients returns one HTTP client per load client, each with its own
// connection, with TLS config tc.
func clients(o options, tc *tls.Config) []*http.Client {
	cs := make([]*http.Client, o.clients)
	for i := range cs {
		tr := &http.Transport{TLSClientConfig: tc.Clone(), ForceAttemptHTTP2: o.http2}
		if !o.http2 {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // HTTP/1.1 keep-alive
		}
		cs[i] = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	return cs
}

// post sends body and returns the answer's body and whether it was a 200
// without errors.
func post(c *http.Client, url, token string, body []byte) ([]byte, bool) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b, resp.StatusCode == http.StatusOK && !bytes.Contains(b, []byte(`"errors"`))
}

// bareHTTPS measures a Go HTTPS server whose handler reads the body and
// answers a fixed JSON: the ceiling of any handler on this machine.
func bareHTTPS(o options) (result, error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-bare-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	files, err := pki.Ensure(dir, nil)
	if err != nil {
		return result{}, err
	}
	tc, err := pki.ServerConfig(files.Cert, files.Key)
	if err != nil {
		return result{}, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return result{}, err
	}
	reply := []byte(`{"data":{"recordMovement":{"id":"WH-1:1","balance":1}}}`)
	srv := &http.Server{TLSConfig: tc, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(reply)
	})}
	go func() { _ = srv.ServeTLS(ln, "", "") }()
	defer srv.Close()
	ctc, err := pki.ClientConfig(files.CACert)
	if err != nil {
		return result{}, err
	}
	cs := clients(o, ctc)
	url := "https://localhost:" + portOf(ln.Addr().String()) + "/graphql"
	res := load(o.clients, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], url, "", movementBody(o, c, i))
		return ok
	})
	fmt.Println(res.line("bare Go HTTPS handler"))
	return res, nil
}

// portOf returns the port of host:port addr.
func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// freePort returns a loopback port that was free a moment ago.
// pprofAddr is where a node started to be profiled serves its profiles:
// a port free when the bench started, so that two benches run side by
// side never read each other's nodes.
var pprofAddr = "127.0.0.1:" + freePort()

func freePort() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "0"
	}
	defer l.Close()
	return portOf(l.Addr().String())
}

// nodeLoad starts a node, creates the products and measures recordMovement
// over HTTPS GraphQL.
func nodeLoad(o options) (result, error) {
	res, _, err := nodeLoadCPU(o)
	return res, err
}

// nodeLoadCPU is nodeLoad that also returns the node's CPU per movement.
func nodeLoadCPU(o options) (result, time.Duration, error) {
	n, tc, err := startLoadNode(o)
	if err != nil {
		return result{}, 0, err
	}
	defer n.stop()
	cs := clients(o, tc)
	if err := n.seedProducts(cs[0], o.skus); err != nil {
		return result{}, 0, err
	}
	if o.profile != "" {
		go profile(o)
	}
	url := n.graphql()
	cpu0 := cpuNow(n)
	res := load(o.clients, o.duration, func(c, i int) bool {
		_, ok := post(cs[c], url, n.token, movementBody(o, c, i))
		return ok
	})
	cpu := cpuNow(n).sub(cpu0)
	fmt.Println(res.line("node: recordMovement, HTTPS GraphQL, FULL"))
	var perOp time.Duration
	if res.ops > 0 {
		perOp = cpu.node / time.Duration(res.ops)
		fmt.Printf("  CPU per movement: node %v, load generator %v (%.2f and %.2f cores)\n",
			perOp.Round(time.Microsecond), (cpu.self / time.Duration(res.ops)).Round(time.Microsecond),
			cpu.node.Seconds()/cpu.wall.Seconds(), cpu.self.Seconds()/cpu.wall.Seconds())
	}
	printBatches(cs[0], n)
	return res, perOp, nil
}

// printBatches prints the node's mean group-commit batch size and commit
// time, from its metrics read with c.
func printBatches(c *http.Client, node *benchNode) {
	v, err := node.metrics(c)
	if err != nil {
		return
	}
	if n := v["stockmesh_commit_batch_size_count"]; n > 0 {
		fmt.Printf("  node group commit: %.0f transactions, %.1f movements each, %.2f ms each\n",
			n, v["stockmesh_commit_batch_size_sum"]/n, 1000*v["stockmesh_commit_seconds_sum"]/n)
	}
	if n := v[`stockmesh_job_wait_seconds_count{class="write"}`]; n > 0 {
		fmt.Printf("  node write jobs: %.2f ms queued, %.2f ms executing (mean); GraphQL operation %.2f ms (mean)\n",
			1000*v[`stockmesh_job_wait_seconds_sum{class="write"}`]/n, 1000*v[`stockmesh_job_exec_seconds_sum{class="write"}`]/n,
			1000*v[`stockmesh_graphql_operation_seconds_sum{operation="anonymous"}`]/v[`stockmesh_graphql_operation_seconds_count{operation="anonymous"}`])
	}
}

// profile saves a CPU profile of the node taken during the load.
func profile(o options) {
	profileTo(pprofAddr, max(time.Second, o.duration-2*time.Second), o.profile)
}

// profileTo writes to path a CPU profile of d (whole seconds, at least
// one) of the node serving pprof at addr.
func profileTo(addr string, d time.Duration, path string) {
	resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(d.Seconds()))))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: profiling:", err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bench: profiling:", err)
	}
}
