package stock

import (
	"bytes"
	"slices"
	"strconv"
)

// A page of movements has a codec of its own: exports read the ledger in
// pages of MaxExportPage, and encoding/json cost the node more than SQLite
// did for them.

// fastPage reports whether appendMovementPage encodes p as json.Marshal
// does.
func fastPage(p *MovementPage) bool {
	if p == nil || p.Movements == nil {
		return false
	}
	for i := range p.Movements {
		if !jsonTime(p.Movements[i].CreatedAt) {
			return false
		}
	}
	return true
}

// appendMovementPage appends p as json.Marshal encodes a MovementPage.
func appendMovementPage(b []byte, p *MovementPage) []byte {
	size := 32
	for i := range p.Movements {
		m := &p.Movements[i]
		size += encodedMovementBase + len(m.ID) + len(m.Warehouse) + len(m.SKU) + len(m.Kind) + len(m.Reference) +
			len(m.Note) + len(m.Actor) + len(m.IdempotencyKey)
	}
	b = slices.Grow(b, size)
	b = append(b, `{"movements":[`...)
	for i := range p.Movements {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMovement(b, &p.Movements[i])
	}
	return append(strconv.AppendBool(append(b, `],"hasNext":`...), p.HasNext), '}')
}

// encodedMovementBase is about what appendMovement writes for a movement
// besides its strings (keys, numbers, the time), so that a page's buffer
// is sized once; escapes in strings may still grow it.
const encodedMovementBase = 200

// movementStart begins every movement appendMovement writes, and nothing
// else in a page: inside a string its quotes would be escaped. Counting it
// sizes a page's slice exactly.
var movementStart = []byte(`{"id":`)

// movementPage reads a MovementPage as appendMovementPage writes it. Its
// strings are slices of one copy of the page (a page's movements are used
// together), and its slice is sized once (see movementStart).
func (d *decoder) movementPage(p *MovementPage) bool {
	d.text = string(d.b)
	defer func() { d.text = "" }()
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "movements":
			p.Movements = make([]Movement, 0, bytes.Count(d.b[d.i:], movementStart))
			return 1, d.array(func() bool {
				p.Movements = append(p.Movements, Movement{})
				return d.movement(&p.Movements[len(p.Movements)-1])
			})
		case "hasNext":
			return 2, d.boolean(&p.HasNext)
		}
		return 0, false
	})
}

// boolean reads true or false.
func (d *decoder) boolean(dst *bool) bool {
	d.space()
	for _, v := range []bool{true, false} {
		if lit := strconv.FormatBool(v); bytes.HasPrefix(d.b[d.i:], []byte(lit)) {
			*dst, d.i = v, d.i+len(lit)
			return true
		}
	}
	return false
}
