package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"github.com/stockmesh/stockmesh/server/pki"
)

// The anchor is the least any websocket server can do for the subscriber
// benchmark: a bare gorilla/websocket TLS server that answers the
// graphql-transport-ws handshake, and then, driven at the benchmark's rate,
// encodes each event once (stamped with its own "commit" time) and hands
// the same frame bytes to every connection that asked for it; one writer
// goroutine per connection writes every frame waiting for it in one write.
// It runs as a child process of the benchmark (-anchor-serve), so that its
// CPU is measured apart from the clients', the same way as the node's.

// anchorRun starts the anchor, measures its CPU emitting o.rate events/s
// with no connections, connects o.subs subscribers with the same clients
// and queries as the node's, emits o.rate events/s for o.duration, and
// returns what the clients received.
func anchorRun(o options, c subCase) (fanResult, error) {
	res := fanResult{name: "anchor"}
	a, err := startAnchor()
	if err != nil {
		return res, err
	}
	defer a.stop()
	cpu0 := a.cpu()
	if _, err := a.emit(o.rate, o.duration, o.skus); err != nil {
		return res, err
	}
	res.idleCPU = a.cpu() - cpu0
	start := time.Now()
	ws, took, err := dialWatchers(a.ep, o.subs, start, c.query)
	if err != nil && len(ws) == 0 {
		return res, err
	} else if err != nil {
		fmt.Println("  anchor, connecting:", err)
	}
	if err := a.waitConns(len(ws)); err != nil {
		closeWatchers(ws)
		return res, err
	}
	fmt.Printf("  anchor: %d subscribers connected in %v\n", len(ws), took.Round(time.Millisecond))
	cpu0 = a.cpu()
	sent, err := a.emit(o.rate, o.duration, o.skus)
	if err != nil {
		closeWatchers(ws)
		return res, err
	}
	for _, w := range ws {
		if w.sku < 0 {
			res.expected += int64(sent)
		} else {
			res.expected += int64(sent / o.skus) // skus are taken in turn
			if w.sku < sent%o.skus {
				res.expected++
			}
		}
	}
	fmt.Println("  anchor, waiting for delivery:", drain(ws, res.expected))
	res.cpu = a.cpu() - cpu0 - res.idleCPU
	closeWatchers(ws)
	res.collect(ws)
	return res, nil
}

// anchorProc is the anchor's child process.
type anchorProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	ep  endpoint
	dir string
}

// startAnchor starts the anchor with a fresh certificate and waits for its address.
func startAnchor() (*anchorProc, error) {
	dir, err := os.MkdirTemp("", "stockmesh-bench-anchor-")
	if err != nil {
		return nil, err
	}
	files, err := pki.Ensure(dir, nil) // a CA and a certificate for localhost, as a node makes them
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	tc, err := pki.ClientConfig(files.CACert)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	a := &anchorProc{cmd: exec.Command(self, "-anchor-serve", dir), dir: dir}
	a.cmd.Stderr = os.Stderr
	if a.in, err = a.cmd.StdinPipe(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	stdout, err := a.cmd.StdoutPipe()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	a.out = bufio.NewScanner(stdout)
	if err := a.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("starting the anchor: %w", err)
	}
	addr, err := a.answer("addr")
	if err != nil {
		a.stop()
		return nil, err
	}
	a.ep = endpoint{url: "wss://" + addr + "/graphql", tls: tc, token: "anchor"}
	return a, nil
}

// answer reads the anchor's next line, which must start with word, and
// returns the rest.
func (a *anchorProc) answer(word string) (string, error) {
	if !a.out.Scan() {
		return "", fmt.Errorf("the anchor ended before answering %q: %v", word, a.out.Err())
	}
	line := a.out.Text()
	rest, ok := strings.CutPrefix(line, word+" ")
	if !ok {
		return "", fmt.Errorf("the anchor answered %q, want %s", line, word)
	}
	return rest, nil
}

