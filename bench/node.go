package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// benchNode is a stockmeshd the bench started on a temp data dir.
type benchNode struct {
	dir, url, token string
	cmd             *exec.Cmd
	log             string
}

// startNode starts o.node on a new temp data dir and 127.0.0.1, with extra
// flags, and waits until it serves.
func startNode(o options, extra ...string) (*benchNode, error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-node-")
	if err != nil {
		return nil, err
	}
	n := &benchNode{dir: dir, log: filepath.Join(dir, "node.log")}
	logf, err := os.Create(n.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	n.cmd = exec.Command(o.node, append([]string{"--data", dir, "--listen", "127.0.0.1:0"}, extra...)...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	if err := n.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting %s (run make build first): %w", o.node, err)
	}
	if n.url, n.token, err = waitNode(dir); err != nil {
		n.stop()
		return nil, err
	}
	return n, nil
}

// pid returns the node's process id.
func (n *benchNode) pid() int { return n.cmd.Process.Pid }

// stop shuts the node down gracefully and removes its data.
func (n *benchNode) stop() {
	_ = n.cmd.Process.Signal(os.Interrupt)
	_ = n.cmd.Wait()
	os.RemoveAll(n.dir)
}
