package scalar

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/stock"
)

// MarshalTime writes a time in RFC 3339 format with nanoseconds.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.MarshalTime(t)
}

// UnmarshalTime reads a time from an RFC 3339 string such as
// "2026-11-23T10:15:00Z"; anything else is INVALID_INPUT.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, stock.Errorf(stock.CodeInvalidInput, "Time: must be an RFC 3339 string, not %s", describe(v))
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, stock.Errorf(stock.CodeInvalidInput, "Time: %q is not an RFC 3339 time such as 2026-11-23T10:15:00Z", s)
	}
	return t, nil
}
