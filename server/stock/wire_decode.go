package stock

import (
	"time"
	"unicode/utf8"
)

// decoder is the hand-written decoder of the requests on the writer's hot
// path (MovementInput, StockCount). It accepts only objects made of their
// own keys, spelled as their json tags, with strings free of escapes and
// integers of up to 18 digits; each method reports whether it read what it
// expects, and DecodeValue gives anything else to encoding/json, so the
// result and the error are always json.Unmarshal's.
type decoder struct {
	b []byte
	i int
	// text, when set, is b as one string: into then takes its strings as
	// slices of it instead of allocating each (see movementPage).
	text string
}

// end reports whether only white space is left.
func (d *decoder) end() bool {
	d.space()
	return d.i == len(d.b)
}

// movementInput reads a MovementInput object.
func (d *decoder) movementInput(in *MovementInput) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "sku":
			return 1, d.into(&in.SKU)
		case "kind":
			return 2, d.into((*string)(&in.Kind))
		case "quantity":
			return 4, d.integer(&in.Quantity)
		case "reference":
			return 8, d.into(&in.Reference)
		case "note":
			return 16, d.into(&in.Note)
		case "idempotencyKey":
			return 32, d.into(&in.IdempotencyKey)
		case "warehouse":
			return 64, d.into(&in.Warehouse)
		}
		return 0, false
	})
}

// movement reads a Movement object, the reply of every movement a node
// records (decoded by the Service that sent it).
func (d *decoder) movement(m *Movement) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "id":
			return 1, d.into(&m.ID)
		case "warehouse":
			return 2, d.into(&m.Warehouse)
		case "seq":
			return 4, d.integer(&m.Seq)
		case "sku":
			return 8, d.into(&m.SKU)
		case "kind":
			return 16, d.into((*string)(&m.Kind))
		case "quantity":
			return 32, d.integer(&m.Quantity)
		case "balance":
			return 64, d.integer(&m.Balance)
		case "reference":
			return 128, d.into(&m.Reference)
		case "note":
			return 256, d.into(&m.Note)
		case "actor":
			return 512, d.into(&m.Actor)
		case "idempotencyKey":
			return 1024, d.into(&m.IdempotencyKey)
		case "createdAt":
			return 2048, d.utcTime(&m.CreatedAt)
		case "lots":
			m.Lots = []LotQuantity{} // json.Unmarshal makes [] an empty slice, not nil
			return 4096, d.array(func() bool {
				m.Lots = append(m.Lots, LotQuantity{})
				return d.lotQuantity(&m.Lots[len(m.Lots)-1])
			})
		case "location":
			return 8192, d.into(&m.Location)
		case "pack":
			return 16384, d.into(&m.Pack)
		case "packSize":
			return 32768, d.integer(&m.PackSize)
		case "namedLot":
			if m.NamedLot != nil {
				return 0, false // json.Unmarshal decodes into the lot held
			}
			m.NamedLot = new(LotInput)
			return 65536, d.lotInput(m.NamedLot)
		}
		return 0, false
	})
}

// lotQuantity reads a LotQuantity object, a movement's piece.
func (d *decoder) lotQuantity(l *LotQuantity) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "code":
			return 1, d.into(&l.Code)
		case "expiresOn":
			return 2, d.into((*string)(&l.ExpiresOn))
		case "location":
			return 4, d.into(&l.Location)
		case "quantity":
			return 8, d.integer(&l.Quantity)
		}
		return 0, false
	})
}

// lotInput reads a LotInput object, the lot a movement named.
func (d *decoder) lotInput(l *LotInput) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "code":
			return 1, d.into(&l.Code)
		case "expiresOn":
			return 2, d.into((*string)(&l.ExpiresOn))
		}
		return 0, false
	})
}

// entry reads a movement LogEntry, in the shape appendEntry writes.
func (d *decoder) entry(e *LogEntry) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "origin":
			return 1, d.into(&e.Origin)
		case "seq":
			return 2, d.integer(&e.Seq)
		case "at":
			return 4, d.utcTime(&e.At)
		case "type":
			return 8, d.into((*string)(&e.Type))
		case "movement":
			if e.Movement == nil {
				e.Movement = new(Movement)
			}
			return 16, d.movement(e.Movement)
		case "reserved":
			if e.Reserved == nil {
				e.Reserved = new(int64)
			}
			return 32, d.integer(e.Reserved)
		}
		return 0, false
	})
}

