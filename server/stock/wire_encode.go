package stock

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// The hand-written encoders of the writer's hot path. Each appends exactly
// what json.Marshal writes for its type (wire_test.go checks it).

// appendMovementInput appends in as json.Marshal encodes a MovementInput.
func appendMovementInput(b []byte, in *MovementInput) []byte {
	b = appendString(append(b, `{"sku":`...), in.SKU)
	b = appendString(append(b, `,"kind":`...), string(in.Kind))
	b = strconv.AppendInt(append(b, `,"quantity":`...), in.Quantity, 10)
	for _, f := range [...]struct{ key, val string }{
		{`,"reference":`, in.Reference}, {`,"note":`, in.Note}, {`,"idempotencyKey":`, in.IdempotencyKey},
		{`,"warehouse":`, in.Warehouse},
	} {
		if f.val != "" {
			b = appendString(append(b, f.key...), f.val)
		}
	}
	return append(b, '}')
}

// appendError appends e, which has no Shortfall or Elsewhere, as
// json.Marshal encodes an Error.
func appendError(b []byte, e *Error) []byte {
	b = appendString(append(b, `{"code":`...), string(e.Code))
	b = appendString(append(b, `,"message":`...), e.Message)
	if e.Reason != "" {
		b = appendString(append(b, `,"reason":`...), e.Reason)
	}
	return append(b, '}')
}

// appendEntry appends a movement entry as json.Marshal encodes a LogEntry.
func appendEntry(b []byte, e *LogEntry) []byte {
	b = appendString(append(b, `{"origin":`...), e.Origin)
	b = strconv.AppendInt(append(b, `,"seq":`...), e.Seq, 10)
	b = appendTime(append(b, `,"at":`...), e.At)
	b = appendString(append(b, `,"type":`...), string(e.Type))
	b = append(appendMovement(append(b, `,"movement":`...), e.Movement), '}')
	if e.Reserved != nil {
		return WithReserved(b, *e.Reserved)
	}
	return b
}

// WithReserved returns data, the encoding of a movement entry without
// Reserved (an object ending in '}'), as the entry encodes with Reserved
// n: Reserved is LogEntry's last field, so it is appended at the end. It
// appends to data's array when it has room.
func WithReserved(data []byte, n int64) []byte {
	if len(data) > 0 && data[len(data)-1] == '}' {
		data = data[:len(data)-1]
	}
	return append(strconv.AppendInt(append(data, `,"reserved":`...), n, 10), '}')
}

// appendBatch appends b, whose entries fastEntry accepts, as json.Marshal
// encodes a ChangeBatch: the run of a log a replica applies.
func appendBatch(b []byte, c *ChangeBatch) []byte {
	b = append(b, '{')
	if c.Epoch != "" {
		b = append(appendString(append(b, `"epoch":`...), c.Epoch), ',')
	}
	if c.Entries == nil {
		return append(b, `"entries":null}`...)
	}
	b = append(b, `"entries":[`...)
	for i := range c.Entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEntry(b, &c.Entries[i])
	}
	b = append(b, ']')
	if c.Proof != nil {
		b = appendString(append(b, `,"proof":`...), c.Proof.text())
	}
	return append(b, '}')
}

// appendMovement appends m as json.Marshal encodes a stock.Movement.
func appendMovement(b []byte, m *Movement) []byte {
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
	if m.Lots != nil {
		b = appendLots(append(b, `,"lots":`...), m.Lots)
	}
	if m.Location != "" {
		b = appendString(append(b, `,"location":`...), m.Location)
	}
	if m.Pack != "" {
		b = appendString(append(b, `,"pack":`...), m.Pack)
	}
	if m.PackSize != 0 {
		b = strconv.AppendInt(append(b, `,"packSize":`...), m.PackSize, 10)
	}
	if m.NamedLot != nil {
		b = appendLotInput(append(b, `,"namedLot":`...), m.NamedLot)
	}
	return append(b, '}')
}

// appendLotInput appends l as json.Marshal encodes a LotInput.
func appendLotInput(b []byte, l *LotInput) []byte {
	b = appendString(append(b, `{"code":`...), l.Code)
	if l.ExpiresOn != "" {
		b = appendString(append(b, `,"expiresOn":`...), string(l.ExpiresOn))
	}
	return append(b, '}')
}

// AppendWhere appends a movement's lots, location, pack and named lot as
// json.Marshal encodes a struct of those five fields (tagged lots,
// location, pack, packSize and namedLot, each omitempty): the ledger's
// detail column.
func AppendWhere(b []byte, lots []LotQuantity, location, pack string, packSize int64, named *LotInput) []byte {
	b = append(b, '{')
	sep := func() {
		if len(b) > 0 && b[len(b)-1] != '{' {
			b = append(b, ',')
		}
	}
	if len(lots) > 0 {
		b = appendLots(append(b, `"lots":`...), lots)
	}
	if location != "" {
		sep()
		b = appendString(append(b, `"location":`...), location)
	}
	if pack != "" {
		sep()
		b = appendString(append(b, `"pack":`...), pack)
	}
	if packSize != 0 {
		sep()
		b = strconv.AppendInt(append(b, `"packSize":`...), packSize, 10)
	}
	if named != nil {
		sep()
		b = appendLotInput(append(b, `"namedLot":`...), named)
	}
	return append(b, '}')
}

// appendLots appends a movement's pieces as json.Marshal encodes them.
func appendLots(b []byte, lots []LotQuantity) []byte {
	b = append(b, '[')
	for i, l := range lots {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(append(b, `{"code":`...), l.Code)
		if l.ExpiresOn != "" {
			b = appendString(append(b, `,"expiresOn":`...), string(l.ExpiresOn))
		}
		if l.Location != "" {
			b = appendString(append(b, `,"location":`...), l.Location)
		}
		b = strconv.AppendInt(append(b, `,"quantity":`...), l.Quantity, 10)
		b = append(b, '}')
	}
	return append(b, ']')
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

// appendString is AppendJSONString.
func appendString(b []byte, s string) []byte { return AppendJSONString(b, s) }

// AppendJSONString appends s quoted as encoding/json does: with <, > and &
// escaped for HTML, invalid UTF-8 replaced by U+FFFD, and U+2028 and
// U+2029 escaped.
func AppendJSONString(b []byte, s string) []byte {
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
