package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// joinFloodServe is the bench's -join-flood mode: it sends bad joins to
// the node at $BENCH_URL, trusting the CA of the node folder dir, from
// $BENCH_CONNS connections, until its stdin ends, then prints how many it
// sent and how many were answered.
func joinFloodServe(dir string) error {
	tc, err := clientTLS(dir)
	if err != nil {
		return err
	}
	conns, err := strconv.Atoi(os.Getenv("BENCH_CONNS"))
	if err != nil {
		return fmt.Errorf("BENCH_CONNS: %w", err)
	}
	url := os.Getenv("BENCH_URL") + "/api/v1/join"
	var stop atomic.Bool
	go func() { io.Copy(io.Discard, os.Stdin); stop.Store(true) }()
	var sent, answered atomic.Int64
	var wg sync.WaitGroup
	for f, c := range clients(options{clients: conns}, tc) {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				body := fmt.Sprintf(`{"token":"SMJ1.bad%d-%d","id":"X-%d","url":"https://127.0.0.1:1","csr":""}`, f, i, i)
				resp, err := c.Post(url, "application/json", strings.NewReader(body))
				sent.Add(1)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answered.Add(1)
			}
		})
	}
	wg.Wait()
	fmt.Println(sent.Load(), answered.Load())
	return nil
}

// idleFloodBench measures the writer alone and beside the joinflood
// part's flood sent by a process at idle priority (chrt -i 0): on this
// machine the flooder shares the node's two cores, and at idle priority
// it takes only the time the node and the writer leave, so what the
// writer loses then is what the flood costs the node itself.
func idleFloodBench(o options) error {
	n, tc, err := startLoadNode(o)
	if err != nil {
		return err
	}
	defer n.stop()
	writers := clients(options{clients: 16, http2: o.http2}, tc)
	if err := seedWriterSKUs(n, writers); err != nil {
		return err
	}
	sub := &subNode{benchNode: n, tls: tc, client: writers[0]}
	os.Setenv("BENCH_SOURCE", "127.0.0.2")
	defer os.Unsetenv("BENCH_SOURCE")
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var alone, beside []float64
	for round := range floodRounds {
		a, _ := runWriter(sub, o.duration, nil)
		cmd := exec.Command("chrt", "-i", "0", self, "-join-flood", n.dir)
		cmd.Env = append(os.Environ(), "BENCH_URL="+n.base, "BENCH_CONNS="+strconv.Itoa(joinFloodClients))
		in, err := cmd.StdinPipe()
		if err != nil {
			return err
		}
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, os.Stderr
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("starting the flood at idle priority (chrt): %w", err)
		}
		time.Sleep(time.Second)            // its connections opened
		if o.profile != "" && round == 0 { // the node beside the flood
			go profile(o)
		}
		c0 := cpuNow(n)
		b, _ := runWriter(sub, o.duration, nil)
		c1 := cpuNow(n).sub(c0)
		in.Close()
		if err := cmd.Wait(); err != nil {
			return fmt.Errorf("the flood: %w", err)
		}
		if a.errors > 0 || b.errors > 0 || a.ops == 0 || b.ops == 0 {
			return fmt.Errorf("the writer failed %d times alone and %d beside the flood, round %d", a.errors, b.errors, round+1)
		}
		fmt.Printf("idle flood, round %d: writer p99 alone %v, beside %v; flood (sent, answered) %s; node %.2f cores\n",
			round+1, a.p(99), b.p(99), strings.TrimSpace(out.String()), c1.node.Seconds()/c1.wall.Seconds())
		alone, beside = append(alone, float64(a.p(99))), append(beside, float64(b.p(99)))
	}
	ma, mb := median(alone), median(beside)
	fmt.Printf("  writer's p99 beside a flood at idle priority, median of %d rounds: %v → %v (%+.0f%%; target +20%%: %s)\n\n",
		floodRounds, time.Duration(ma).Round(10*time.Microsecond), time.Duration(mb).Round(10*time.Microsecond), 100*(mb/ma-1), verdict(mb <= 1.2*ma))
	return nil
}