// batch reads a ChangeBatch of movement entries.
func (d *decoder) batch(c *ChangeBatch) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "epoch":
			return 1, d.into(&c.Epoch)
		case "entries":
			c.Entries = []LogEntry{} // json.Unmarshal makes [] an empty slice, not nil
			return 2, d.array(func() bool {
				c.Entries = append(c.Entries, LogEntry{})
				return d.entry(&c.Entries[len(c.Entries)-1])
			})
		case "proof":
			var text string
			c.Proof = &LogProof{}
			return 4, d.into(&text) && c.Proof.parse(text) == nil
		}
		return 0, false
	})
}

// array reads a non-null array, calling elem for each element.
func (d *decoder) array(elem func() bool) bool {
	if !d.consume('[') {
		return false
	}
	if d.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if !d.consume(',') {
			return d.consume(']')
		}
	}
}

// utcTime reads a time in UTC, written as appendTime writes it (RFC 3339
// with nanoseconds and "Z"): one that formats back to the same text, which
// time.Time's UnmarshalJSON reads the same way.
func (d *decoder) utcTime(dst *time.Time) bool {
	s, ok := d.str()
	if !ok || len(s) < 20 || s[len(s)-1] != 'Z' {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, string(s))
	if err != nil || string(t.AppendFormat(make([]byte, 0, 40), time.RFC3339Nano)) != string(s) {
		return false
	}
	*dst = t
	return true
}

// stockCount reads a StockCount object.
func (d *decoder) stockCount(c *StockCount) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "sku":
			return 1, d.into(&c.SKU)
		case "quantity":
			return 2, d.integer(&c.Quantity)
		case "note":
			return 4, d.into(&c.Note)
		case "warehouse":
			return 8, d.into(&c.Warehouse)
		}
		return 0, false
	})
}

// object reads an object, calling field after each key and its colon;
// field reads the value and returns the key's bit, distinct per known key.
// A repeated key fails, leaving it to encoding/json (where the last wins).
func (d *decoder) object(field func(key []byte) (bit uint, ok bool)) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	var seen uint
	for {
		key, ok := d.str()
		if !ok || !d.consume(':') {
			return false
		}
		bit, ok := field(key)
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		if !d.consume(',') {
			return d.consume('}')
		}
	}
}

// space skips white space.
func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// consume skips white space and then c.
func (d *decoder) consume(c byte) bool {
	d.space()
	if d.i < len(d.b) && d.b[d.i] == c {
		d.i++
		return true
	}
	return false
}

// str reads a string without escapes or control characters that is valid
// UTF-8, and returns its bytes inside the input.
func (d *decoder) str() ([]byte, bool) {
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return nil, false
	}
	start, ascii := d.i+1, true
	for j := start; j < len(d.b); j++ {
		switch c := d.b[j]; {
		case c == '"':
			s := d.b[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// into reads a string into dst.
func (d *decoder) into(dst *string) bool {
	s, ok := d.str()
	switch {
	case !ok:
	case d.text != "":
		start := d.i - 1 - len(s) // str left d.i after the closing quote
		*dst = d.text[start : start+len(s)]
	default:
		*dst = string(s)
	}
	return ok
}

// integer reads an integer of at most 18 digits (which always fits an
// int64) in JSON's syntax; fractions and exponents are left unread, so the
// caller fails on them.
func (d *decoder) integer(dst *int64) bool {
	d.space()
	j, neg := d.i, false
	if j < len(d.b) && d.b[j] == '-' {
		j, neg = j+1, true
	}
	var n int64
	digits := j
	for ; j < len(d.b) && d.b[j] >= '0' && d.b[j] <= '9'; j++ {
		n = n*10 + int64(d.b[j]-'0')
	}
	if j == digits || j-digits > 18 || (d.b[digits] == '0' && j-digits > 1) {
		return false
	}
	if neg {
		n = -n
	}
	*dst, d.i = n, j
	return true
}
