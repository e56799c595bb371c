package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// chromiumPath is Debian's Chromium, which make test installs.
const chromiumPath = "/usr/bin/chromium"

// browserTimeout bounds the whole browser run; each wait inside the
// script has its own deadline of browserWait.
const (
	browserTimeout = 5 * time.Minute
	browserWait    = 90 * time.Second
)

// pageReport is the script's last output line.
type pageReport struct {
	Event string
	Query struct {
		Data struct{ Product struct{ SKU, Quantity any } }
	}
	Subscription struct {
		Data struct {
			StockChanged struct{ SKU, Quantity, Delta any }
		}
	}
	RunningLabel   string
	Requests       []string
	WSReceived     []string
	Errors         []string
	TokenLeftInURL bool
	InitialQuery   string // the editor's text before the script types
	Icon           string // the page's favicon URL
}

// TestPlayground opens the playground in headless Chromium against a node
// on 127.0.0.1, runs a query and a subscription through the page as a user
// would, records a movement while the subscription runs, and checks what
// the page shows, that the subscription went over the websocket, and that
// the page asked nothing of any host but the node, and that it opens on
// the stockmesh example with its favicon. The screenshot is kept
// in the artifacts directory.
func TestPlayground(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	script := browserTooling(t, "playground.mjs")
	n := testnode.Start(t)
	mustCreate(t, n, "PG-1", 42)
	shot := artifactPath(t, "playground.png")

	run := startBrowser(t, script, n, shot)
	waitSubscribed(t, n, run)
	var out struct{ RecordMovement ledgerMovement }
	decode(t, n.MustGraphQL(t, recordMovement, mv("PG-1", "SALE", 5)), &out)
	rep := run.report(t)
	checkPage(t, n, rep, out.RecordMovement.Balance)
	checkScreenshot(t, shot)
	t.Logf("screenshot: %s", shot)
}

// browserTooling returns the path of the browser script named script
// (in e2e/browser) after checking that node, Chromium and the script's npm
// packages are installed; it fails the test, rather than skipping it, when
// they are not.
func browserTooling(t *testing.T, script string) string {
	t.Helper()
	const hint = "; run make test, which installs it (apt chromium, npm ci --prefix e2e/browser)"
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("Chromium is missing at %s%s", chromiumPath, hint)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("node is not on PATH%s", hint)
	}
	dir := testnode.RepoFile("e2e", "browser")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "puppeteer-core", "package.json")); err != nil {
		t.Fatalf("puppeteer-core is not installed in %s/node_modules%s", dir, hint)
	}
	return filepath.Join(dir, script)
}

// artifactPath returns where to keep a test artifact: in
// $STOCKMESH_ARTIFACTS when set, else in artifacts/ at the repository root.
func artifactPath(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("STOCKMESH_ARTIFACTS")
	if dir == "" {
		dir = testnode.RepoFile("artifacts")
	}
	dir, err := filepath.Abs(dir)
	if err == nil {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatalf("creating the artifacts directory: %v", err)
	}
	path := filepath.Join(dir, name)
	_ = os.Remove(path) // a stale screenshot must not pass for this run's
	return path
}

