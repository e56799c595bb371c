package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
// connection, trusting caFile.
func clients(o options, caFile string) ([]*http.Client, error) {
	tc, err := pki.ClientConfig(caFile)
	if err != nil {
		return nil, err
	}
	cs := make([]*http.Client, o.clients)
	for i := range cs {
		tr := &http.Transport{TLSClientConfig: tc.Clone(), ForceAttemptHTTP2: o.http2}
		if !o.http2 {
			tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{} // HTTP/1.1 keep-alive
		}
		cs[i] = &http.Client{Timeout: 30 * time.Second, Transport: tr}
	}
	return cs, nil
}

// post sends body and reports whether the answer was a 200 without errors.
func post(c *http.Client, url, token string, body []byte) bool {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode == http.StatusOK && !bytes.Contains(b, []byte(`"errors"`))
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
	cs, err := clients(o, files.CACert)
	if err != nil {
		return result{}, err
	}
	url := "https://localhost:" + portOf(ln.Addr().String()) + "/graphql"
	res := load(o.clients, o.duration, func(c, i int) bool { return post(cs[c], url, "", movementBody(o, c, i)) })
	fmt.Println(res.line("bare Go HTTPS handler"))
	return res, nil
}

func portOf(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }

// freePort returns a loopback port that was free a moment ago.
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
	var extra []string
	if o.profile != "" {
		extra = append(extra, "--pprof", "127.0.0.1:6061")
	}
	n, err := startNode(o, extra...)
	if err != nil {
		return result{}, err
	}
	defer n.stop()
	cs, err := clients(o, filepath.Join(n.dir, "tls", "ca.crt"))
	if err != nil {
		return result{}, err
	}
	for i := range o.skus {
		body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"B-%d\", name: \"Bench %d\", price: \"1.00\"}) { sku } }"}`, i, i)
		if !post(cs[0], n.url, n.token, body) {
			return result{}, errors.New("creating the bench products failed; see " + n.log)
		}
	}
	if o.profile != "" {
		go profile(o)
	}
	cpu0 := cpuNow(n)
	res := load(o.clients, o.duration, func(c, i int) bool { return post(cs[c], n.url, n.token, movementBody(o, c, i)) })
	cpu := cpuNow(n).sub(cpu0)
	fmt.Println(res.line("node: recordMovement, HTTPS GraphQL, FULL"))
	if res.ops > 0 {
		fmt.Printf("  CPU per movement: node %v, load generator %v (%.2f and %.2f cores)\n",
			(cpu.node / time.Duration(res.ops)).Round(time.Microsecond), (cpu.self / time.Duration(res.ops)).Round(time.Microsecond),
			cpu.node.Seconds()/cpu.wall.Seconds(), cpu.self.Seconds()/cpu.wall.Seconds())
	}
	printBatches(cs[0], strings.TrimSuffix(n.url, "/graphql")+"/metrics", n.token)
	return res, nil
}

// printBatches prints the node's mean group-commit batch size and commit
// time, from its metrics.
func printBatches(c *http.Client, url, token string) {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	v := map[string]float64{}
	for _, line := range strings.Split(string(b), "\n") {
		var name string
		var x float64
		if _, err := fmt.Sscanf(line, "%s %g", &name, &x); err == nil {
			v[name] = x
		}
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

// waitNode waits for a node in dir to serve and returns its GraphQL URL and token.
func waitNode(dir string) (url, token string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		addr, e1 := os.ReadFile(filepath.Join(dir, "node.addr"))
		tok, e2 := os.ReadFile(filepath.Join(dir, "admin.token"))
		if e1 == nil && e2 == nil && len(addr) > 0 {
			return "https://localhost:" + portOf(strings.TrimSpace(string(addr))) + "/graphql", strings.TrimSpace(string(tok)), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", "", errors.New("the node did not start within 60s")
}

// profile saves a CPU profile of the node taken during the load.
func profile(o options) {
	secs := max(1, int(o.duration.Seconds())-2)
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:6061/debug/pprof/profile?seconds=%d", secs))
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: profiling:", err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := os.WriteFile(o.profile, b, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "bench: profiling:", err)
	}
}
