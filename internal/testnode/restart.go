package testnode

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TryRestart starts the node again on the same data, port and flags, after
// Stop or Kill, as Restart does; but when the process exits while starting
// (stockmeshd stops on any failure at start, for its service manager to
// start it again) it returns an error with the log's last line instead of
// failing the test, and the node stays as it was, so that the caller may
// try again as a service manager would. It fails the test when the node
// neither serves nor exits within StartTimeout.
func (n *Node) TryRestart(t testing.TB) error {
	t.Helper()
	n.Kill()
	_ = os.Remove(filepath.Join(n.DataDir, "node.addr"))
	m := &Node{DataDir: n.DataDir, CAFile: n.CAFile, extra: n.extra}
	m.Proc = start(t, filepath.Join(n.DataDir, "node.log"), append([]string{"--data", n.DataDir, "--listen", n.Addr}, n.extra...)...)
	if err := m.waitServing(t); err != nil {
		return err
	}
	*n = *m
	return nil
}

// waitServing waits until the node has written its address and admin token
// and answers /healthz. It returns an error with the log's last line when
// the process exits first, and fails the test when the node neither serves
// nor exits within StartTimeout.
func (n *Node) waitServing(t testing.TB) error {
	t.Helper()
	for deadline := time.Now().Add(StartTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if n.Exited() {
			return fmt.Errorf("stockmeshd exited while starting (code %d): %s", n.cmd.ProcessState.ExitCode(), lastLine(filepath.Join(n.DataDir, "node.log")))
		}
		addr, err1 := os.ReadFile(filepath.Join(n.DataDir, "node.addr"))
		token, err2 := os.ReadFile(filepath.Join(n.DataDir, "admin.token"))
		if err1 != nil || err2 != nil || len(addr) == 0 {
			continue
		}
		n.Addr, n.Token = strings.TrimSpace(string(addr)), strings.TrimSpace(string(token))
		n.URL = "https://" + n.Addr
		if n.client == nil {
			n.connect(t)
		}
		if resp, err := n.client.Get(n.URL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	t.Fatalf("stockmeshd did not serve within %v", StartTimeout)
	return nil
}

// lastLine returns the last line of the file at path.
func lastLine(path string) string {
	b, _ := os.ReadFile(path)
	s := strings.TrimSpace(string(b))
	return s[strings.LastIndexByte(s, '\n')+1:]
}
