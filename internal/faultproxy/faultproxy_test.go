package faultproxy

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echo starts a server that echoes lines, and returns its address.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					c.Write([]byte(line))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line through addr and reports whether it came back.
func roundTrip(t *testing.T, addr string) bool {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "ping\n"
}

func TestCutAndHeal(t *testing.T) {
	p, err := Start(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !roundTrip(t, p.Addr()) {
		t.Fatal("no round trip through a healthy proxy")
	}
	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	open.Write([]byte("x\n"))
	bufio.NewReader(open).ReadString('\n')
	p.Cut()
	if roundTrip(t, p.Addr()) {
		t.Fatal("a round trip through a cut proxy")
	}
	open.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := open.Read(make([]byte, 1)); err == nil {
		t.Fatal("a connection open before the cut still reads")
	}
	p.Heal()
	if !roundTrip(t, p.Addr()) {
		t.Fatal("no round trip after healing")
	}
}

// connectTrip tunnels through the CONNECT proxy at proxy to target and
// reports whether a line came back.
func connectTrip(t *testing.T, proxy, target string) bool {
	t.Helper()
	c, err := net.DialTimeout("tcp", proxy, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")); err != nil {
		return false
	}
	r := bufio.NewReader(c)
	status, err := r.ReadString('\n')
	if err != nil || status != "HTTP/1.1 200 Connection established\r\n" {
		return false
	}
	if blank, err := r.ReadString('\n'); err != nil || blank != "\r\n" {
		return false
	}
	c.Write([]byte("ping\n"))
	line, err := r.ReadString('\n')
	return err == nil && line == "ping\n"
}

func TestConnectProxy(t *testing.T) {
	target := echo(t)
	p, err := StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if !connectTrip(t, p.Addr(), target) {
		t.Fatal("no round trip through a healthy CONNECT proxy")
	}
	if connectTrip(t, p.Addr(), "192.0.2.1:443") {
		t.Fatal("the proxy tunnelled to an address that is not loopback")
	}
	p.Cut()
	if connectTrip(t, p.Addr(), target) {
		t.Fatal("a round trip through a cut CONNECT proxy")
	}
	p.Heal()
	if !connectTrip(t, p.Addr(), target) {
		t.Fatal("no round trip after healing")
	}
}

// TestConnectBlock: a blocked address is refused and its open tunnels
// closed, others still tunnel, and Unblock restores it.
func TestConnectBlock(t *testing.T) {
	blocked, other := echo(t), echo(t)
	p, err := StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	open, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	open.Write([]byte("CONNECT " + blocked + " HTTP/1.1\r\nHost: " + blocked + "\r\n\r\n"))
	r := bufio.NewReader(open)
	if status, err := r.ReadString('\n'); err != nil || status != "HTTP/1.1 200 Connection established\r\n" {
		t.Fatalf("tunnel before the block: %q, %v", status, err)
	}
	r.ReadString('\n')
	p.Block(blocked)
	if connectTrip(t, p.Addr(), blocked) {
		t.Fatal("a round trip to a blocked address")
	}
	if !connectTrip(t, p.Addr(), other) {
		t.Fatal("no round trip to an address that is not blocked")
	}
	open.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := r.ReadByte(); err == nil {
		t.Fatal("a tunnel open before the block still reads")
	}
	p.Unblock(blocked)
	if !connectTrip(t, p.Addr(), blocked) {
		t.Fatal("no round trip after unblocking")
	}
}

// TestConnectRedirect: a tunnel naming a redirected address reaches the
// other server, until the redirect ends.
func TestConnectRedirect(t *testing.T) {
	named, other := "127.0.0.1:1", echo(t) // nothing listens at named
	p, err := StartConnect()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Block(other)
	p.Redirect(named, other)
	if !connectTrip(t, p.Addr(), named) {
		t.Fatal("no round trip through a redirected tunnel")
	}
	if connectTrip(t, p.Addr(), other) {
		t.Fatal("a round trip to a blocked address named directly")
	}
	p.Redirect(named, "")
	if connectTrip(t, p.Addr(), named) {
		t.Fatal("a round trip to the named address after the redirect ended")
	}
}
