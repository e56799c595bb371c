package stock

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// ProductCursor returns the opaque cursor of a product in a listing.
func ProductCursor(sku string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("p:" + sku))
}

// MovementCursor returns the opaque cursor of a movement in a listing. It is
// stable while new movements arrive.
func MovementCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("m:" + strconv.FormatInt(seq, 10)))
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

// DecodeMovementCursor returns the sequence a movement cursor points at.
func DecodeMovementCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), "m:")
	seq, perr := strconv.ParseInt(s, 10, 64)
	if err != nil || !ok || perr != nil || seq <= 0 {
		return 0, invalid("after", "not a movement cursor")
	}
	return seq, nil
}
