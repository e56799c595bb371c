package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// benchNode is a stockmeshd the bench started on a temp data dir.
type benchNode struct {
	dir, base, token string // base is https://localhost:PORT
	cmd              *exec.Cmd
	log              string
}

// startNode starts o.node on a new temp data dir and 127.0.0.1, with extra
// flags, and waits until it serves.
func startNode(o options, extra ...string) (*benchNode, error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-node-")
	if err != nil {
		return nil, err
	}
	return startNodeIn(o, dir, extra...)
}

// startNodeIn starts o.node on data dir dir (which the node's stop
// removes, also when it fails to start) and 127.0.0.1, with extra flags
// (a later --listen wins), and waits until it serves.
func startNodeIn(o options, dir string, extra ...string) (*benchNode, error) {
	n := &benchNode{dir: dir, log: filepath.Join(dir, "node.log")}
	logf, err := os.Create(n.log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close()
	n.cmd = exec.Command(o.node, append([]string{"--data", dir, "--listen", "127.0.0.1:0"}, extra...)...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s (run make build first): %w", o.node, err)
	}
	if n.base, n.token, err = waitNode(dir); err != nil {
		err = fmt.Errorf("%w; the end of its log:\n%s", err, logTail(n.log, 12))
		n.stop()
		return nil, err
	}
	return n, nil
}

// logTail returns the last k lines of the file at path.
func logTail(path string, k int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-k):], "\n")
}

// startLoadNode starts a node for a load part, with extra flags and the
// profiling endpoint profile reads when o.profile is set, and returns it
// with a client TLS config that trusts it.
func startLoadNode(o options, extra ...string) (*benchNode, *tls.Config, error) {
	if o.profile != "" {
		extra = append(extra, "--pprof", pprofAddr) // where profile reads
	}
	n, err := startNode(o, extra...)
	if err != nil {
		return nil, nil, err
	}
	tc, err := clientTLS(n.dir)
	if err != nil {
		n.stop()
		return nil, nil, err
	}
	return n, tc, nil
}

// waitNode waits for a node in dir to serve and returns its base URL and token.
func waitNode(dir string) (base, token string, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		addr, e1 := os.ReadFile(filepath.Join(dir, "node.addr"))
		tok, e2 := os.ReadFile(filepath.Join(dir, "admin.token"))
		if e1 == nil && e2 == nil && len(addr) > 0 {
			return "https://localhost:" + portOf(strings.TrimSpace(string(addr))), strings.TrimSpace(string(tok)), nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "", "", errors.New("the node did not start within 60s")
}

// graphql returns the node's GraphQL endpoint.
func (n *benchNode) graphql() string { return n.base + "/graphql" }

// seedProducts creates, with c, the skus products movementBody spreads over.
func (n *benchNode) seedProducts(c *http.Client, skus int) error {
	for i := range skus {
		body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"B-%d\", name: \"Bench %d\", price: \"1.00\"}) { sku } }"}`, i, i)
		if _, ok := post(c, n.graphql(), n.token, body); !ok {
			return errors.New("creating the bench products failed; see " + n.log)
		}
	}
	return nil
}

// metrics reads the node's /metrics with c, by series name (with labels).
func (n *benchNode) metrics(c *http.Client) (map[string]float64, error) {
	req, _ := http.NewRequest(http.MethodGet, n.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+n.token)
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading metrics: %w", err)
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
	return v, nil
}

// pid returns the node's process id.
func (n *benchNode) pid() int { return n.cmd.Process.Pid }

// stop shuts the node down gracefully and removes its data.
func (n *benchNode) stop() {
	_ = n.cmd.Process.Signal(os.Interrupt)
	_ = n.cmd.Wait()
	os.RemoveAll(n.dir)
}
