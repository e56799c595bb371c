package pyro

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

const python = "/usr/bin/python3"

// needPyro4 skips t unless /usr/bin/python3 can import Pyro4.
func needPyro4(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import Pyro4").Run(); err != nil {
		t.Skipf("skipping: %s cannot import Pyro4 (apt-get install python3-pyro4): %v", python, err)
	}
}

// testLogger logs through t, prefixed.
func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log("pyro: " + string(bytes.TrimSpace(p)))
	return len(p), nil
}

// startServer runs a Server for cfg until the test ends.
func startServer(t *testing.T, cfg Config, inv Inventory) *Server {
	t.Helper()
	if cfg.Classify == nil {
		cfg.Classify = classifyDouble
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	s, err := NewServer(cfg, inv)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	return s
}

// pyEnv is the environment for a Python client using the NS at nsAddr; it
// never lets Pyro4 fall back to a broadcast.
func pyEnv(nsAddr net.Addr, serializer string, extra ...string) []string {
	ta := nsAddr.(*net.TCPAddr)
	env := append(os.Environ(),
		"PYRO_NS_HOST=127.0.0.1", "PYRO_NS_PORT="+strconv.Itoa(ta.Port),
		"PYRO_BROADCAST_ADDRS=127.0.0.1", "PYRO_NS_BCPORT=9")
	if serializer != "" {
		env = append(env, "PYRO_SERIALIZER="+serializer)
	}
	return append(env, extra...)
}

// runPython runs a script with env and returns its combined output.
func runPython(t *testing.T, env []string, script string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append([]string{script}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// testdataScript returns the path of a script under testdata.
func testdataScript(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pollUntil calls f until it returns true or the deadline passes.
func pollUntil(t *testing.T, what string, timeout time.Duration, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startPythonNS starts Python's own name server on 127.0.0.1:port and stops
// it when the test ends (or when the returned stop is called).
func startPythonNS(t *testing.T, port int, env []string) (stop func()) {
	t.Helper()
	cmd := exec.Command(python, "-m", "Pyro4.naming", "-n", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting python name server: %v", err)
	}
	waited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(waited) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		_ = cmd.Process.Kill()
		<-waited
		t.Logf("python name server output:\n%s", out.String())
	}
	t.Cleanup(stop)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	pollUntil(t, "python name server to listen", 30*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return stop
}
