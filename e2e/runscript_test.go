package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// runScript is a running scripts/run-node.sh.
type runScript struct {
	cmd    *exec.Cmd
	out    *testnode.Buffer // its stdout
	errs   *testnode.Buffer // its stderr, with the node's log
	exited chan struct{}    // closed when it has exited, with err set
	err    error
}

// startRunScript starts scripts/run-node.sh (what `make run` runs) on data,
// listening on listen, in its own process group, killed at cleanup.
func startRunScript(t *testing.T, data, listen string) *runScript {
	t.Helper()
	cmd := exec.Command("bash", testnode.RepoFile("scripts", "run-node.sh"), testnode.Binary(t), data)
	cmd.Env = append(os.Environ(), "STOCKMESH_LISTEN="+listen)
	out, errs := &testnode.Buffer{}, &testnode.Buffer{}
	cmd.Stdout, cmd.Stderr = out, errs
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rs := &runScript{cmd: cmd, out: out, errs: errs, exited: make(chan struct{})}
	go func() { rs.err = cmd.Wait(); close(rs.exited) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-rs.exited
		if t.Failed() {
			t.Logf("run-node.sh stdout:\n%s\nstderr:\n%s", out, errs)
		}
	})
	return rs
}

// wait waits up to exitTimeout for the script to exit and returns its exit
// code.
func (rs *runScript) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-rs.exited:
		if ee, ok := rs.err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if rs.err != nil {
			t.Fatal(rs.err)
		}
		return 0
	case <-time.After(exitTimeout):
		t.Fatalf("run-node.sh still running after %v", exitTimeout)
		return 0
	}
}

func TestRunScriptPortTaken(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	data := t.TempDir()
	// What a previous run leaves behind: the banner used to trust these.
	for name, content := range map[string]string{"node.addr": taken.Addr().String(), "admin.token": "smk_stale"} {
		if err := os.WriteFile(filepath.Join(data, name), []byte(content+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rs := startRunScript(t, data, taken.Addr().String())
	if code := rs.wait(t); code == 0 {
		t.Errorf("run-node.sh exited 0 with the port taken")
	}
	if strings.Contains(rs.out.String(), "Playground") {
		t.Errorf("run-node.sh printed the banner for a node that did not start:\n%s", rs.out)
	}
}

func TestRunScriptBanner(t *testing.T) {
	rs := startRunScript(t, t.TempDir(), "127.0.0.1:0")
	deadline := time.Now().Add(exitTimeout)
	// The banner prints the playground's link, then the dashboard's.
	for !strings.Contains(rs.out.String(), "Dashboard:   https://127.0.0.1:") {
		select {
		case <-rs.exited:
			t.Fatalf("run-node.sh exited (%v) before printing the banner", rs.err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner after %v", exitTimeout)
		}
	}
	for _, want := range []string{"Playground:  https://127.0.0.1:", "/dashboard#token="} {
		if !strings.Contains(rs.out.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, rs.out)
		}
	}
	// Ctrl-C in a terminal signals the whole process group.
	if err := syscall.Kill(-rs.cmd.Process.Pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if code := rs.wait(t); code != 0 {
		t.Errorf("run-node.sh exited %d after Ctrl-C, want 0: a stop the user asked for is not an error", code)
	}
	if !strings.Contains(rs.errs.String(), "shutting down") {
		t.Errorf("the node did not log a graceful shutdown:\n%s", rs.errs)
	}
}