// emit has the anchor send rate events/s over skus for d; it returns how
// many events it sent.
func (a *anchorProc) emit(rate int, d time.Duration, skus int) (int, error) {
	if _, err := fmt.Fprintf(a.in, "emit %d %d %d\n", rate, d, skus); err != nil {
		return 0, err
	}
	s, err := a.answer("sent")
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// waitConns waits until the anchor holds n subscribed connections.
func (a *anchorProc) waitConns(n int) error {
	if _, err := fmt.Fprintf(a.in, "wait %d\n", n); err != nil {
		return err
	}
	_, err := a.answer("conns")
	return err
}

// cpu returns the CPU time the anchor has used.
func (a *anchorProc) cpu() time.Duration {
	return cpuOf(a.cmd.Process.Pid)
}

// stop ends the anchor and removes its folder.
func (a *anchorProc) stop() {
	a.in.Close()
	done := make(chan struct{})
	go func() { _ = a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = a.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(a.dir)
}

// anchorServe is the anchor process: it serves websockets on a free
// loopback port with the certificate pki.Ensure made in dir, prints "addr HOST:PORT", and
// then obeys its parent's commands on stdin: "emit RATE NANOS SKUS"
// (answered "sent N" when done) and "wait N" (answered "conns N" once N
// connections have subscribed). It returns when stdin closes.
func anchorServe(dir string) error {
	files := pki.FilesIn(dir)
	tc, err := pki.ServerConfig(files.Cert, files.Key)
	if err != nil {
		return err
	}
	tc.NextProtos = []string{"http/1.1"}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", tc)
	if err != nil {
		return err
	}
	s := &anchorServer{}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Shutdown(context.Background())
	fmt.Printf("addr %s\n", ln.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 4 && f[0] == "emit":
			rate, _ := strconv.Atoi(f[1])
			d, _ := strconv.ParseInt(f[2], 10, 64)
			skus, _ := strconv.Atoi(f[3])
			fmt.Printf("sent %d\n", s.emit(max(rate, 1), time.Duration(d), max(skus, 1)))
		case len(f) == 2 && f[0] == "wait":
			n, _ := strconv.Atoi(f[1])
			for s.count() < n {
				time.Sleep(10 * time.Millisecond)
			}
			fmt.Printf("conns %d\n", s.count())
		default:
			return fmt.Errorf("anchor: unknown command %q", in.Text())
		}
	}
	s.closeAll()
	return nil
}

// anchorServer holds the anchor's subscribed connections.
type anchorServer struct {
	mu    sync.Mutex
	conns map[*anchorConn]struct{}
	seq   int
	qty   map[int]int64
}

// anchorConn is one subscribed connection and its writer's pending frames.
type anchorConn struct {
	nc   net.Conn
	sku  int // -1: every event
	kick chan struct{}

	mu      sync.Mutex
	pending []byte
	closed  bool
}

var (
	anchorUpgrader = websocket.Upgrader{Subprotocols: []string{"graphql-transport-ws"}}
	skuFilter      = regexp.MustCompile(`sku:\s*"B-(\d+)"`)
)

// ServeHTTP answers the handshake (connection_init, then subscribe) and
// registers the connection.
func (s *anchorServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ws, err := anchorUpgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	var m struct {
		Type    string
		Payload struct{ Query string }
	}
	if ws.ReadJSON(&m) != nil || m.Type != "connection_init" {
		return
	}
	if ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"connection_ack"}`)) != nil {
		return
	}
	if ws.ReadJSON(&m) != nil || m.Type != "subscribe" {
		return
	}
	c := &anchorConn{nc: ws.NetConn(), sku: -1, kick: make(chan struct{}, 1)}
	if x := skuFilter.FindStringSubmatch(m.Payload.Query); x != nil {
		c.sku, _ = strconv.Atoi(x[1])
	}
	s.mu.Lock()
	if s.conns == nil {
		s.conns = map[*anchorConn]struct{}{}
	}
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	go c.write()
	for { // until the client goes; it sends nothing more
		if _, _, err := ws.NextReader(); err != nil {
			break
		}
	}
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	c.close()
}

// count returns how many connections have subscribed.
func (s *anchorServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// emit sends rate events/s for d, sku after sku, and returns how many.
func (s *anchorServer) emit(rate int, d time.Duration, skus int) int {
	period := time.Second / time.Duration(rate)
	t0 := time.Now()
	n := 0
	for ; time.Duration(n)*period < d; n++ {
		time.Sleep(time.Until(t0.Add(time.Duration(n) * period)))
		s.event(n % skus)
	}
	return n
}

// event encodes one event of sku once and hands its frame to every
// connection that asked for it.
func (s *anchorServer) event(sku int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.qty == nil {
		s.qty = map[int]int64{}
	}
	s.seq++
	s.qty[sku]++
	msg := fmt.Appendf(nil, `{"id":"1","type":"next","payload":{"data":{"stockChanged":{"sku":"B-%d","quantity":%d,"merged":false,"at":%q,"movement":{"id":"ANCHOR:%d"}}}}}`,
		sku, s.qty[sku], time.Now().UTC().Format(time.RFC3339Nano), s.seq)
	frame := append(wsTextHeader(len(msg)), msg...)
	for c := range s.conns {
		if c.sku < 0 || c.sku == sku {
			c.queue(frame)
		}
	}
}

// wsTextHeader is the header of an unmasked final text frame of n bytes.
func wsTextHeader(n int) []byte {
	switch {
	case n < 126:
		return []byte{0x81, byte(n)}
	case n <= 0xffff:
		return []byte{0x81, 126, byte(n >> 8), byte(n)}
	default:
		b := []byte{0x81, 127, 0, 0, 0, 0, 0, 0, 0, 0}
		for i := range 8 {
			b[9-i] = byte(n >> (8 * i))
		}
		return b
	}
}

// queue appends frame for the writer.
func (c *anchorConn) queue(frame []byte) {
	c.mu.Lock()
	c.pending = append(c.pending, frame...)
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// write writes everything pending in one write each time it is kicked.
func (c *anchorConn) write() {
	var out []byte
	var deadline time.Time
	for range c.kick {
		c.mu.Lock()
		out, c.pending = c.pending, out[:0]
		closed := c.closed
		c.mu.Unlock()
		if closed {
			return
		}
		if len(out) == 0 {
			continue
		}
		if now := time.Now(); deadline.Sub(now) < 5*time.Second { // moved as rarely as the node does
			deadline = now.Add(10 * time.Second)
			_ = c.nc.SetWriteDeadline(deadline)
		}
		if _, err := c.nc.Write(out); err != nil {
			if !errors.Is(err, net.ErrClosed) {
				_ = c.nc.Close()
			}
			return
		}
	}
}

// close stops the writer.
func (c *anchorConn) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// closeAll closes every connection.
func (s *anchorServer) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		_ = c.nc.Close()
	}
}
