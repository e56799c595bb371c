package pyro

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"net"
	"reflect"
	"testing"
	"time"
)

// addGoldenSeeds adds every captured frame (or its payload) to f's corpus.
func addGoldenSeeds(f *testing.F, payloadOnly bool) {
	for _, raw := range goldenFrames(f) {
		if !payloadOnly {
			f.Add(raw)
			continue
		}
		if fr, err := ReadFrame(bytes.NewReader(raw), MaxPayload); err == nil {
			f.Add(fr.Payload)
		}
	}
}

// FuzzReadFrame: any input either fails cleanly or yields a frame that
// re-encodes to exactly the bytes it was read from.
func FuzzReadFrame(f *testing.F) {
	addGoldenSeeds(f, false)
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		fr, err := ReadFrame(r, 1<<16)
		if err != nil {
			return
		}
		out, err := fr.Bytes()
		if err != nil {
			t.Fatalf("re-encoding a frame that was read: %v", err)
		}
		consumed := bytes.Clone(in[:len(in)-r.Len()])
		consumed[20], consumed[21] = 0, 0 // the reserved field is ignored on read and 0 on write
		if !bytes.Equal(out, consumed) {
			t.Fatalf("re-encoded %x, read %x", out, consumed)
		}
		_, _ = fr.payload(1 << 16)
	})
}

// FuzzParseSerpent: parsing never panics, and what parses re-encodes to a
// document that parses to the same value.
func FuzzParseSerpent(f *testing.F) {
	addGoldenSeeds(f, true)
	for _, s := range []string{"(1,)", "{'a':{1,2}}", `'\x41\u00f1\U0001F600\101'`, "1e30000", "-(1)", "[[[]]]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := parseSerpent(in)
		if err != nil {
			return
		}
		out, err := encodeSerpent(v)
		if err != nil {
			return // e.g. nesting at the limit plus one
		}
		again, err := parseSerpent(out)
		if err != nil {
			t.Fatalf("re-parsing %q (from %q): %v", out, in, err)
		}
		if !hasNaN(v) && !reflect.DeepEqual(v, again) {
			t.Fatalf("round trip changed %#v into %#v", v, again)
		}
	})
}

// hasNaN reports whether v holds a NaN, which never equals itself.
func hasNaN(v any) bool {
	switch t := v.(type) {
	case float64:
		return math.IsNaN(t)
	case Dict:
		for _, p := range t {
			if hasNaN(p.Key) || hasNaN(p.Value) {
				return true
			}
		}
	default:
		if s, ok := items(v); ok {
			for _, e := range s {
				if hasNaN(e) {
					return true
				}
			}
		}
	}
	return false
}

// FuzzParseJSON: parsing never panics.
func FuzzParseJSON(f *testing.F) {
	addGoldenSeeds(f, true)
	f.Fuzz(func(t *testing.T, in []byte) {
		if v, err := parseJSON(in); err == nil {
			if _, err := encodeJSON(v); err != nil && !hasNaN(v) {
				t.Logf("re-encoding %q: %v", in, err)
			}
		}
	})
}

// FuzzDaemon feeds a valid handshake followed by arbitrary bytes to a
// connection: the daemon must neither panic nor hang.
func FuzzDaemon(f *testing.F) {
	frames := goldenFrames(f)
	for name, raw := range frames {
		if bytes.Contains([]byte(name), []byte("c2s-INVOKE")) {
			f.Add(raw)
		}
	}
	connect := frames["obj_serpent-01-c2s-CONNECT"]
	f.Fuzz(func(t *testing.T, in []byte) {
		d := newDaemon(map[string]object{ObjectName: &inventoryObject{inv: newMemInventory(),
			classify: classifyDouble, log: slog.New(slog.DiscardHandler)}}, nil, slog.New(slog.DiscardHandler))
		d.log = slog.New(slog.DiscardHandler)
		server, client := net.Pipe()
		done := make(chan struct{})
		go func() { defer close(done); d.serve(context.Background(), &tracked{nc: server}) }()
		go func() { _, _ = io.Copy(io.Discard, client) }()
		_, _ = client.Write(connect)
		_, _ = client.Write(in)
		client.Close()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatal("serve did not return after the client closed")
		}
	})
}
