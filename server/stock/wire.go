package stock

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
)

// The wire format of jobs and replies, the one place that defines it.
//
// A job is a header and a body: a version byte, then the operation's name,
// the actor and the job key, each as a uvarint length and its bytes, then
// the request encoded by EncodeValue. A reply is 'R' and the reply value,
// or 'E' and the *Error. Values are JSON, as encoding/json writes them;
// the few types on the writer's hot path have hand-written codecs that
// produce and accept exactly the same bytes (see wire_encode.go and
// wire_decode.go), and a test checks every request and reply type's round
// trip by reflection.
const wireVersion = 1

// JobMeta is what a job carries besides its request: who asked, and the
// key under which the writer records the job's changes, so that the node
// can find out whether a job whose reply was lost was applied.
type JobMeta struct {
	Op    string
	Actor string
	Key   string
}

// EncodeJob returns the job for op with meta and req.
func EncodeJob(meta JobMeta, req any) ([]byte, error) {
	b := make([]byte, 0, 128+len(meta.Op)+len(meta.Actor)+len(meta.Key))
	b = append(b, wireVersion)
	for _, s := range [...]string{meta.Op, meta.Actor, meta.Key} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return EncodeValue(b, req)
}

// errMalformed is returned by DecodeJob for a job that is not in the wire
// format.
var errMalformed = errors.New("malformed job header")

// uvarintLen is the length of n's shortest uvarint.
func uvarintLen(n uint64) int {
	k := 1
	for ; n >= 0x80; n >>= 7 {
		k++
	}
	return k
}

// DecodeJob splits a job into its meta and its encoded request; a header
// in anything but its one encoding (a varint longer than needed) is
// malformed.
func DecodeJob(raw []byte) (JobMeta, []byte, error) {
	var m JobMeta
	if len(raw) == 0 || raw[0] != wireVersion {
		return m, nil, errMalformed
	}
	rest := raw[1:]
	for _, dst := range [...]*string{&m.Op, &m.Actor, &m.Key} {
		n, k := binary.Uvarint(rest)
		if k <= 0 || n > uint64(len(rest)-k) || k != uvarintLen(n) { // one encoding per header
			return m, nil, errMalformed
		}
		*dst = string(rest[k : k+int(n)])
		rest = rest[k+int(n):]
	}
	return m, rest, nil
}

// EncodeReply returns the reply carrying rep, or an INTERNAL error reply
// when rep cannot be encoded.
func EncodeReply(rep any) []byte {
	b, err := EncodeValue(append(make([]byte, 0, 256), 'R'), rep)
	if err != nil {
		return EncodeError(Errorf(CodeInternal, "internal error"))
	}
	return b
}

// EncodeError returns the reply carrying e.
func EncodeError(e *Error) []byte {
	b, err := EncodeValue(append(make([]byte, 0, 64+len(e.Message)), 'E'), e)
	if err != nil {
		return []byte(`E{"code":"INTERNAL","message":"internal error"}`)
	}
	return b
}

// DecodeReply decodes a reply into rep, or returns the *Error it carries.
func DecodeReply(raw []byte, rep any) error {
	if len(raw) == 0 {
		return errors.New("empty reply")
	}
	switch raw[0] {
	case 'R':
		return DecodeValue(raw[1:], rep)
	case 'E':
		var e Error
		if err := DecodeValue(raw[1:], &e); err != nil {
			return fmt.Errorf("decoding error reply: %w", err)
		}
		return &e
	}
	return fmt.Errorf("reply of unknown kind %q", raw[0])
}

