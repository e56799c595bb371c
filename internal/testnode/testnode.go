// Package testnode starts real stockmeshd processes for end-to-end tests:
// it builds the binary once per test binary (with -race when the tests run
// under it), starts nodes and separate database handlers on 127.0.0.1 with
// data in temp dirs, waits until they serve, and stops them at cleanup.
// Of the node it imports only server/pki, which needs no CGO, so the
// CGO-free client tests can use it.
package testnode

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
)

// StartTimeout bounds how long a node may take to serve after starting.
const StartTimeout = 90 * time.Second

var build struct {
	once sync.Once
	path string
	err  error
}

// Binary returns the path of a stockmeshd built from this checkout.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "stockmeshd-bin-")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "stockmeshd")
		args := []string{"build", "-o", build.path}
		if raceEnabled {
			args = append(args, "-race")
		}
		cmd := exec.Command("go", append(args, "./server")...)
		cmd.Dir = RepoFile()
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("building stockmeshd: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// RemoveBinary deletes the stockmeshd Binary built, if any; a TestMain
// calls it after the tests, so that test runs leave no binaries behind.
func RemoveBinary() {
	if build.path != "" {
		os.RemoveAll(filepath.Dir(build.path))
	}
}

// RepoFile returns the path of a file of this repository, such as
// RepoFile("examples", "pyro4", "client.py"); RepoFile() is the module root.
func RepoFile(parts ...string) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(append([]string{filepath.Dir(file), "..", ".."}, parts...)...)
}

// Proc is a running stockmeshd process.
type Proc struct {
	t    testing.TB
	cmd  *exec.Cmd
	done chan struct{}
}

// start runs stockmeshd with args, its output going to logPath.
func start(t testing.TB, logPath string, args ...string) *Proc {
	t.Helper()
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	p := &Proc{t: t, done: make(chan struct{})}
	p.cmd = exec.Command(Binary(t), args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.Env = append(os.Environ(), "GORACE=halt_on_error=1")
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting stockmeshd: %v", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			dumpLog(t, logPath)
		}
		f.Close()
	})
	return p
}

// dumpLog logs the last 60 lines of the log file at path.
func dumpLog(t testing.TB, path string) {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	t.Logf("last lines of %s:\n%s", path, strings.Join(lines, "\n"))
}

// PID returns the process id.
func (p *Proc) PID() int {
	return p.cmd.Process.Pid
}

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Stop sends SIGINT and waits for a graceful exit; it fails the test when
// the process does not exit within 30 s or exits with an error.
func (p *Proc) Stop() {
	p.t.Helper()
	if p.Exited() {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.Kill()
		p.t.Fatal("stockmeshd did not stop within 30s of SIGINT")
	}
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		p.t.Fatalf("stockmeshd exited with code %d after SIGINT", code)
	}
}

// Kill ends the process with SIGKILL, as a crash or power cut would.
func (p *Proc) Kill() {
	if p.Exited() {
		return
	}
	_ = p.cmd.Process.Kill()
	<-p.done
}

// Node is a running node and what a client needs to reach it.
type Node struct {
	*Proc
	DataDir string
	Addr    string // 127.0.0.1:PORT
	URL     string // https://127.0.0.1:PORT
	Token   string // the admin token
	CAFile  string
	extra   []string
	tls     *tls.Config  // trusts only the node's CA; callers get clones
	client  *http.Client // shared by every request to the node
}

// Start starts a node with its data in a new temp dir on a free loopback
// port; extra flags are appended.
func Start(t testing.TB, extra ...string) *Node {
	t.Helper()
	return StartIn(t, t.TempDir(), "127.0.0.1:0", extra...)
}

// StartIn starts a node on data dir and listen address.
func StartIn(t testing.TB, dataDir, listen string, extra ...string) *Node {
	t.Helper()
	_ = os.Remove(filepath.Join(dataDir, "node.addr"))
	args := append([]string{"--data", dataDir, "--listen", listen}, extra...)
	n := &Node{DataDir: dataDir, CAFile: filepath.Join(dataDir, "tls", "ca.crt"), extra: extra}
	n.Proc = start(t, filepath.Join(dataDir, "node.log"), args...)
	n.waitReady(t)
	return n
}

// Restart starts the node again on the same data and port, after Stop or Kill.
func (n *Node) Restart(t testing.TB) {
	t.Helper()
	n.Kill()
	*n = *StartIn(t, n.DataDir, n.Addr, n.extra...)
}

// waitReady waits until the node serves (see waitServing), failing the
// test when it exits first; start's cleanup shows the log.
func (n *Node) waitReady(t testing.TB) {
	t.Helper()
	if err := n.waitServing(t); err != nil {
		t.Fatal(err)
	}
}

// connect loads the node's CA once and builds the TLS configuration and the
// HTTP client that every request to the node shares; its idle connections
// are closed at cleanup.
func (n *Node) connect(t testing.TB) {
	t.Helper()
	cfg, err := pki.ClientConfig(n.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	// The transport gets its own copy: it adds its NextProtos to the config.
	tr := &http.Transport{TLSClientConfig: cfg.Clone(), ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 256}
	n.tls, n.client = cfg, &http.Client{Transport: tr, Timeout: 60 * time.Second}
	t.Cleanup(n.client.CloseIdleConnections)
}

// TLSConfig returns a copy of the client TLS configuration that trusts only
// the node's CA.
func (n *Node) TLSConfig() *tls.Config {
	return n.tls.Clone()
}

// Client returns the node's HTTP client, which trusts only the node's CA; it
// is safe for concurrent use and keeps its connections between calls.
func (n *Node) Client() *http.Client {
	return n.client
}

// Response is a GraphQL response.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// Code returns the extensions.code of the first error, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// GraphQL posts a query with the admin token through the node's client and
// decodes the response; transport failures are returned, GraphQL errors are
// in Response.
func (n *Node) GraphQL(ctx context.Context, query string, vars map[string]any) (*Response, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+n.Token)
	resp, err := n.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var r Response
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		return nil, fmt.Errorf("decoding response (status %d): %w", resp.StatusCode, err)
	}
	return &r, nil
}

// MustGraphQL is GraphQL for a test: it fails the test on transport errors.
func (n *Node) MustGraphQL(t testing.TB, query string, vars map[string]any) *Response {
	t.Helper()
	r, err := n.GraphQL(context.Background(), query, vars)
	if err != nil {
		t.Fatalf("graphql: %v", err)
	}
	return r
}

// StartWorker starts a separate database handler (stockmeshd dbworker) on
// dataDir and queue address.
func StartWorker(t testing.TB, dataDir, queue string) *Proc {
	t.Helper()
	return start(t, filepath.Join(dataDir, "dbworker.log"), "dbworker", "--data", dataDir, "--queue", queue)
}
