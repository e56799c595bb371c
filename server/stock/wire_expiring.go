package stock

import (
	"bytes"
	"slices"
	"strconv"
)

// The answer of expiringLots has a codec of its own: a week's lots among
// 100,000 are about a thousand, and encoding/json, both ways, cost the
// node more than SQLite did reading them (bench part expiring).

// appendExpiringLots appends l, whose Lots is not nil, as json.Marshal
// encodes an ExpiringLots.
func appendExpiringLots(b []byte, l *ExpiringLots) []byte {
	size := 16
	for i := range l.Lots {
		x := &l.Lots[i]
		size += 80 + len(x.Warehouse) + len(x.SKU) + len(x.Code) + len(x.ExpiresOn)
	}
	b = slices.Grow(b, size)
	b = append(b, `{"lots":[`...)
	for i := range l.Lots {
		if i > 0 {
			b = append(b, ',')
		}
		x := &l.Lots[i]
		b = appendString(append(b, `{"warehouse":`...), x.Warehouse)
		b = appendString(append(b, `,"sku":`...), x.SKU)
		b = appendString(append(b, `,"code":`...), x.Code)
		b = appendString(append(b, `,"expiresOn":`...), string(x.ExpiresOn))
		b = append(strconv.AppendInt(append(b, `,"quantity":`...), x.Quantity, 10), '}')
	}
	return append(b, "]}"...)
}

// expiringLotStart begins every lot appendExpiringLots writes, and nothing
// else: inside a string its quotes would be escaped. Counting it sizes
// the slice exactly.
var expiringLotStart = []byte(`{"warehouse":`)

// expiringLots reads an ExpiringLots as appendExpiringLots writes it. Its
// strings are slices of one copy of the answer (its lots are used
// together).
func (d *decoder) expiringLots(l *ExpiringLots) bool {
	d.text = string(d.b)
	defer func() { d.text = "" }()
	return d.object(func(key []byte) (uint, bool) {
		if string(key) != "lots" {
			return 0, false
		}
		l.Lots = make([]ExpiringLot, 0, bytes.Count(d.b[d.i:], expiringLotStart))
		return 1, d.array(func() bool {
			l.Lots = append(l.Lots, ExpiringLot{})
			return d.expiringLot(&l.Lots[len(l.Lots)-1])
		})
	})
}

// expiringLot reads an ExpiringLot object.
func (d *decoder) expiringLot(x *ExpiringLot) bool {
	return d.object(func(key []byte) (uint, bool) {
		switch string(key) {
		case "warehouse":
			return 1, d.into(&x.Warehouse)
		case "sku":
			return 2, d.into(&x.SKU)
		case "code":
			return 4, d.into(&x.Code)
		case "expiresOn":
			return 8, d.into((*string)(&x.ExpiresOn))
		case "quantity":
			return 16, d.integer(&x.Quantity)
		}
		return 0, false
	})
}