// EncodeValue appends v, a pointer to a request, reply or error, as JSON.
func EncodeValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case *Movement:
		if v != nil && jsonTime(v.CreatedAt) {
			return appendMovement(b, v), nil
		}
	case *MovementInput:
		if v != nil && v.plain() {
			return appendMovementInput(b, v), nil
		}
	case *LogEntry:
		if fastEntry(v) {
			return appendEntry(b, v), nil
		}
	case *ChangeBatch:
		if v != nil && v.Encoded != nil {
			return append(b, v.Encoded...), nil
		}
		if v != nil && !slices.ContainsFunc(v.Entries, func(e LogEntry) bool { return !fastEntry(&e) }) {
			return appendBatch(b, v), nil
		}
	case *Error:
		if v != nil && v.Shortfall == nil && v.Elsewhere == nil && v.Lot == nil {
			return appendError(b, v), nil
		}
	case *MovementPage:
		if fastPage(v) {
			return appendMovementPage(b, v), nil
		}
	case *ExpiringLots:
		if v != nil && v.Lots != nil {
			return appendExpiringLots(b, v), nil
		}
	case *ReplenishPlan:
		if v != nil {
			return appendPlan(b, v)
		}
	}
	out, err := json.Marshal(v)
	return append(b, out...), err
}

// DecodeValue decodes data into v, a pointer to a request, reply or error,
// exactly as json.Unmarshal does.
func DecodeValue(data []byte, v any) error {
	switch v := v.(type) {
	case *MovementInput:
		if decodeFast(data, v, (*decoder).movementInput) {
			return nil
		}
	case *StockCount:
		if decodeFast(data, v, (*decoder).stockCount) {
			return nil
		}
	case *Movement:
		if decodeFast(data, v, (*decoder).movement) {
			return nil
		}
	case *LogEntry:
		if v != nil && reflect.ValueOf(*v).IsZero() && decodeFast(data, v, (*decoder).entry) {
			return nil
		}
	case *ChangeBatch:
		if v != nil && v.Epoch == "" && v.Entries == nil && decodeFast(data, v, (*decoder).batch) {
			return nil
		}
	case *MovementPage:
		if v != nil && v.Movements == nil && !v.HasNext && decodeFast(data, v, (*decoder).movementPage) {
			return nil
		}
	case *ExpiringLots:
		if v != nil && v.Lots == nil && decodeFast(data, v, (*decoder).expiringLots) {
			return nil
		}
	case *ReplenishPlan:
		if v != nil && v.Suggestions == nil && decodeFast(data, v, (*decoder).plan) {
			return nil
		}
	}
	return json.Unmarshal(data, v)
}

// decodeFast decodes data into v with read, the hand-written decoder of
// v's type, and reports whether it could; when it could not, v is as it
// was before (json.Unmarshal then decodes into it what data holds).
func decodeFast[T any](data []byte, v *T, read func(*decoder, *T) bool) bool {
	if v == nil {
		return false
	}
	d, held := decoder{b: data}, *v
	if read(&d, v) && d.end() {
		return true
	}
	*v = held
	return false
}

// EntryHead returns the origin and seq of an encoded LogEntry without
// decoding the rest: enough to learn that a log advanced. It reports false
// for anything it cannot read that way.
func EntryHead(data []byte) (origin string, seq int64, ok bool) {
	d := decoder{b: data}
	if !d.consume('{') {
		return "", 0, false
	}
	if k, ok := d.str(); !ok || string(k) != "origin" || !d.consume(':') || !d.into(&origin) || !d.consume(',') {
		return "", 0, false
	}
	if k, ok := d.str(); !ok || string(k) != "seq" || !d.consume(':') || !d.integer(&seq) {
		return "", 0, false
	}
	return origin, seq, true
}

// fastEntry reports whether appendEntry encodes e: a movement entry
// carrying nothing but its movement (appendEntry writes no other field, so
// an entry with a product, transfer, reservation or stocktake beside the
// movement goes to encoding/json), with times json.Marshal writes as
// appendTime does.
func fastEntry(e *LogEntry) bool {
	return e != nil && e.Movement != nil && e.Location == nil && e.TransferRequest == nil && e.Product == nil && e.Changed == nil && e.Actor == "" && e.Transfer == nil &&
		e.Reservation == nil && e.Stocktake == nil && e.From == 0 && jsonTime(e.At) && jsonTime(e.Movement.CreatedAt)
}
