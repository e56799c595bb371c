package scalar

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/stock"
)

// MarshalInt writes an Int as a JSON number.
func MarshalInt(n int64) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.FormatInt(n, 10))
	})
}

// UnmarshalInt reads an Int as the GraphQL specification's input coercion
// does: an integer from -2^31 to 2^31-1. Strings (even "5"), numbers with a
// fraction or exponent as sent in JSON (5.5, 5.0, 1e3) and values out of
// range are INVALID_INPUT. A whole float64 passes, for decoders that make
// every JSON number one.
func UnmarshalInt(v any) (int64, error) {
	switch v := v.(type) {
	case int64:
		return intInRange(float64(v), strconv.FormatInt(v, 10))
	case int:
		return intInRange(float64(v), strconv.Itoa(v))
	case int32:
		return int64(v), nil
	case float64:
		return intInRange(v, strconv.FormatFloat(v, 'g', -1, 64))
	case json.Number: // as sent: an integer literal, not 5.0 or 1e3
		n, err := strconv.ParseInt(v.String(), 10, 64)
		if errors.Is(err, strconv.ErrRange) {
			return 0, outOfRange(v.String())
		}
		if err != nil {
			return 0, notInt(v.String())
		}
		return intInRange(float64(n), v.String())
	case string:
		return 0, stock.Errorf(stock.CodeInvalidInput, "Int: %q is a string, not an integer", v)
	default:
		return 0, stock.Errorf(stock.CodeInvalidInput, "Int: must be an integer, not %s", describe(v))
	}
}

// intInRange returns f, sent as s, when it is a whole number that fits in
// 32 bits.
func intInRange(f float64, s string) (int64, error) {
	switch {
	case f != math.Trunc(f): // a fraction, or NaN; infinities are out of range
		return 0, notInt(s)
	case f < math.MinInt32 || f > math.MaxInt32:
		return 0, outOfRange(s)
	}
	return int64(f), nil
}

func notInt(s string) error {
	return stock.Errorf(stock.CodeInvalidInput, "Int: %s is not an integer", s)
}

func outOfRange(s string) error {
	return stock.Errorf(stock.CodeInvalidInput, "Int: %s is out of range (%d to %d)", s, math.MinInt32, math.MaxInt32)
}
