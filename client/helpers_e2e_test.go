package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// e2eDeadline bounds every wait of the end-to-end tests; the machine is
// shared and slow, so it is generous.
const e2eDeadline = 90 * time.Second

// clientBuild is the stockmesh binary built once for this test binary.
var clientBuild struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the built client and node after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if clientBuild.dir != "" {
		os.RemoveAll(clientBuild.dir)
	}
	testnode.RemoveBinary()
	os.Exit(code)
}

// clientBinary builds stockmesh with CGO_ENABLED=0, once.
func clientBinary(t *testing.T) string {
	t.Helper()
	clientBuild.once.Do(func() {
		clientBuild.dir, clientBuild.err = os.MkdirTemp("", "stockmesh-client-")
		if clientBuild.err != nil {
			return
		}
		clientBuild.path = filepath.Join(clientBuild.dir, "stockmesh")
		cmd := exec.Command("go", "build", "-o", clientBuild.path, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			clientBuild.err = fmt.Errorf("building stockmesh: %v\n%s", err, out)
		}
	})
	if clientBuild.err != nil {
		t.Fatal(clientBuild.err)
	}
	return clientBuild.path
}

// clientEnv is the environment under which the client reaches node: settings
// from the STOCKMESH_ variables, English, and an empty home (no config file).
func clientEnv(t *testing.T, node *testnode.Node) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"LANG=C.UTF-8",
		"STOCKMESH_SERVER=" + node.URL,
		"STOCKMESH_TOKEN=" + node.Token,
		"STOCKMESH_CA=" + node.CAFile,
	}
}

// result is what one run of the client produced.
type result struct {
	stdout, stderr string
	code           int
}

// runClient runs stockmesh with args against node and waits for it.
func runClient(t *testing.T, node *testnode.Node, args ...string) result {
	t.Helper()
	return runIn(t, clientEnv(t, node), t.TempDir(), args...)
}

// runIn runs stockmesh with args under env in dir and waits for it.
func runIn(t *testing.T, env []string, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, clientBinary(t), args...)
	cmd.Env, cmd.Dir = env, dir
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("running stockmesh %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// tmuxSession is the client running in a detached tmux pane of its own
// tmux server.
type tmuxSession struct {
	t      *testing.T
	socket string
	before string // the whole pane history when keys were last sent
}

// startTmux runs stockmesh with args in a 120×40 tmux pane. When the client
// exits, the pane shows "[exit CODE]" and stays.
func startTmux(t *testing.T, node *testnode.Node, args ...string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	var b strings.Builder
	b.WriteString("#!/bin/sh\ntrap true INT\n") // Ctrl-C is for the client, not this script
	for _, kv := range clientEnv(t, node) {
		k, v, _ := strings.Cut(kv, "=")
		fmt.Fprintf(&b, "export %s='%s'\n", k, v)
	}
	fmt.Fprintf(&b, "cd '%s'\n'%s'", dir, clientBinary(t))
	for _, a := range args {
		fmt.Fprintf(&b, " '%s'", a)
	}
	b.WriteString("\necho \"[exit $?]\"\nsleep 600\n")
	if err := os.WriteFile(script, []byte(b.String()), 0o700); err != nil {
		t.Fatal(err)
	}
	s := &tmuxSession{t: t, socket: fmt.Sprintf("stockmesh-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	s.tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", "main", script)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", s.socket, "kill-server").Run() })
	return s
}

// tmux runs a tmux command on the session's server.
func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-u", "-L", s.socket}, args...)...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// screen returns the visible pane.
func (s *tmuxSession) screen() string { return s.tmux("capture-pane", "-p", "-t", "main") }

// history returns the whole pane, scrollback included.
func (s *tmuxSession) history() string { return s.tmux("capture-pane", "-p", "-S", "-", "-t", "main") }

// send types keys (tmux key names such as Enter or C-c) into the pane.
func (s *tmuxSession) send(keys ...string) {
	s.t.Helper()
	s.before = s.history()
	s.tmux(append([]string{"send-keys", "-t", "main"}, keys...)...)
}

// line types text and Enter.
func (s *tmuxSession) line(text string) {
	s.t.Helper()
	if text == "" {
		s.send("Enter")
		return
	}
	s.send("-l", text)
	s.tmux("send-keys", "-t", "main", "Enter")
}

// expect waits until text appears once more than it had when keys were last
// sent.
func (s *tmuxSession) expect(text string) {
	s.t.Helper()
	had := strings.Count(s.before, text)
	s.waitFor(fmt.Sprintf("%q to appear", text), s.history, func(h string) bool {
		return strings.Count(h, text) > had
	})
}

// waitScreen waits until the visible pane satisfies ok and returns it.
func (s *tmuxSession) waitScreen(what string, ok func(screen string) bool) string {
	s.t.Helper()
	return s.waitFor(what, s.screen, ok)
}

// waitFor polls capture until ok, failing the test after e2eDeadline.
func (s *tmuxSession) waitFor(what string, capture func() string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(e2eDeadline)
	for {
		c := capture()
		if ok(c) {
			return c
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waiting for %s; the pane shows:\n%s", what, c)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
