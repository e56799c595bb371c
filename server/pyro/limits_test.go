package pyro

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestIdleConnectionsShutOutNobody: MaxConns+10 connections that never
// send a CONNECT, to the object port and to the embedded name server's,
// with an HMAC key set, shut out neither a client of the object nor one
// of the name server: the newcomers evict the silent connections (before,
// every newcomer was closed on accept).
func TestIdleConnectionsShutOutNobody(t *testing.T) {
	key := []byte("s3cret")
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0", HMACKey: key}, newMemInventory())
	for _, addr := range []net.Addr{s.Addr(), s.NSAddr()} {
		for range MaxConns + 10 {
			nc, err := net.DialTimeout("tcp", addr.String(), 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { nc.Close() })
		}
	}
	ctx := context.Background()
	for _, c := range []struct{ addr, object, method string }{
		{s.Addr().String(), ObjectName, "listar_productos"},
		{s.NSAddr().String(), NameServerName, "ping"},
	} {
		cl, err := dialClient(ctx, c.addr, key)
		if err != nil {
			t.Fatalf("%s after %d silent connections: %v", c.object, MaxConns+10, err)
		}
		if _, err := cl.invoke(c.object, c.method); err != nil {
			t.Errorf("%s.%s: %v", c.object, c.method, err)
		}
		cl.Close()
	}
	if s.Evicted() < 20 {
		t.Errorf("evicted %d connections, want at least 20", s.Evicted())
	}
}

// TestSilentConnectionClosed: a connection that sends no CONNECT is
// closed once HandshakeTimeout has passed.
func TestSilentConnectionClosed(t *testing.T) {
	s := startServer(t, Config{Listen: "127.0.0.1:0"}, newMemInventory())
	c := dialRaw(t, s.Addr())
	c.expectClosed() // read waits 30 s at most
}

// TestFrameLimits: a frame announcing more than MaxRequest bytes closes
// its connection at once, without the server waiting for (or allocating)
// its body (before, 4 MiB - 1 was read from each of 500 connections); a
// frame whose body trickles is cut off after FrameTimeout; and a message
// after the handshake without the HMAC key closes the connection.
func TestFrameLimits(t *testing.T) {
	key := []byte("k")
	s := startServer(t, Config{Listen: "127.0.0.1:0", HMACKey: key}, newMemInventory())
	connect := func(c *rawConn) {
		payload, _ := encodeJSON(Dict{{"handshake", "hello"}})
		f := &Frame{Type: MsgConnect, Serializer: SerializerJSON, Payload: payload}
		sign(key, f)
		c.send(f)
		if r := c.mustRead(); r.Type != MsgConnectOK {
			t.Fatalf("handshake: type %d", r.Type)
		}
	}
	t.Run("oversized", func(t *testing.T) {
		c := dialRaw(t, s.Addr())
		connect(c)
		c.write(rawHeaderBytes(MsgInvoke, MaxRequest+1))
		c.expectClosed()
	})
	t.Run("trickled", func(t *testing.T) {
		c := dialRaw(t, s.Addr())
		connect(c)
		c.write(rawHeaderBytes(MsgInvoke, 1000))
		c.write([]byte("x"))
		c.expectClosed() // within 30 s; FrameTimeout is 10 s
	})
	t.Run("unsigned after the handshake", func(t *testing.T) {
		c := dialRaw(t, s.Addr())
		connect(c)
		payload, _ := encodeJSON(Dict{{"object", ObjectName}, {"method", "listar_productos"}, {"params", List{}}, {"kwargs", Dict{}}})
		c.send(&Frame{Type: MsgInvoke, Serializer: SerializerJSON, Payload: payload})
		c.expectClosed()
	})
}

// rawHeaderBytes returns a valid header of type typ announcing a json
// payload of n bytes and no annotations.
func rawHeaderBytes(typ uint16, n int) []byte {
	h := make([]byte, headerSize)
	copy(h, "PYRO")
	be := binary.BigEndian
	be.PutUint16(h[4:], protocolVersion)
	be.PutUint16(h[6:], typ)
	be.PutUint32(h[12:], uint32(n))
	be.PutUint16(h[16:], SerializerJSON)
	be.PutUint16(h[22:], checksum(typ, 0, 0, SerializerJSON, n, 0))
	return h
}

// TestBatchAndReplyLimits: a batch of more than MaxBatch calls is refused
// whole with a ValueError that says the limit (before, 4,000
// listar_productos built a 182 MB reply), and a result over MaxReply is
// replaced by a ValueError.
func TestBatchAndReplyLimits(t *testing.T) {
	inv := newMemInventory()
	for i := range 1000 {
		if _, err := inv.AddProduct(context.Background(), fmt.Sprint(i), strings.Repeat("n", 3500), 1); err != nil {
			t.Fatal(err)
		}
	}
	s := startServer(t, Config{Listen: "127.0.0.1:0"}, inv)
	cases := []struct {
		name  string
		calls int
		want  string
	}{
		{"too many calls", MaxBatch + 1, "supera el máximo de 100"},
		{"too large a reply", 3, "más que el máximo"},
		{"within the limits", 1, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := dialClient(context.Background(), s.Addr().String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			cl.timeout = time.Minute // replies of megabytes, built under -race beside the other packages' tests
			calls := List{}
			for range c.calls {
				calls = append(calls, List{"listar_productos", List{}, Dict{}})
			}
			payload, _ := encodeJSON(Dict{{"object", ObjectName}, {"method", "<batch>"}, {"params", calls}, {"kwargs", Dict{}}})
			f, err := cl.roundTrip(&Frame{Type: MsgInvoke, Flags: FlagBatch, Serializer: SerializerJSON, Payload: payload})
			if err != nil {
				t.Fatal(err)
			}
			v, err := decodeValue(f.Serializer, f.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if f.Flags&FlagException != 0 || len(v.(List)) != 1 {
					t.Fatalf("a batch within the limits: flags %#x, %.200v", f.Flags, v)
				}
				return
			}
			rerr := remoteError(v)
			if f.Flags&FlagException == 0 || !errors.Is(rerr, ErrRemote) || !strings.Contains(rerr.Error(), c.want) ||
				!strings.Contains(rerr.Error(), pyValueError) {
				t.Fatalf("flags %#x, %v; want a ValueError saying %q", f.Flags, rerr, c.want)
			}
		})
	}
}
