package gqlws

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// countingConn is one end of a pipe that counts the writes reaching it.
type countingConn struct {
	net.Conn
	mu     sync.Mutex
	writes int
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

func TestCoalescingConnBatchesFramesWrittenTogether(t *testing.T) {
	server, client := net.Pipe()
	counted := &countingConn{Conn: server}
	c := newCoalescingConn(counted)
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(client)
		got <- b
	}()

	var want bytes.Buffer
	for i := range 200 {
		frame := bytes.Repeat([]byte{byte('a' + i%26)}, 100)
		want.Write(frame)
		if _, err := c.Write(frame); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if b := <-got; !bytes.Equal(b, want.Bytes()) {
		t.Fatalf("peer read %d bytes, want the %d written, in order", len(b), want.Len())
	}
	// 200 frames written back to back leave in a handful of writes: the
	// first at once, the rest together after the coalescing window.
	if n := counted.count(); n < 1 || n > 10 {
		t.Fatalf("%d writes reached the peer for 200 frames", n)
	}
}

func TestCoalescingConnBlocksWritersWhileThePeerDoesNotRead(t *testing.T) {
	server, client := net.Pipe()
	c := newCoalescingConn(server)
	defer c.Close()

	// The first write is taken by the flusher, which then blocks in the
	// pipe; the next ones fill pending up to maxPending.
	chunk := make([]byte, 4<<10)
	if _, err := c.Write(chunk); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(deadline)
	for {
		c.mu.Lock()
		flushing := len(c.pending) == 0
		c.mu.Unlock()
		if flushing || time.Now().After(until) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	for range maxPending / len(chunk) {
		if _, err := c.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	blocked := make(chan error)
	go func() {
		_, err := c.Write(chunk)
		blocked <- err
	}()
	select {
	case err := <-blocked:
		t.Fatalf("a write past maxPending returned (%v) while the peer read nothing", err)
	case <-time.After(100 * time.Millisecond):
	}
	// Once the peer reads, the writer goes on.
	go io.Copy(io.Discard, client)
	select {
	case err := <-blocked:
		if err != nil {
			t.Fatalf("blocked write: %v", err)
		}
	case <-time.After(time.Until(until)):
		t.Fatal("the blocked write did not resume after the peer read")
	}
}

func TestCoalescingConnFailsWritesAfterThePeerGoes(t *testing.T) {
	server, client := net.Pipe()
	c := newCoalescingConn(server)
	client.Close()
	if _, err := c.Write([]byte("x")); err != nil {
		t.Fatalf("first write (queued): %v", err)
	}
	until := time.Now().Add(deadline)
	for time.Now().Before(until) {
		if _, err := c.Write([]byte("y")); err != nil {
			c.Close()
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("writes kept succeeding after the peer closed")
}
