// Package scalar marshals the API's custom GraphQL scalars to and from the
// domain's types.
package scalar

import (
	"fmt"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/stock"
)

// MarshalDecimal writes a price as a JSON string such as "19.99".
func MarshalDecimal(p stock.Price) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(p.String()))
	})
}

// UnmarshalDecimal reads a price from a string such as "19.99". Numbers are
// refused: a JSON number may already have lost exactness.
func UnmarshalDecimal(v any) (stock.Price, error) {
	s, ok := v.(string)
	if !ok {
		return 0, stock.Errorf(stock.CodeInvalidInput, "price: must be a string such as \"19.99\", not %s", describe(v))
	}
	return stock.ParsePrice(s)
}

// MarshalAmount writes a signed amount as a JSON string such as "-3.50".
func MarshalAmount(a stock.Amount) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(a.String()))
	})
}

// UnmarshalAmount reads a signed amount from a string such as "-3.50".
func UnmarshalAmount(v any) (stock.Amount, error) {
	s, ok := v.(string)
	if !ok {
		return 0, stock.Errorf(stock.CodeInvalidInput, "amount: must be a string such as \"-3.50\", not %s", describe(v))
	}
	var a stock.Amount
	return a, a.UnmarshalText([]byte(s))
}

func describe(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
