package store

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/stockmesh/stockmesh/server/stock"
)

// encodeAll encodes replies in order.
func encodeAll(replies []*stock.Reply) [][]byte {
	out := make([][]byte, len(replies))
	for i, r := range replies {
		out[i] = encode(r)
	}
	return out
}

// encode encodes one reply exactly as json.Marshal does; a nil reply is an
// empty success. Replies of one movement or one error, the writer's usual
// ones, are encoded by hand.
func encode(r *stock.Reply) []byte {
	switch {
	case r == nil:
		return []byte("{}")
	case r.Movement != nil && *r == stock.Reply{Movement: r.Movement} && jsonTime(r.Movement.CreatedAt):
		b := make([]byte, 0, 256)
		b = appendMovement(append(b, `{"movement":`...), r.Movement)
		return append(b, '}')
	case r.Err != nil && *r == stock.Reply{Err: r.Err} && r.Err.Shortfall == nil:
		b := make([]byte, 0, 64+len(r.Err.Message))
		b = appendString(append(b, `{"err":{"code":`...), string(r.Err.Code))
		b = appendString(append(b, `,"message":`...), r.Err.Message)
		return append(b, "}}"...)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return internalReply
	}
	return b
}

// encodeChange encodes the Change m made as json.Marshal does.
func encodeChange(m *stock.Movement) ([]byte, error) {
	if !jsonTime(m.CreatedAt) {
		return json.Marshal(stock.ChangeOf(m))
	}
	b := make([]byte, 0, 192)
	b = appendString(append(b, `{"warehouse":`...), m.Warehouse)
	b = appendString(append(b, `,"sku":`...), m.SKU)
	b = strconv.AppendInt(append(b, `,"quantity":`...), m.Balance, 10)
	b = strconv.AppendInt(append(b, `,"delta":`...), m.Quantity, 10)
	b = appendString(append(b, `,"movementId":`...), m.ID)
	b = appendString(append(b, `,"kind":`...), string(m.Kind))
	if m.Reference != "" {
		b = appendString(append(b, `,"reference":`...), m.Reference)
	}
	b = strconv.AppendInt(append(b, `,"seq":`...), m.Seq, 10)
	b = appendTime(append(b, `,"at":`...), m.CreatedAt)
	return append(b, '}'), nil
}

// appendMovement appends m as json.Marshal encodes a stock.Movement.
func appendMovement(b []byte, m *stock.Movement) []byte {
	b = appendString(append(b, `{"id":`...), m.ID)
	b = appendString(append(b, `,"warehouse":`...), m.Warehouse)
	b = strconv.AppendInt(append(b, `,"seq":`...), m.Seq, 10)
	b = appendString(append(b, `,"sku":`...), m.SKU)
	b = appendString(append(b, `,"kind":`...), string(m.Kind))
	b = strconv.AppendInt(append(b, `,"quantity":`...), m.Quantity, 10)
	b = strconv.AppendInt(append(b, `,"balance":`...), m.Balance, 10)
	for _, f := range [...]struct{ key, val string }{
		{`,"reference":`, m.Reference}, {`,"note":`, m.Note},
		{`,"actor":`, m.Actor}, {`,"idempotencyKey":`, m.IdempotencyKey},
	} {
		if f.val != "" {
			b = appendString(append(b, f.key...), f.val)
		}
	}
	b = appendTime(append(b, `,"createdAt":`...), m.CreatedAt)
	return append(b, '}')
}

// jsonTime reports whether t is a time appendTime encodes as
// time.Time.MarshalJSON does (which fails outside years 0 to 9999 and for
// zone offsets of a day or more).
func jsonTime(t time.Time) bool {
	y := t.Year()
	_, off := t.Zone()
	return y >= 0 && y <= 9999 && off > -24*3600 && off < 24*3600
}

// appendTime appends t quoted in RFC 3339 with nanoseconds, as
// time.Time.MarshalJSON does for the times jsonTime accepts.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendString appends s quoted as encoding/json does: with <, > and &
// escaped for HTML, invalid UTF-8 replaced by U+FFFD, and U+2028 and
// U+2029 escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	return append(append(b, s[start:]...), '"')
}
