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

// createdCursor returns the opaque cursor, of the kind prefix names, of
// a row in a listing newest first by creation time and id.
func createdCursor(prefix string, created time.Time, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + ":" + strconv.FormatInt(created.UnixNano(), 10) + ":" + id))
}

// decodeCreatedCursor returns the creation time (Unix nanoseconds) and id
// a createdCursor of prefix points at; what names the kind in the error.
func decodeCreatedCursor(c, prefix, what string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	rest, ok := strings.CutPrefix(string(b), prefix+":")
	at, id, ok2 := strings.Cut(rest, ":")
	n, perr := strconv.ParseInt(at, 10, 64)
	if err != nil || !ok || !ok2 || perr != nil || id == "" || checkUTF8("after", id) != nil {
		return 0, "", invalid("after", "not a %s cursor", what)
	}
	return n, id, nil
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
