// Package faultproxy is a TCP proxy for tests that cuts and heals links:
// multi-node tests put one in front of each node (Start: every connection
// to the node) and one behind it (StartConnect: an HTTP CONNECT proxy the
// node sends its own calls to other nodes through, --peer-proxy), and cut
// both to take the node off the network without touching the node itself.
package faultproxy

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Proxy forwards the TCP connections it accepts on a loopback port to a
// target address. Cut closes every connection and refuses new ones (they
// are accepted and closed at once, as a reset link looks) until Heal.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	cut    bool
	tunnel bool // an HTTP CONNECT proxy: each connection names its target
	conns  map[net.Conn]struct{}
	closed bool
	// blocked holds the targets a CONNECT proxy refuses, and targets
	// where each client connection of a CONNECT proxy tunnels to.
	blocked map[string]bool
	targets map[net.Conn]string
	// redirect holds, by the address a CONNECT request names, where a
	// CONNECT proxy tunnels instead.
	redirect map[string]string
	wg       sync.WaitGroup
}

// Start listens on 127.0.0.1 on a free port and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{},
		blocked: map[string]bool{}, targets: map[net.Conn]string{}, redirect: map[string]string{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// StartConnect listens on 127.0.0.1 on a free port as an HTTP CONNECT
// proxy that tunnels to loopback addresses only.
func StartConnect() (*Proxy, error) {
	p, err := Start("")
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.tunnel = true
	p.mu.Unlock()
	return p, nil
}

// URL returns the proxy's URL, for --peer-proxy.
func (p *Proxy) URL() string { return "http://" + p.Addr() }

// Addr returns the address clients connect to, host:port.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut closes every open connection and refuses new ones until Heal.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for c := range p.conns {
		c.Close()
	}
}

// Heal forwards new connections again.
func (p *Proxy) Heal() {
	p.mu.Lock()
	p.cut = false
	p.mu.Unlock()
}

// Block makes a CONNECT proxy refuse tunnels to addr (host:port, as the
// CONNECT request names it) and closes those open, until Unblock: the
// node behind it is cut off from that one address while it reaches every
// other. It has no effect on a proxy made by Start.
func (p *Proxy) Block(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked[addr] = true
	for c, target := range p.targets {
		if target == addr {
			c.Close()
		}
	}
}

// Unblock tunnels to addr again.
func (p *Proxy) Unblock(addr string) {
	p.mu.Lock()
	delete(p.blocked, addr)
	p.mu.Unlock()
}

// Redirect makes a CONNECT proxy tunnel the connections that name addr
// to to instead (another server answering at addr's address), closing
// those open; Redirect(addr, "") ends it. It has no effect on a proxy made
// by Start.
func (p *Proxy) Redirect(addr, to string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if to == "" {
		delete(p.redirect, addr)
	} else {
		p.redirect[addr] = to
	}
	for c, target := range p.targets {
		if target == addr {
			c.Close()
		}
	}
}

// route records that client tunnels to target, unless target is blocked,
// and returns the address to dial: target, or where it is redirected.
func (p *Proxy) route(client net.Conn, target string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.blocked[target] {
		return "", false
	}
	p.targets[client] = target
	return cmp.Or(p.redirect[target], target), true
}

// Close stops listening, closes every connection and waits for the
// proxy's goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

// accept serves the listener until it is closed.
func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

// serve forwards one connection both ways until either side closes.
func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	if !p.track(client) {
		client.Close()
		return
	}
	defer p.untrack(client)
	target, err := p.targetOf(client)
	if err != nil {
		client.Close()
		return
	}
	if p.isTunnel() {
		var ok bool
		if target, ok = p.route(client, target); !ok {
			io.WriteString(client, "HTTP/1.1 403 Forbidden\r\n\r\n")
			client.Close()
			return
		}
	}
	server, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	if p.isTunnel() {
		if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
			client.Close()
			server.Close()
			return
		}
	}
	if !p.track(server) {
		client.Close()
		server.Close()
		return
	}
	defer p.untrack(server)
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, err := io.Copy(dst, src)
		if err == nil || errors.Is(err, net.ErrClosed) {
			if tc, ok := dst.(*net.TCPConn); ok {
				tc.CloseWrite()
			}
		}
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	client.Close()
	server.Close()
	<-done
}

// track registers c, unless the proxy is cut or closed.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut || p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

// untrack forgets c (and where it tunnels to).
func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.targets, c)
	p.mu.Unlock()
}

// isTunnel reports whether p is a CONNECT proxy.
func (p *Proxy) isTunnel() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tunnel
}

// targetOf returns where client's connection goes: the fixed target, or
// for a CONNECT proxy the loopback address its request names.
func (p *Proxy) targetOf(client net.Conn) (string, error) {
	if !p.isTunnel() {
		return p.target, nil
	}
	client.SetReadDeadline(time.Now().Add(10 * time.Second))
	req, err := http.ReadRequest(bufio.NewReader(client))
	client.SetReadDeadline(time.Time{})
	if err != nil {
		return "", err
	}
	host, _, err := net.SplitHostPort(req.Host)
	ip := net.ParseIP(host)
	if err != nil || req.Method != http.MethodConnect || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		io.WriteString(client, "HTTP/1.1 403 Forbidden\r\n\r\n")
		return "", fmt.Errorf("faultproxy: refusing %s %s", req.Method, req.Host)
	}
	return req.Host, nil
}
