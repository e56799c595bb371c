package main

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
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
	if os.Getenv("BENCH_NEW_CONNS") != "" {
		r.newConns, r.handshakeWait = true, impatientHandshake
	}
	if os.Getenv("BENCH_DECOY") != "" {
		ln, err := decoy()
		if err != nil {
			return err
		}
		defer ln.Close()
		r.base = "https://" + ln.Addr().String()
	}
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

// decoy listens on 127.0.0.1 and treats every connection as the node
// treats one it refuses before its handshake (node.perAddress): held
// unread for a second, at most 1,024 at once, the others closed at once.
// A flood sent to it costs this machine what the flood itself costs (the
// flooder, the kernel's TCP work), and nothing of the node's.
func decoy() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	held := make(chan struct{}, 1024)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			select {
			case held <- struct{}{}:
				time.AfterFunc(time.Second, func() { c.Close(); <-held })
			default:
				c.Close()
			}
		}
	}()
	return ln, nil
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

// impatientFloodClients goroutines each open a new connection per bad
// join in the joinflood-new-idle part, and give up a handshake after
// impatientHandshake: together they attempt over 10,000 connections a
// second from one address, as the trust issue's flood does.
const (
	impatientFloodClients = 1000
	impatientHandshake    = 50 * time.Millisecond
)

// decoyFloodBench is idleNewConnFloodBench's flood sent to a decoy
// instead of the node: the writer's p99 beside it is what the flood costs
// this machine whatever the node does, the control of that part.
func decoyFloodBench(o options) error {
	return floodBench(o, "joinflood-decoy", func(n *benchNode, _ *tls.Config) flooder {
		return &idleFlood{n: n, conns: impatientFloodClients, newConns: true, decoy: true}
	}, joinMetrics)
}

// idleNewConnFloodBench is newConnFloodBench with the flood sent by a
// process at idle priority, as idleFloodBench does.
func idleNewConnFloodBench(o options) error {
	return floodBench(o, "joinflood-new-idle", func(n *benchNode, _ *tls.Config) flooder {
		return &idleFlood{n: n, conns: impatientFloodClients, newConns: true}
	}, joinMetrics)
}

// idleFlood is a join flood from a child process at idle priority (the
// bench's -join-flood mode).
type idleFlood struct {
	n        *benchNode
	conns    int
	newConns bool // each join over a new connection
	decoy    bool // sent to a decoy (see decoy), not to the node
	cmd      *exec.Cmd
	in       io.WriteCloser
	out      strings.Builder
	reports  []string
}

func (f *idleFlood) start(int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	f.out.Reset()
	args := []string{"chrt", "-i", "0", self, "-join-flood", f.n.dir}
	if cpu := os.Getenv("BENCH_FLOOD_CPU"); cpu != "" {
		args = append([]string{"taskset", "-c", cpu}, args...)
	}
	f.cmd = exec.Command(args[0], args[1:]...)
	f.cmd.Env = append(os.Environ(), "BENCH_URL="+f.n.base, "BENCH_CONNS="+strconv.Itoa(f.conns))
	if f.newConns {
		f.cmd.Env = append(f.cmd.Env, "BENCH_NEW_CONNS=1")
	}
	if f.decoy {
		f.cmd.Env = append(f.cmd.Env, "BENCH_DECOY=1")
	}
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
