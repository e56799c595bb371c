package stock

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// ProductCursor returns the opaque cursor of a product in a listing.
func ProductCursor(sku string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p:" + sku))
}

// MovementPosition is where a movement stands in a listing: listings go
// newest first by (At, Warehouse, Seq), which names one movement of every
// warehouse the node holds, so a listing across warehouses continues after
// a position whatever arrived since, and visits every movement once.
type MovementPosition struct {
	At        time.Time
	Warehouse string
	Seq       int64
}

// MovementCursor returns the opaque cursor of m in a listing. It is stable
// while new movements arrive.
func MovementCursor(m *Movement) string {
	s := "m:" + strconv.FormatInt(m.CreatedAt.UnixNano(), 10) + ":" + strconv.FormatInt(m.Seq, 10) + ":" + m.Warehouse
	return base64.RawURLEncoding.EncodeToString([]byte(s))
}

// DecodeProductCursor returns the sku a product cursor points at.
func DecodeProductCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	sku, ok := strings.CutPrefix(string(b), "p:")
	if err != nil || !ok || sku == "" || checkUTF8("after", sku) != nil {
		return "", invalid("after", "not a product cursor")
	}
	return sku, nil
}

// DecodeMovementCursor returns the position a movement cursor points at.
func DecodeMovementCursor(c string) (MovementPosition, error) {
	bad := invalid("after", "not a movement cursor")
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), "m:")
	parts := strings.SplitN(s, ":", 3)
	if err != nil || !ok || len(parts) != 3 || parts[2] == "" || checkUTF8("after", parts[2]) != nil {
		return MovementPosition{}, bad
	}
	at, aerr := strconv.ParseInt(parts[0], 10, 64)
	seq, serr := strconv.ParseInt(parts[1], 10, 64)
	if aerr != nil || serr != nil || seq <= 0 {
		return MovementPosition{}, bad
	}
	return MovementPosition{At: time.Unix(0, at).UTC(), Warehouse: parts[2], Seq: seq}, nil
}
