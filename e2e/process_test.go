package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// exitTimeout bounds how long a stockmeshd that cannot start may take to
// say so and exit; the race-enabled binary is slow to start.
const exitTimeout = 30 * time.Second

// runToExit runs stockmeshd with args and returns its output and exit code,
// failing the test when it has not exited within exitTimeout.
func runToExit(t *testing.T, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exitTimeout)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, testnode.Binary(t), args...).CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("stockmeshd %v still running after %v; output:\n%s", args, exitTimeout, out)
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("stockmeshd %v exited with %d after %v", args[:2], code, time.Since(start).Round(time.Millisecond))
	return string(out), code
}

// waitLockedBy waits until the lock file at path names pid: the process
// holds it.
func waitLockedBy(t *testing.T, path string, pid int) {
	t.Helper()
	want := strconv.Itoa(pid) + " "
	for deadline := time.Now().Add(testnode.StartTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(path); strings.HasPrefix(string(b), want) {
			return
		}
	}
	t.Fatalf("%s never named pid %d", path, pid)
}

// TestOneProcessPerDataFolder: a second node or dbworker on a data folder
// in use exits at once, naming the process in the way; after that process
// is killed (SIGKILL, no clean-up), a new one starts on the folder.
func TestOneProcessPerDataFolder(t *testing.T) {
	cases := []struct {
		name          string
		first, second string // "node" (handler in process) or "dbworker"
		lock          string // the lock file the second runs into
	}{
		{"node then node", "node", "node", "node.lock"},
		{"dbworker then dbworker", "dbworker", "dbworker", "database.lock"},
		{"node then dbworker", "node", "dbworker", "database.lock"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := t.TempDir()
			queue := "ipc://" + filepath.Join(t.TempDir(), "q.sock")
			start := func(kind string) *testnode.Proc {
				if kind == "node" {
					return testnode.StartIn(t, data, "127.0.0.1:0").Proc
				}
				p := testnode.StartWorker(t, data, queue)
				waitLockedBy(t, filepath.Join(data, "database.lock"), p.PID())
				return p
			}
			first := start(c.first)
			args := []string{"--data", data, "--listen", "127.0.0.1:0"}
			if c.second == "dbworker" {
				args = []string{"dbworker", "--data", data, "--queue", queue}
			}
			out, code := runToExit(t, args...)
			want := fmt.Sprintf("data folder %s is in use by stockmeshd %s (pid %d); stop it first", data, c.first, first.PID())
			if code == 0 || !strings.Contains(out, want) {
				t.Fatalf("second %s: exit code %d, output:\n%s\nwant a non-zero exit saying %q", c.second, code, out, want)
			}
			first.Kill()
			start(c.second)
			if c.second == "dbworker" { // it serves, too
				n := testnode.StartIn(t, t.TempDir(), "127.0.0.1:0", "--queue", queue)
				mustCreate(t, n, "L1", 1)
			}
		})
	}
}

// TestStartFailureExits: when any part of a node cannot start, the node
// exits at once with a non-zero status and the reason, whatever else had
// started (a node with Pyro4 whose HTTPS port was taken used to hang).
func TestStartFailureExits(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	busy := taken.Addr().String()
	cases := []struct {
		name  string
		flags []string
	}{
		{"https port taken", []string{"--listen", busy}},
		{"https port taken, with pyro", []string{"--listen", busy, "--pyro", testnode.FreeAddr(t)}},
		{"https port taken, with pyro and its name server", []string{"--listen", busy,
			"--pyro", testnode.FreeAddr(t), "--pyro-ns-embedded", testnode.FreeAddr(t)}},
		{"pyro port taken", []string{"--listen", "127.0.0.1:0", "--pyro", busy}},
		{"pprof port taken", []string{"--listen", "127.0.0.1:0", "--pprof", busy}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, code := runToExit(t, append([]string{"--data", t.TempDir()}, c.flags...)...)
			if code == 0 || !strings.Contains(out, busy) || !strings.Contains(out, "address already in use") {
				t.Fatalf("exit code %d, output:\n%s\nwant a non-zero exit naming %s in use", code, out, busy)
			}
		})
	}
}

// TestReadyz: /readyz says whether the database handler answers, here a
// separate dbworker that is killed and started again; /healthz says only
// that the node is alive, and needs no token either.
func TestReadyz(t *testing.T) {
	data := t.TempDir()
	queue := "ipc://" + filepath.Join(data, "q.sock")
	worker := testnode.StartWorker(t, data, queue)
	n := testnode.StartIn(t, data, "127.0.0.1:0", "--queue", queue)
	expect := func(path string, status int, contains string) {
		t.Helper()
		got, ct, body := request(t, n, "GET", path, "", nil, "")
		if got != status || ct != "application/json" || !strings.Contains(body, contains) {
			t.Fatalf("GET %s: %d %s %s; want %d with %s", path, got, ct, body, status, contains)
		}
	}
	expect("/readyz", http.StatusOK, `{"status":"ready","warehouse":"WH-1"}`)
	worker.Kill()
	expect("/readyz", http.StatusServiceUnavailable,
		`{"error":{"code":"UNAVAILABLE","message":"not ready: the database is busy or unreachable, try again"}}`)
	expect("/healthz", http.StatusOK, `"status":"ok"`)
	testnode.StartWorker(t, data, queue)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if status, _, _ := request(t, n, "GET", "/readyz", "", nil, ""); status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz not 200 within 60s of the dbworker's return")
		}
	}
	mustCreate(t, n, "Y1", 1)
}

// TestSocketFilesRemoved: a dbworker stopped cleanly removes the socket
// files of its ipc queue and events addresses; a node stopped cleanly
// leaves nothing of the queue behind either.
func TestSocketFilesRemoved(t *testing.T) {
	data := t.TempDir()
	sock := filepath.Join(t.TempDir(), "q.sock")
	worker := testnode.StartWorker(t, data, "ipc://"+sock)
	n := testnode.StartIn(t, data, "127.0.0.1:0", "--queue", "ipc://"+sock)
	mustCreate(t, n, "F1", 1)
	for _, f := range []string{sock, sock + ".events"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("while serving: %v", err)
		}
	}
	n.Stop()
	worker.Stop()
	for _, f := range []string{sock, sock + ".events"} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s after a clean stop: %v; want it removed", f, err)
		}
	}
}
