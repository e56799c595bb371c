package node

import (
	"io"
	"net"
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
	ln := limitPerAddress(inner, 2)
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
