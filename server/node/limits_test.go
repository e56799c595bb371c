package node

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
)

// startNode runs a node in this process on a loopback port until the test
// ends; it returns the node's URL, a client trusting its CA that speaks
// proto ("h2" or "http/1.1"), the admin token and a stop func that cancels
// Run and returns its error.
func startNode(t testing.TB, cfg Config, proto string) (url string, c *http.Client, token string, stop func() error) {
	t.Helper()
	dir := t.TempDir()
	cfg.DataDir, cfg.Listen = dir, "127.0.0.1:0"
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, cfg) }()
	addr := waitAddr(t, dir, errc)
	var stopped bool
	var runErr error
	stop = func() error {
		if !stopped {
			stopped = true
			cancel()
			runErr = <-errc
		}
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	pool, err := pki.LoadCAPool(filepath.Join(dir, "tls", "ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{proto}}, ForceAttemptHTTP2: proto == "h2"}
	if proto != "h2" {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	t.Cleanup(tr.CloseIdleConnections)
	tok, err := os.ReadFile(filepath.Join(dir, AdminTokenFile)) // written before the node listens, so before its address
	if err != nil {
		t.Fatal(err)
	}
	return "https://" + addr, &http.Client{Transport: tr}, strings.TrimSpace(string(tok)), stop
}

// trickle sends a POST to /graphql announcing a 200,000-byte body and
// sends it a byte every 200 ms until the request ends or done is closed;
// it returns a channel that gets the request's error (nil: a response),
// and one closed once the first byte of the body was taken by the client
// (its headers sent before it).
func trickle(c *http.Client, url, token string, done <-chan struct{}) (<-chan error, <-chan struct{}) {
	pr, pw := io.Pipe()
	sending := make(chan struct{})
	go func() {
		defer pw.Close()
		for first := true; ; first = false {
			select {
			case <-done:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if _, err := pw.Write([]byte(" ")); err != nil {
				return
			}
			if first {
				close(sending)
			}
		}
	}()
	req, _ := http.NewRequest("POST", url+"/graphql", pr)
	req.ContentLength = 200_000
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res := make(chan error, 1)
	go func() {
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		pr.CloseWithError(io.ErrClosedPipe)
		res <- err
	}()
	return res, sending
}

// TestSlowBodyIsCutOff: a body trickled a byte at a time is cut off once
// Config.BodyTimeout has passed, over HTTP/1.1 and HTTP/2 (it used to be
// held for ever, one connection and goroutine each).
func TestSlowBodyIsCutOff(t *testing.T) {
	for _, proto := range []string{"http/1.1", "h2"} {
		t.Run(proto, func(t *testing.T) {
			url, c, token, _ := startNode(t, Config{BodyTimeout: time.Second}, proto)
			done := make(chan struct{})
			defer close(done)
			res, _ := trickle(c, url, token, done)
			select {
			case <-res:
			case <-time.After(30 * time.Second):
				t.Fatal("a body trickled for 30s is still being read (body timeout 1s)")
			}
		})
	}
}

// TestShutdownSkipsSlowBodies: a graceful shutdown does not wait for a
// request whose body is still arriving (it used to wait its full 30 s),
// while the node's default body timeout is far away.
func TestShutdownSkipsSlowBodies(t *testing.T) {
	url, c, token, stop := startNode(t, Config{}, "http/1.1")
	done := make(chan struct{})
	defer close(done)
	res, sending := trickle(c, url, token, done)
	select { // the request is being sent, its body a byte at a time
	case <-sending:
	case err := <-res:
		t.Fatalf("the trickled request ended before its body began: %v", err)
	}
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("shutdown still waits for a trickled body after 15s")
	}
	<-res
}
