package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// freePorts returns P such that P, P+1 and P+2 were free a moment ago.
func freePorts(t *testing.T) int {
	t.Helper()
	for range 100 {
		p := testnode.FreePort(t)
		if p > 65533 {
			continue
		}
		free := true
		for _, q := range []int{p + 1, p + 2} {
			ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
			if err != nil {
				free = false
				break
			}
			ln.Close()
		}
		if free {
			return p
		}
	}
	t.Fatal("no three free consecutive loopback ports")
	return 0
}

// demoRun is a running scripts/demo.sh.
type demoRun struct {
	cmd      *exec.Cmd
	out, err *testnode.Buffer
	exited   chan struct{}
}

// startDemo runs scripts/demo.sh with the client at clientPath, in its own
// process group (killed at cleanup), under env added to a Spanish locale.
func startDemo(t *testing.T, clientPath string, env ...string) *demoRun {
	t.Helper()
	cmd := exec.Command("bash", testnode.RepoFile("scripts", "demo.sh"), testnode.Binary(t), clientPath)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=es_ES.UTF-8", "LC_ALL=es_ES.UTF-8"}, env...)
	d := &demoRun{cmd: cmd, out: &testnode.Buffer{}, err: &testnode.Buffer{}, exited: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = d.out, d.err
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-d.exited
		if t.Failed() {
			t.Logf("demo.sh stdout:\n%s\nstderr:\n%s", d.out, d.err)
		}
	})
	return d
}

// waitExit waits for the script to exit and returns its exit code.
func (d *demoRun) waitExit(t *testing.T) int {
	t.Helper()
	select {
	case <-d.exited:
		return d.cmd.ProcessState.ExitCode()
	case <-time.After(e2eDeadline):
		t.Fatalf("demo.sh still running after %v", e2eDeadline)
		return 0
	}
}

// TestDemoE2E runs `make demo`'s script under a Spanish locale on ports
// that STOCKMESH_DEMO_PORT moves: every warehouse gets its sample stock
// (prices written 4.50 are read the same in any locale), Ctrl-C stops
// them all with exit 0, and a second run, which finds the stock already
// there, starts again.
func TestDemoE2E(t *testing.T) {
	client := clientBinary(t)
	root := filepath.Join(t.TempDir(), "demo")
	port := freePorts(t)
	for run := 1; run <= 2; run++ {
		d := startDemo(t, client, "STOCKMESH_DEMO_DIR="+root, "STOCKMESH_DEMO_PORT="+strconv.Itoa(port))
		deadline := time.Now().Add(3 * e2eDeadline)
		for !strings.Contains(d.out.String(), "Console, against Madrid") { // the banner's end
			select {
			case <-d.exited:
				t.Fatalf("run %d: demo.sh exited %d before its banner", run, d.cmd.ProcessState.ExitCode())
			case <-time.After(200 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("run %d: no banner", run)
			}
		}
		if want := "https://localhost:" + strconv.Itoa(port+2) + "/#token="; !strings.Contains(d.out.String(), want) {
			t.Errorf("run %d: the banner does not show %s:\n%s", run, want, d.out)
		}
		for i, want := range []string{"CABLE-USB", "MONITOR-27", "TECLADO-ES"} {
			wh := []string{"MAD-1", "BCN-1", "VLC-1"}[i]
			env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LANG=C.UTF-8",
				"STOCKMESH_SERVER=https://localhost:" + strconv.Itoa(port+i),
				"STOCKMESH_CA=" + filepath.Join(root, "MAD-1", "tls", "ca.crt"),
				"STOCKMESH_TOKEN=" + readTrimmed(t, filepath.Join(root, wh, "admin.token"))}
			if r := runIn(t, env, t.TempDir(), "products"); r.code != 0 || !strings.Contains(r.stdout, want) {
				t.Errorf("run %d: %s has no %s: exit %d\n%s%s", run, wh, want, r.code, r.stdout, r.stderr)
			}
		}
		if err := syscall.Kill(-d.cmd.Process.Pid, syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		if code := d.waitExit(t); code != 0 {
			t.Errorf("run %d: Ctrl-C: demo.sh exited %d, want 0", run, code)
		}
	}
}

// TestDemoStopsOnFailure gives the demo a client that refuses everything:
// the demo stops with its reason and a non-zero exit, and prints no banner.
func TestDemoStopsOnFailure(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "stockmesh")
	script := "#!/bin/sh\necho 'Error: the warehouse is on fire' >&2\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	d := startDemo(t, fake, "STOCKMESH_DEMO_DIR="+filepath.Join(t.TempDir(), "demo"),
		"STOCKMESH_DEMO_PORT="+strconv.Itoa(freePorts(t)))
	if code := d.waitExit(t); code == 0 {
		t.Errorf("demo.sh exited 0 although every step failed")
	}
	if errs := d.err.String(); !strings.Contains(errs, "the warehouse is on fire") || !strings.Contains(errs, "product add --sku CABLE-USB") {
		t.Errorf("demo.sh did not say which step failed and why:\n%s", errs)
	}
	if strings.Contains(d.out.String(), "stockmesh demo:") {
		t.Errorf("demo.sh printed its banner after a failed step:\n%s", d.out)
	}
}

// readTrimmed returns the file's content without surrounding space.
func readTrimmed(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
