package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// joinFloodServe is the bench's -join-flood mode: it sends bad joins to
// the node at $BENCH_URL, trusting the CA of the node folder dir, from
// $BENCH_CONNS connections, until its stdin ends, then prints what was
// sent and answered.
func joinFloodServe(dir string) error {
	tc, err := clientTLS(dir)
	if err != nil {
		return err
	}
	conns, err := strconv.Atoi(os.Getenv("BENCH_CONNS"))
	if err != nil {
		return fmt.Errorf("BENCH_CONNS: %w", err)
	}
	r := &requestFlood{base: os.Getenv("BENCH_URL"), conns: conns, tc: tc, newReq: badJoin}
	t0 := time.Now()
	if err := r.start(0); err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := r.stop(); err != nil {
		return err
	}
	fmt.Println(r.report(time.Since(t0)))
	return nil
}

// idleFloodBench is joinFloodBench with the flood sent by a process at
// idle priority (chrt -i 0): on this machine the flooder shares the node's
// two cores, and at idle priority it takes only the time the node and the
// writer leave, so what the writer loses then is what the flood costs the
// node itself.
func idleFloodBench(o options) error {
	return floodBench(o, "joinflood-idle", func(n *benchNode, _ *tls.Config) flooder {
		return &idleFlood{n: n, conns: joinFloodClients}
	}, joinMetrics)
}

// idleFlood is a join flood from a child process at idle priority (the
// bench's -join-flood mode).
type idleFlood struct {
	n       *benchNode
	conns   int
	cmd     *exec.Cmd
	in      io.WriteCloser
	out     strings.Builder
	reports []string
}

func (f *idleFlood) start(int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f.out.Reset()
	f.cmd = exec.Command("chrt", "-i", "0", self, "-join-flood", f.n.dir)
	f.cmd.Env = append(os.Environ(), "BENCH_URL="+f.n.base, "BENCH_CONNS="+strconv.Itoa(f.conns))
	if f.in, err = f.cmd.StdinPipe(); err != nil {
		return err
	}
	f.cmd.Stdout, f.cmd.Stderr = &f.out, os.Stderr
	if err := f.cmd.Start(); err != nil {
		return fmt.Errorf("starting the flood at idle priority (chrt): %w", err)
	}
	time.Sleep(time.Second) // its connections opened
	return nil
}

func (f *idleFlood) stop() error {
	f.in.Close()
	if err := f.cmd.Wait(); err != nil {
		return fmt.Errorf("the flood: %w", err)
	}
	f.reports = append(f.reports, strings.TrimSpace(f.out.String()))
	return nil
}

func (f *idleFlood) report(time.Duration) string {
	return "each round's, from a process at idle priority: " + strings.Join(f.reports, "; ")
}
