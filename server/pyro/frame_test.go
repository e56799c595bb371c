package pyro

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenFrames returns the captured frames under testdata/frames by name.
func goldenFrames(t testing.TB) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "frames", "*.bin"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden frames in testdata/frames (regenerate with testdata/gen_frames.py): %v", err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(p), ".bin")] = b
	}
	return out
}

// TestReadFrameGolden reads every captured frame, re-encodes it byte for
// byte and decodes its payload.
func TestReadFrameGolden(t *testing.T) {
	for name, raw := range goldenFrames(t) {
		t.Run(name, func(t *testing.T) {
			r := bytes.NewReader(raw)
			f, err := ReadFrame(r, MaxPayload)
			if err != nil {
				t.Fatalf("ReadFrame: %v", err)
			}
			if r.Len() != 0 {
				t.Errorf("%d bytes left after the frame", r.Len())
			}
			if !strings.Contains(name, "-"+typeName(f.Type)) {
				t.Errorf("type %d does not match the capture name", f.Type)
			}
			again, err := f.Bytes()
			if err != nil || !bytes.Equal(again, raw) {
				t.Errorf("re-encoding differs (err %v):\n got %x\nwant %x", err, again, raw)
			}
			if supported(f.Serializer) {
				if _, err := decodeValue(f.Serializer, f.Payload); err != nil {
					t.Errorf("decoding the payload: %v\n%s", err, f.Payload)
				}
			}
		})
	}
}

func typeName(typ uint16) string {
	return map[uint16]string{MsgConnect: "CONNECT", MsgConnectOK: "CONNECTOK", MsgConnectFail: "CONNECTFAIL",
		MsgInvoke: "INVOKE", MsgResult: "RESULT", MsgPing: "PING"}[typ]
}

// TestHMACGolden recomputes the captured digests (key "secreto"); the
// client with the wrong key (frame 8) must not verify.
func TestHMACGolden(t *testing.T) {
	frames := goldenFrames(t)
	for _, tc := range []struct {
		frame string
		want  error
	}{
		{"hmac-01-c2s-CONNECT", nil},
		{"hmac-02-s2c-CONNECTOK", nil},
		{"hmac-03-c2s-INVOKE", nil},
		{"hmac-04-s2c-RESULT", nil},
		{"hmac-05-c2s-CONNECT", ErrHMACAsymmetric},
		{"hmac-06-s2c-CONNECTFAIL", nil},
		{"hmac-08-c2s-CONNECT", ErrHMACMismatch},
	} {
		t.Run(tc.frame, func(t *testing.T) {
			f, err := ReadFrame(bytes.NewReader(frames[tc.frame]), MaxPayload)
			if err != nil {
				t.Fatal(err)
			}
			if err := verify([]byte("secreto"), f); !errors.Is(err, tc.want) {
				t.Errorf("verify = %v, want %v", err, tc.want)
			}
			if tc.want == nil {
				resigned := *f
				sign([]byte("secreto"), &resigned)
				got, _ := resigned.Annotation("HMAC")
				want, _ := f.Annotation("HMAC")
				if !bytes.Equal(got, want) {
					t.Errorf("sign gives %x, captured %x", got, want)
				}
			}
		})
	}
}

// TestChecksumExample checks the worked example of the protocol notes (F1).
func TestChecksumExample(t *testing.T) {
	if got := checksum(MsgConnect, FlagMetaOnConnect, 0, SerializerSerpent, 74, 0); got != 0x3575 {
		t.Errorf("checksum = %#x, want 0x3575", got)
	}
}

// header builds a raw header with a correct checksum unless sum is given.
func header(typ, flags, seq, ser uint16, payloadLen int32, annLen uint16, sum ...uint16) []byte {
	h := make([]byte, headerSize)
	be := binary.BigEndian
	copy(h, "PYRO")
	be.PutUint16(h[4:], protocolVersion)
	be.PutUint16(h[6:], typ)
	be.PutUint16(h[8:], flags)
	be.PutUint16(h[10:], seq)
	be.PutUint32(h[12:], uint32(payloadLen))
	be.PutUint16(h[16:], ser)
	be.PutUint16(h[18:], annLen)
	c := checksum(typ, flags, seq, ser, int(payloadLen), int(annLen))
	if len(sum) > 0 {
		c = sum[0]
	}
	be.PutUint16(h[22:], c)
	return h
}

func TestReadFrameErrors(t *testing.T) {
	good := header(MsgInvoke, 0, 1, 1, 2, 0)
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	for _, tc := range []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, io.EOF},
		{"short header", good[:10], io.ErrUnexpectedEOF},
		{"bad magic", cat([]byte("PYRX"), good[4:], []byte("ab")), ErrProtocol},
		{"old version", cat(good[:4], []byte{0, 47}, good[6:], []byte("ab")), ErrProtocol},
		{"bad checksum", cat(header(MsgInvoke, 0, 1, 1, 2, 0, 0x1234), []byte("ab")), ErrProtocol},
		{"negative length", header(MsgInvoke, 0, 1, 1, -1, 0), ErrProtocol},
		{"oversized payload", header(MsgInvoke, 0, 1, 1, MaxPayload+1, 0), ErrProtocol},
		{"truncated payload", cat(good, []byte("a")), io.ErrUnexpectedEOF},
		{"annotation header cut", cat(header(MsgInvoke, 0, 1, 1, 0, 3), []byte("COR")), ErrProtocol},
		{"annotation overrun", cat(header(MsgInvoke, 0, 1, 1, 0, 8), []byte("CORR\x00\x10ab")), ErrProtocol},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadFrame(bytes.NewReader(tc.in), MaxPayload)
			if !errors.Is(err, tc.want) {
				t.Errorf("ReadFrame = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    Frame
	}{
		{"plain", Frame{Type: MsgResult, Seq: 7, Serializer: 2, Payload: []byte("null")}},
		{"annotations", Frame{Type: MsgResult, Flags: FlagException, Seq: 65535, Serializer: 1,
			Annotations: []Annotation{{"CORR", make([]byte, 16)}, {"ZZZZ", nil}}, Payload: []byte("x")}},
		{"empty payload", Frame{Type: MsgPing, Serializer: 42}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := tc.f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			got, err := ReadFrame(bytes.NewReader(b), MaxPayload)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := got.Bytes()
			if !bytes.Equal(b, again) || got.Seq != tc.f.Seq || got.Flags != tc.f.Flags || len(got.Annotations) != len(tc.f.Annotations) {
				t.Errorf("round trip changed the frame: %+v vs %+v", got, tc.f)
			}
		})
	}
}

func TestCompressedPayload(t *testing.T) {
	var buf bytes.Buffer
	zw := zlib.NewWriter(&buf)
	zw.Write([]byte(strings.Repeat("a", 1000)))
	zw.Close()
	f := &Frame{Flags: FlagCompressed, Payload: buf.Bytes()}
	if got, err := f.payload(MaxPayload); err != nil || len(got) != 1000 {
		t.Errorf("payload() = %d bytes, %v; want 1000", len(got), err)
	}
	if _, err := f.payload(999); !errors.Is(err, ErrProtocol) {
		t.Errorf("payload() over the limit = %v, want ErrProtocol", err)
	}
	bad := &Frame{Flags: FlagCompressed, Payload: []byte("not zlib")}
	if _, err := bad.payload(MaxPayload); !errors.Is(err, ErrProtocol) {
		t.Errorf("payload() of garbage = %v, want ErrProtocol", err)
	}
}
