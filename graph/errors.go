package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// presenter returns the one place where errors become GraphQL errors with
// extensions.code (see present); it logs internal errors once.
func presenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		g := present(graphql.DefaultErrorPresenter(ctx, err), err)
		refusedToken(ctx, g, err)
		if g.Extensions["code"] == string(stock.CodeInternal) {
			log.ErrorContext(ctx, "graphql request failed", "path", g.Path.String(), "err", err)
		}
		return g
	}
}

// present sets the code and user-safe message of err on g, the GraphQL
// error that carries it (its path and locations).
func present(g *gqlerror.Error, err error) *gqlerror.Error {
	code, msg := classify(err)
	g.Message = msg
	if g.Extensions == nil {
		g.Extensions = map[string]any{}
	}
	g.Extensions["code"] = string(code)
	if s := stock.ShortfallOf(err); s != nil {
		g.Extensions["sku"] = s.SKU
		g.Extensions["inStock"] = s.InStock
		g.Extensions["requested"] = s.Requested
		g.Extensions["reserved"] = s.Reserved
		g.Extensions["available"] = s.Available
	}
	if v := stock.ViolationOf(err); v != nil {
		g.Extensions["violation"] = v
	}
	if l := stock.LotOf(err); l != nil {
		g.Extensions["lot"] = l.Code
		g.Extensions["expiresOn"] = string(l.ExpiresOn)
	}
	if w := stock.ElsewhereOf(err); w != nil {
		g.Extensions["warehouse"] = w.Warehouse
		if w.Node != "" {
			g.Extensions["node"] = w.Node
		}
	}
	return g
}

// refusedToken adds to a FORBIDDEN error that is not about another
// warehouse the name and role of the caller's token (extensions tokenName
// and tokenRole) and, when the refusal was for the role, the role needed
// (neededRole), so that clients can say in their own words (and
// language) whose role fell short of what.
func refusedToken(ctx context.Context, g *gqlerror.Error, err error) {
	if g.Extensions["code"] != string(stock.CodeForbidden) || stock.ElsewhereOf(err) != nil {
		return
	}
	if p, ok := auth.FromContext(ctx); ok {
		g.Extensions["tokenName"] = p.Name
		g.Extensions["tokenRole"] = string(p.Role)
	}
	if need := stock.NeedsOf(err); need != "" {
		g.Extensions["neededRole"] = need
	}
}

// classify returns the code and user-safe message of err, deciding by type:
//   - a domain error (*stock.Error anywhere in the chain, which is also what
//     our scalars and transports return for bad input) keeps its code and
//     message;
//   - a body over the size limit (*http.MaxBytesError) is INVALID_INPUT;
//   - an error gqlgen or gqlparser raised itself about the request (a
//     *gqlerror.Error wrapping nothing: a document that does not parse or
//     validate, bad APQ data) is INVALID_INPUT, unless its extensions.code
//     is one of gqlgen's own codes for clients (PERSISTED_QUERY_NOT_FOUND,
//     which clients act on; COMPLEXITY_LIMIT_EXCEEDED), which it keeps;
//   - anything else, including a plain error a resolver or panic produced
//     (which gqlgen wraps in a *gqlerror.Error), is INTERNAL: its text is
//     for the logs only.
func classify(err error) (stock.Code, string) {
	if se, ok := errors.AsType[*stock.Error](err); ok {
		return se.Code, stock.Message(se)
	}
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return stock.CodeInvalidInput, fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit)
	}
	ge, ok := errors.AsType[*gqlerror.Error](err)
	if !ok || ge.Err != nil {
		return stock.CodeInternal, stock.Message(err)
	}
	switch code, _ := ge.Extensions["code"].(string); code {
	case errcode.ValidationFailed, errcode.ParseFailed, "":
		return stock.CodeInvalidInput, ge.Message
	default:
		return stock.Code(code), ge.Message
	}
}

// statusOf maps the code of an error refused before execution to its HTTP
// status.
var statusOf = map[stock.Code]int{
	stock.CodeInvalidInput:    http.StatusBadRequest,
	stock.CodeUnauthenticated: http.StatusUnauthorized,
	stock.CodeForbidden:       http.StatusForbidden,
	stock.CodeUnavailable:     http.StatusServiceUnavailable,
}

// httpStatus returns the HTTP status of a request refused with err before
// any GraphQL execution: 413 for a body over the limit, then by code, and
// 500 for anything unexpected.
func httpStatus(err error) int {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge
	}
	if s, ok := statusOf[stock.CodeOf(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// recoverer turns a panic in a resolver into an internal error; the
// presenter logs it.
func recoverer(_ context.Context, v any) error {
	return fmt.Errorf("panic in resolver: %v", v)
}
