package pyro

import (
	"bytes"
	"errors"
	"io"
	"net"
	"sort"
	"strings"
	"testing"
	"time"
)

// rawConn is a test connection that speaks frames.
type rawConn struct {
	t  *testing.T
	nc net.Conn
}

func dialRaw(t *testing.T, addr net.Addr) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr.String(), 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawConn{t: t, nc: nc}
}

func (c *rawConn) write(b []byte) {
	c.t.Helper()
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("writing: %v", err)
	}
}

func (c *rawConn) send(f *Frame) {
	c.t.Helper()
	b, err := f.Bytes()
	if err != nil {
		c.t.Fatal(err)
	}
	c.write(b)
}

// read returns the next frame, or the read error.
func (c *rawConn) read() (*Frame, error) {
	c.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
	return ReadFrame(c.nc, MaxPayload)
}

func (c *rawConn) mustRead() *Frame {
	c.t.Helper()
	f, err := c.read()
	if err != nil {
		c.t.Fatalf("reading a reply: %v", err)
	}
	return f
}

// expectClosed asserts the server closes the connection without replying.
func (c *rawConn) expectClosed() {
	c.t.Helper()
	if f, err := c.read(); err == nil {
		c.t.Fatalf("got a type %d frame, want the connection closed", f.Type)
	} else if !errors.Is(err, io.EOF) && !strings.Contains(err.Error(), "reset") {
		c.t.Fatalf("read error %v, want EOF", err)
	}
}

func decoded(t *testing.T, f *Frame) any {
	t.Helper()
	v, err := decodeValue(f.Serializer, f.Payload)
	if err != nil {
		t.Fatalf("decoding reply %q: %v", f.Payload, err)
	}
	return v
}

// exceptionClass returns the class of an exception RESULT, or "".
func exceptionClass(t *testing.T, f *Frame) string {
	if f.Flags&FlagException == 0 {
		return ""
	}
	d, _ := decoded(t, f).(Dict)
	cls, _ := d.Str("__class__")
	return cls
}

// TestDaemonReplaysCaptures replays the client side of the captured object
// sessions (both serializers) and checks every reply.
func TestDaemonReplaysCaptures(t *testing.T) {
	frames := goldenFrames(t)
	// Replies to the captured INVOKEs in order; "-" = oneway, no reply.
	want := []string{"", pyValueError, "", "", pyKeyError, "", "", "", pyKeyError,
		pyAttributeError, pyAttributeError, "-", ""}
	for _, log := range []string{"obj_serpent", "obj_json"} {
		t.Run(log, func(t *testing.T) {
			s := startServer(t, Config{Listen: "127.0.0.1:0"}, newMemInventory())
			c := dialRaw(t, s.Addr())
			c.write(frames[log+"-01-c2s-CONNECT"])
			ok := c.mustRead()
			hs, _ := decoded(t, ok).(Dict)
			meta, _ := hs.Get("meta")
			methods, _ := meta.(Dict).Get("methods")
			if ok.Type != MsgConnectOK || ok.Flags != FlagMetaOnConnect || len(methods.(List)) != 5 {
				t.Fatalf("handshake reply type %d flags %#x methods %v", ok.Type, ok.Flags, methods)
			}
			var invokes []string
			for name := range frames {
				if strings.HasPrefix(name, log+"-") && strings.HasSuffix(name, "-c2s-INVOKE") {
					invokes = append(invokes, name)
				}
			}
			sort.Strings(invokes)
			if len(invokes) != len(want) {
				t.Fatalf("%d captured INVOKEs, table has %d", len(invokes), len(want))
			}
			for i, name := range invokes {
				req, _ := ReadFrame(bytes.NewReader(frames[name]), MaxPayload)
				c.write(frames[name])
				if want[i] == "-" {
					continue
				}
				rep := c.mustRead()
				if rep.Seq != req.Seq || rep.Serializer != req.Serializer || rep.Type != MsgResult {
					t.Fatalf("%s: reply seq %d ser %d type %d", name, rep.Seq, rep.Serializer, rep.Type)
				}
				if got := exceptionClass(t, rep); got != want[i] {
					t.Errorf("%s: exception %q, want %q (%s)", name, got, want[i], rep.Payload)
				}
			}
		})
	}
}

// TestDaemonResults checks the values of successful calls.
func TestDaemonResults(t *testing.T) {
	frames := goldenFrames(t)
	inv := newMemInventory()
	inv.products["1"] = Product{ID: "1", Name: "Tornillo", Stock: 100, Price: "0.00"}
	s := startServer(t, Config{Listen: "127.0.0.1:0"}, inv)
	c := dialRaw(t, s.Addr())
	c.write(frames["obj_json-01-c2s-CONNECT"])
	c.mustRead()
	c.write(frames["obj_json-09-c2s-INVOKE"]) // obtener_producto(1)
	rep := c.mustRead()
	if want := `{"id": "1", "nombre": "Tornillo", "stock": 100, "precio": "0.00", "descripcion": ""}`; string(rep.Payload) != want {
		t.Errorf("obtener_producto(1) = %s, want %s", rep.Payload, want)
	}
	if _, ok := rep.Annotation("CORR"); !ok {
		t.Error("reply carries no CORR annotation")
	}
}

func mkFrame(typ, flags, seq, ser uint16, payload string) *Frame {
	return &Frame{Type: typ, Flags: flags, Seq: seq, Serializer: ser, Payload: []byte(payload)}
}

const serpentConnect = serpentHeader + "{'handshake':'hello','object':'inventario.servicio'}"

