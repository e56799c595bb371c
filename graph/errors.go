package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stockmesh/stockmesh/server/stock"
)

// presenter returns the one place where errors become GraphQL errors with
// extensions.code. Domain errors keep their code and message; gqlgen's own
// errors about the request (parse, validation, argument coercion, an
// undecodable body) become INVALID_INPUT; anything else is logged once and
// shown as "internal error".
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		g := graphql.DefaultErrorPresenter(ctx, err)
		code, msg := classify(err, g)
		if code == stock.CodeInternal {
			log.ErrorContext(ctx, "graphql request failed", "path", g.Path.String(), "err", err)
		}
		g.Message = msg
		if g.Extensions == nil {
			g.Extensions = map[string]any{}
		}
		g.Extensions["code"] = string(code)
		if s := stock.ShortfallOf(err); s != nil {
			g.Extensions["sku"] = s.SKU
			g.Extensions["inStock"] = s.InStock
			g.Extensions["requested"] = s.Requested
		}
		return g
	}
}

// classify returns the code and user-safe message for err.
func classify(err error, g *gqlerror.Error) (stock.Code, string) {
	var se *stock.Error
	if errors.As(err, &se) {
		return se.Code, stock.Message(se)
	}
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return stock.CodeInternal, stock.Message(err)
	}
	switch code, _ := g.Extensions["code"].(string); {
	case code != "" && code != "GRAPHQL_VALIDATION_FAILED" && code != "GRAPHQL_PARSE_FAILED":
		return stock.Code(code), g.Message // e.g. PERSISTED_QUERY_NOT_FOUND, which clients act on
	case strings.HasPrefix(g.Message, "json request body could not be decoded"):
		return stock.CodeInvalidInput, "the request body is not a valid GraphQL request in JSON"
	case strings.HasPrefix(g.Message, "could not read request body"):
		return stock.CodeInvalidInput, "the request body could not be read (too large?)"
	}
	return stock.CodeInvalidInput, g.Message
}

// recoverer turns a panic in a resolver into an internal error; the
// presenter logs it.
func recoverer(_ context.Context, v any) error {
	return fmt.Errorf("panic in resolver: %v", v)
}
