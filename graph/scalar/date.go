package scalar

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/stock"
)

// MarshalDate writes a calendar day as YYYY-MM-DD, or null for none ("").
func MarshalDate(d stock.Date) graphql.Marshaler {
	if d == "" {
		return graphql.Null
	}
	return graphql.MarshalString(string(d))
}

// UnmarshalDate reads a calendar day written YYYY-MM-DD; null is none
// (""), anything else is INVALID_INPUT.
func UnmarshalDate(v any) (stock.Date, error) {
	if v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", stock.Errorf(stock.CodeInvalidInput, "Date: must be a string such as 2027-01-31, not %s", describe(v))
	}
	return stock.ParseDate(s)
}