// TestDaemonHandshake covers the handshake outcomes.
func TestDaemonHandshake(t *testing.T) {
	s := startServer(t, Config{Listen: "127.0.0.1:0"}, newMemInventory())
	for _, tc := range []struct {
		name     string
		req      *Frame
		wantType uint16
		wantSer  uint16
		wantText string
	}{
		{"marshal refused in json", mkFrame(MsgConnect, FlagMetaOnConnect, 0, SerializerMarshal, "\xfb0"),
			MsgConnectFail, SerializerJSON, "message used serializer that is not accepted: 3"},
		{"unknown object", mkFrame(MsgConnect, FlagMetaOnConnect, 0, SerializerSerpent, "{'handshake':'hello','object':'nope'}"),
			MsgConnectFail, SerializerSerpent, "unknown object"},
		{"undecodable handshake", mkFrame(MsgConnect, FlagMetaOnConnect, 3, SerializerJSON, "{"),
			MsgConnectFail, SerializerJSON, "invalid handshake data"},
		{"no metadata", mkFrame(MsgConnect, 0, 5, SerializerJSON, `{"handshake": "hello"}`),
			MsgConnectOK, SerializerJSON, "hello"},
		{"daemon object", mkFrame(MsgConnect, FlagMetaOnConnect, 0, SerializerSerpent, "{'handshake':'hello','object':'Pyro.Daemon'}"),
			MsgConnectOK, SerializerSerpent, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialRaw(t, s.Addr())
			c.send(tc.req)
			rep := c.mustRead()
			if rep.Type != tc.wantType || rep.Serializer != tc.wantSer || rep.Seq != tc.req.Seq {
				t.Fatalf("reply type %d ser %d seq %d", rep.Type, rep.Serializer, rep.Seq)
			}
			if v, ok := decoded(t, rep).(string); tc.wantText != "" && (!ok || v != tc.wantText) {
				t.Errorf("reply payload %q, want %q", rep.Payload, tc.wantText)
			}
			if rep.Type == MsgConnectFail {
				c.expectClosed()
			}
		})
	}
}

// TestDaemonAfterHandshake covers PING, undecodable calls and frames that
// must close the connection; the server keeps serving others and the
// inventory is untouched.
func TestDaemonAfterHandshake(t *testing.T) {
	inv := newMemInventory()
	s := startServer(t, Config{Listen: "127.0.0.1:0"}, inv)
	connect := func(t *testing.T) *rawConn {
		c := dialRaw(t, s.Addr())
		c.send(mkFrame(MsgConnect, FlagMetaOnConnect, 0, SerializerSerpent, serpentConnect))
		if f := c.mustRead(); f.Type != MsgConnectOK {
			t.Fatalf("handshake reply type %d", f.Type)
		}
		return c
	}
	t.Run("ping", func(t *testing.T) {
		c := connect(t)
		c.send(mkFrame(MsgPing, 0, 9, serializerPing, "ping"))
		if f := c.mustRead(); f.Type != MsgPing || string(f.Payload) != "pong" || f.Serializer != serializerPing || f.Seq != 9 {
			t.Errorf("ping reply %+v", f)
		}
	})
	t.Run("undecodable call keeps the connection", func(t *testing.T) {
		c := connect(t)
		c.send(mkFrame(MsgInvoke, 0, 1, SerializerSerpent, "('inventario.servicio','agregar_producto',(1,"))
		if f := c.mustRead(); exceptionClass(t, f) != pySerializeError {
			t.Errorf("reply %q, want a SerializeError", f.Payload)
		}
		c.send(mkFrame(MsgInvoke, 0, 2, SerializerSerpent, "('inventario.servicio','listar_productos',(),{})"))
		if f := c.mustRead(); f.Flags != 0 || f.Seq != 2 {
			t.Errorf("call after a bad one: flags %#x seq %d payload %q", f.Flags, f.Seq, f.Payload)
		}
	})
	for _, tc := range []struct {
		name string
		raw  []byte
	}{
		{"bad checksum", append(header(MsgInvoke, 0, 1, 1, 2, 0, 0xbeef), "()"...)},
		{"oversized", header(MsgInvoke, 0, 1, 1, 1<<30, 0)},
		{"second CONNECT", mustBytes(mkFrame(MsgConnect, 0, 1, SerializerSerpent, "{'handshake':'hello'}"))},
		{"RESULT from client", mustBytes(mkFrame(MsgResult, 0, 1, SerializerSerpent, "None"))},
		{"marshal INVOKE", mustBytes(mkFrame(MsgInvoke, 0, 1, SerializerMarshal, "\x00"))},
		{"garbage", []byte(strings.Repeat("garbage!", 10))},
		{"unexpected HMAC", mustBytes(&Frame{Type: MsgInvoke, Serializer: SerializerSerpent,
			Annotations: []Annotation{{"HMAC", make([]byte, 20)}}, Payload: []byte("()")})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := connect(t)
			c.write(tc.raw)
			c.expectClosed()
		})
	}
	t.Run("before handshake", func(t *testing.T) {
		c := dialRaw(t, s.Addr())
		c.send(mkFrame(MsgInvoke, 0, 1, SerializerSerpent, "('inventario.servicio','agregar_producto',(1,'x',1),{})"))
		c.expectClosed()
	})
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if n := len(inv.products); n != 0 {
		t.Errorf("inventory has %d products after hostile frames, want 0", n)
	}
}

func mustBytes(f *Frame) []byte {
	b, err := f.Bytes()
	if err != nil {
		panic(err)
	}
	return b
}