// nodeKeys returns the base64 SHA-256 of each public key in the node's
// certificate chain, after verifying that chain against the node's CA
// file: the keys Chromium is told to accept.
func nodeKeys(t *testing.T, n *testnode.Node) []string {
	t.Helper()
	d := tls.Dialer{Config: n.TLSConfig()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := d.DialContext(ctx, "tcp", n.Addr)
	if err != nil {
		t.Fatalf("verifying the node's certificate against its CA: %v", err)
	}
	defer c.Close()
	var keys []string
	for _, cert := range c.(*tls.Conn).ConnectionState().VerifiedChains[0] {
		sum := sha256.Sum256(cert.RawSubjectPublicKeyInfo)
		keys = append(keys, base64.StdEncoding.EncodeToString(sum[:]))
	}
	return keys
}

// browserRun is the running script.
type browserRun struct {
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
}

// startBrowser starts the script against n; it is stopped (SIGTERM, on
// which puppeteer closes Chromium) at the end of the test.
func startBrowser(t *testing.T, script string, n *testnode.Node, shot string) *browserRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	args := []string{script, "--url", n.URL, "--token", n.Token, "--sku", "PG-1", "--screenshot", shot,
		"--chromium", chromiumPath, "--timeout", fmt.Sprint(browserWait.Milliseconds())}
	for _, k := range nodeKeys(t, n) {
		args = append(args, "--spki", k)
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	r := &browserRun{done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &r.stdout, &r.stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting node %s: %v", script, err)
	}
	go func() { r.err = cmd.Wait(); close(r.done) }()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// exited reports whether the script has ended.
func (r *browserRun) exited() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// report waits for the script to end and returns its last output line; it
// fails the test when the script failed.
func (r *browserRun) report(t *testing.T) pageReport {
	t.Helper()
	<-r.done // bounded by browserTimeout
	if r.err != nil {
		t.Fatalf("browser script: %v\nstderr:\n%s\nstdout:\n%s", r.err, r.stderr.String(), r.stdout.String())
	}
	lines := strings.Split(strings.TrimSpace(r.stdout.String()), "\n")
	var rep pageReport
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &rep); err != nil || rep.Event != "done" {
		t.Fatalf("browser script's last line %q: want a done report (%v)", lines[len(lines)-1], err)
	}
	return rep
}

// waitSubscribed waits until the page's subscription is open in the node,
// failing when the script ends first.
func waitSubscribed(t *testing.T, n *testnode.Node, r *browserRun) {
	t.Helper()
	deadline := time.Now().Add(browserTimeout)
	for metric(t, n, "stockmesh_subscriptions_open") < 1 {
		if r.exited() {
			r.report(t)
			t.Fatal("browser script ended before its subscription opened")
		}
		if time.Now().After(deadline) {
			t.Fatalf("no subscription opened within %v; stderr so far:\n%s", browserTimeout, r.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkPage asserts what the page showed and what it requested.
func checkPage(t *testing.T, n *testnode.Node, rep pageReport, balance int) {
	t.Helper()
	q, s := rep.Query.Data.Product, rep.Subscription.Data.StockChanged
	cases := []struct {
		name string
		ok   bool
		got  any
	}{
		{"query result shows the product's quantity", q.SKU == "PG-1" && q.Quantity == 42.0, q},
		{"subscription result shows the new quantity", s.SKU == "PG-1" && s.Quantity == float64(balance) && s.Delta == -5.0, s},
		{"subscription still running after its event", strings.HasPrefix(rep.RunningLabel, "Stop"), rep.RunningLabel},
		{"subscription came over the websocket", slices.Contains(rep.WSReceived, "next"), rep.WSReceived},
		{"page opened the node's websocket", slices.Contains(rep.Requests, "wss://"+n.Addr+"/graphql"), rep.Requests},
		{"page requested only the node", foreign(rep.Requests, n.Addr) == nil, foreign(rep.Requests, n.Addr)},
		{"no uncaught page errors", len(rep.Errors) == 0, rep.Errors},
		{"token removed from the address bar", !rep.TokenLeftInURL, rep.TokenLeftInURL},
		{"editor opens on the stockmesh example", strings.Contains(rep.InitialQuery, "products(") &&
			strings.Contains(rep.InitialQuery, "stockChanged") && !strings.Contains(rep.InitialQuery, "Welcome to GraphiQL"), rep.InitialQuery},
		{"page names its favicon", strings.Contains(rep.Icon, "/favicon.svg"), rep.Icon},
		{"favicon requested from the node", slices.ContainsFunc(rep.Requests, func(u string) bool { return strings.Contains(u, "/favicon.svg") }), rep.Requests},
	}
	for _, c := range cases {
		if !c.ok {
			t.Errorf("%s: got %v", c.name, c.got)
		}
	}
}

// foreign returns the requested URLs whose host is not addr.
func foreign(requests []string, addr string) []string {
	var out []string
	for _, r := range requests {
		if u, err := url.Parse(r); err != nil || u.Host != addr {
			out = append(out, r)
		}
	}
	return out
}

// checkScreenshot asserts that path holds a PNG of some size.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		t.Fatalf("no screenshot at %s", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) || len(b) < 10_000 {
		t.Fatalf("%s is not a plausible screenshot (%d bytes)", path, len(b))
	}
}
