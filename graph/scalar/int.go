package scalar

import (
	"encoding/json"
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
// does: a whole number from -2^31 to 2^31-1. A whole-valued JSON number such
// as 5.0 is accepted; strings (even "5"), fractions and values out of range
// are INVALID_INPUT.
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
	case json.Number:
		f, err := v.Float64() // exact for every value in range
		if err != nil && !math.IsInf(f, 0) {
			return 0, stock.Errorf(stock.CodeInvalidInput, "Int: %s is not a number", v)
		}
		return intInRange(f, v.String())
	case string:
		return 0, stock.Errorf(stock.CodeInvalidInput, "Int: %q is a string, not a whole number", v)
	default:
		return 0, stock.Errorf(stock.CodeInvalidInput, "Int: must be a whole number, not %s", describe(v))
	}
}

// intInRange returns f, sent as s, when it is a whole number that fits in
// 32 bits.
func intInRange(f float64, s string) (int64, error) {
	switch {
	case f != math.Trunc(f): // a fraction, or NaN; infinities are out of range
		return 0, stock.Errorf(stock.CodeInvalidInput, "Int: %s is not a whole number", s)
	case f < math.MinInt32 || f > math.MaxInt32:
		return 0, stock.Errorf(stock.CodeInvalidInput, "Int: %s is out of range (%d to %d)", s, math.MinInt32, math.MaxInt32)
	}
	return int64(f), nil
}
