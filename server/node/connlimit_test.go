package node

import (
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestLimitPerAddress: past max connections open from one address, the
// next is closed at once, before anything is read from it; closing one
// frees its place.
func TestLimitPerAddress(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := limitPerAddress(inner, 2, nil, nil)
	defer ln.Close()
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func() net.Conn {
		c, err := net.Dial("tcp", inner.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	refused := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err := c.Read(make([]byte, 1))
		return err == io.EOF
	}
	dial()
	dial()
	first, second := <-accepted, <-accepted
	if third := dial(); !refused(third) {
		t.Fatal("a third connection from the address was kept open")
	}
	first.Close()
	fourth := dial()
	select {
	case c := <-accepted:
		c.Close()
	case <-time.After(2 * time.Second):
		t.Fatal("a connection after one closed was not accepted")
	}
	_ = fourth
	second.Close()
}

// TestFailingAddressHandshakes: an address that is failing too often may
// open failingHandshakes new connections a second, the next ones refused
// before their handshake; one that is not failing is not limited by it.
func TestFailingAddressHandshakes(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var failing atomic.Bool
	var refusedMu sync.Mutex
	refused := map[string]int{}
	ln := limitPerAddress(inner, 1000, func(host string) bool { return host == "127.0.0.1" && failing.Load() }, func(reason string) {
		refusedMu.Lock()
		refused[reason]++
		refusedMu.Unlock()
	})
	defer ln.Close()
	var mu sync.Mutex
	now := time.Unix(1e9, 0)
	pa := ln.(*perAddress)
	pa.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	pa.hold = 0 // refusals closed at once: the test reads each to its end
	go func() { // an accepted connection says so, then closes
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte{'A'})
			c.Close()
		}
	}()
	// dialAll opens n connections, one after another, and returns how many
	// were accepted: a refused one is closed without a word.
	dialAll := func(n int) int {
		got := 0
		for range n {
			c, err := net.Dial("tcp", inner.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			if k, _ := c.Read(make([]byte, 1)); k == 1 {
				got++
			}
			c.Close()
		}
		return got
	}
	if got := dialAll(30); got != 30 {
		t.Fatalf("%d of 30 connections from an address that does not fail were accepted", got)
	}
	failing.Store(true)
	if got := dialAll(30); got != failingHandshakes {
		t.Fatalf("%d of 30 connections from a failing address were accepted at once, want %d", got, failingHandshakes)
	}
	mu.Lock()
	now = now.Add(time.Second / 2)
	mu.Unlock()
	if got := dialAll(30); got != failingHandshakes/2 {
		t.Fatalf("%d connections accepted half a second later, want %d", got, failingHandshakes/2)
	}
	failing.Store(false)
	if got := dialAll(30); got != 30 {
		t.Fatalf("%d of 30 connections accepted once the address no longer fails", got)
	}
	refusedMu.Lock()
	defer refusedMu.Unlock()
	if want := 60 - failingHandshakes - failingHandshakes/2; refused["handshakes"] != want || refused["open"] != 0 {
		t.Fatalf("refusals counted %v, want %d for handshakes", refused, want)
	}
}
