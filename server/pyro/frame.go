package pyro

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
)

// Message types.
const (
	MsgConnect     = 1
	MsgConnectOK   = 2
	MsgConnectFail = 3
	MsgInvoke      = 4
	MsgResult      = 5
	MsgPing        = 6
)

// Message flags.
const (
	FlagException        = 0x01
	FlagCompressed       = 0x02
	FlagOneway           = 0x04
	FlagBatch            = 0x08
	FlagMetaOnConnect    = 0x10
	FlagItemStreamResult = 0x20
	FlagKeepSerialized   = 0x40
)

// Wire constants.
const (
	headerSize      = 24
	protocolVersion = 48
	checksumMagic   = 0x34E9
	// MaxPayload is the largest payload (and decompressed payload) a
	// connection accepts; a larger frame closes the connection.
	MaxPayload = 4 << 20
)

// ErrProtocol reports a frame that breaks the Pyro4 wire protocol: bad
// magic, version, checksum, sizes or annotations. The connection that sent
// it is closed.
var ErrProtocol = errors.New("pyro: protocol error")

// Annotation is one 4-byte-keyed annotation chunk of a frame.
type Annotation struct {
	Key   string
	Value []byte
}

// Frame is one Pyro4 message: header fields, annotations and payload (as
// on the wire, possibly compressed).
type Frame struct {
	Type        uint16
	Flags       uint16
	Seq         uint16
	Serializer  uint16
	Annotations []Annotation
	Payload     []byte
}

// Annotation returns the value of the annotation key and whether it is present.
func (f *Frame) Annotation(key string) ([]byte, bool) {
	for _, a := range f.Annotations {
		if a.Key == key {
			return a.Value, true
		}
	}
	return nil, false
}

// checksum computes the header checksum of Pyro4 protocol version 48.
func checksum(typ, flags, seq, ser uint16, payloadLen, annLen int) uint16 {
	sum := int(typ) + protocolVersion + payloadLen + annLen + int(ser) + int(flags) + int(seq) + checksumMagic
	return uint16(sum)
}

// ReadFrame reads one frame from r. It checks magic, version, checksum,
// sizes (payload at most max bytes) and annotation chunk bounds, and returns
// an error wrapping ErrProtocol for any violation, or the read error.
func ReadFrame(r io.Reader, max int) (*Frame, error) {
	var h [headerSize]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	f, payloadLen, annLen, err := parseHeader(h[:], max)
	if err != nil {
		return nil, err
	}
	if err := readBody(r, f, payloadLen, annLen); err != nil {
		return nil, err
	}
	return f, nil
}

// readBody reads the annotations and payload that follow f's header.
func readBody(r io.Reader, f *Frame, payloadLen, annLen int) error {
	body := make([]byte, annLen+payloadLen)
	if _, err := io.ReadFull(r, body); err != nil {
		return fmt.Errorf("reading frame body: %w", noEOF(err))
	}
	var err error
	if f.Annotations, err = parseAnnotations(body[:annLen]); err != nil {
		return err
	}
	f.Payload = body[annLen:]
	return nil
}

// noEOF turns a clean EOF inside a frame into ErrUnexpectedEOF.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func parseHeader(h []byte, max int) (*Frame, int, int, error) {
	be := binary.BigEndian
	if string(h[0:4]) != "PYRO" {
		return nil, 0, 0, fmt.Errorf("%w: bad magic", ErrProtocol)
	}
	if v := be.Uint16(h[4:]); v != protocolVersion {
		return nil, 0, 0, fmt.Errorf("%w: protocol version %d, want %d", ErrProtocol, v, protocolVersion)
	}
	f := &Frame{Type: be.Uint16(h[6:]), Flags: be.Uint16(h[8:]), Seq: be.Uint16(h[10:]), Serializer: be.Uint16(h[16:])}
	payloadLen := int(int32(be.Uint32(h[12:])))
	annLen := int(be.Uint16(h[18:]))
	if payloadLen < 0 || payloadLen > max {
		return nil, 0, 0, fmt.Errorf("%w: payload of %d bytes (limit %d)", ErrProtocol, payloadLen, max)
	}
	if checksum(f.Type, f.Flags, f.Seq, f.Serializer, payloadLen, annLen) != be.Uint16(h[22:]) {
		return nil, 0, 0, fmt.Errorf("%w: bad header checksum", ErrProtocol)
	}
	return f, payloadLen, annLen, nil
}

// parseAnnotations splits an annotations block into chunks.
func parseAnnotations(b []byte) ([]Annotation, error) {
	var anns []Annotation
	for len(b) > 0 {
		if len(b) < 6 {
			return nil, fmt.Errorf("%w: truncated annotation header", ErrProtocol)
		}
		n := int(binary.BigEndian.Uint16(b[4:]))
		if 6+n > len(b) {
			return nil, fmt.Errorf("%w: annotation %q overruns its block", ErrProtocol, b[:4])
		}
		anns = append(anns, Annotation{Key: string(b[:4]), Value: b[6 : 6+n]})
		b = b[6+n:]
	}
	return anns, nil
}

// Bytes encodes f with computed lengths and checksum, ready for one write.
// Annotation keys must be 4 bytes and values shorter than 64 KiB.
func (f *Frame) Bytes() ([]byte, error) {
	annLen := 0
	for _, a := range f.Annotations {
		if len(a.Key) != 4 || len(a.Value) > 0xffff {
			return nil, fmt.Errorf("%w: bad annotation %q", ErrProtocol, a.Key)
		}
		annLen += 6 + len(a.Value)
	}
	if annLen > 0xffff || len(f.Payload) > 0x7fffffff {
		return nil, fmt.Errorf("%w: frame too large", ErrProtocol)
	}
	b := make([]byte, headerSize, headerSize+annLen+len(f.Payload))
	be := binary.BigEndian
	copy(b, "PYRO")
	be.PutUint16(b[4:], protocolVersion)
	be.PutUint16(b[6:], f.Type)
	be.PutUint16(b[8:], f.Flags)
	be.PutUint16(b[10:], f.Seq)
	be.PutUint32(b[12:], uint32(len(f.Payload)))
	be.PutUint16(b[16:], f.Serializer)
	be.PutUint16(b[18:], uint16(annLen))
	be.PutUint16(b[22:], checksum(f.Type, f.Flags, f.Seq, f.Serializer, len(f.Payload), annLen))
	for _, a := range f.Annotations {
		b = append(b, a.Key...)
		b = be.AppendUint16(b, uint16(len(a.Value)))
		b = append(b, a.Value...)
	}
	return append(b, f.Payload...), nil
}

// sortedAnnotations returns f's annotations in ascending key order, the
// order HMAC digests use.
func (f *Frame) sortedAnnotations() []Annotation {
	s := append([]Annotation(nil), f.Annotations...)
	sort.SliceStable(s, func(i, j int) bool { return s[i].Key < s[j].Key })
	return s
}

// payload returns f's payload, decompressed when FlagCompressed is set, and
// refuses to inflate beyond max bytes.
func (f *Frame) payload(max int) ([]byte, error) {
	if f.Flags&FlagCompressed == 0 {
		return f.Payload, nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(f.Payload))
	if err != nil {
		return nil, fmt.Errorf("%w: decompressing: %v", ErrProtocol, err)
	}
	defer zr.Close()
	out, err := io.ReadAll(io.LimitReader(zr, int64(max)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: decompressing: %v", ErrProtocol, err)
	}
	if len(out) > max {
		return nil, fmt.Errorf("%w: decompressed payload over %d bytes", ErrProtocol, max)
	}
	return out, nil
}
