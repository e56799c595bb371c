package scalar

import (
	"encoding/json"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/stock"
)

// MarshalID writes an ID as a string.
func MarshalID(s string) graphql.Marshaler {
	return graphql.MarshalID(s)
}

// UnmarshalID reads an ID: a string, or an integer written as its decimal
// form, as the GraphQL specification's input coercion for ID says. An
// explicit null of an optional ID that lands in a string field is "", as
// if it had been left out: gqlgen's own UnmarshalID makes it the string
// "null", which then names a warehouse or sku that does not exist.
func UnmarshalID(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case json.Number:
		if _, err := v.Int64(); err == nil {
			return v.String(), nil
		}
	}
	return "", stock.Errorf(stock.CodeInvalidInput, "ID: must be a string or an integer, not %s", describe(v))
}
