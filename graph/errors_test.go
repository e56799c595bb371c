package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// coded returns a gqlgen-raised error with extensions.code set.
func coded(msg, code string) error {
	e := gqlerror.Errorf("%s", msg)
	errcode.Set(e, code)
	return e
}

func TestClassify(t *testing.T) {
	short := stock.Errorf(stock.CodeInsufficientStock, "not enough stock of A1")
	cases := []struct {
		name string
		err  error
		code stock.Code
		msg  string
	}{
		{"domain error", short, stock.CodeInsufficientStock, "not enough stock of A1"},
		{"wrapped domain error", fmt.Errorf("recording sale: %w", short), stock.CodeInsufficientStock, "not enough stock of A1"},
		{"domain error on a path", gqlerror.WrapPath(ast.Path{ast.PathName("x")}, short), stock.CodeInsufficientStock, "not enough stock of A1"},
		{"oversized body", &http.MaxBytesError{Limit: 1 << 20}, stock.CodeInvalidInput, "the request body is larger than 1048576 bytes"},
		{"parse failure", coded("Unexpected <EOF>", errcode.ParseFailed), stock.CodeInvalidInput, "Unexpected <EOF>"},
		{"validation failure", coded(`Cannot query field "x"`, errcode.ValidationFailed), stock.CodeInvalidInput, `Cannot query field "x"`},
		{"gqlgen's request error without a code", gqlerror.Errorf("invalid APQ extension data"), stock.CodeInvalidInput, "invalid APQ extension data"},
		{"gqlgen's code for clients", coded("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND"), "PERSISTED_QUERY_NOT_FOUND", "PersistedQueryNotFound"},
		{"plain error", errors.New("disk on fire"), stock.CodeInternal, "internal error"},
		// gqlgen wraps a resolver's plain error, or a panic, in a
		// *gqlerror.Error: its text must not reach the client.
		{"plain error on a path", gqlerror.WrapPath(ast.Path{ast.PathName("x")}, errors.New("disk on fire")), stock.CodeInternal, "internal error"},
		{"panic", gqlerror.WrapPath(nil, recoverer(context.Background(), "boom")), stock.CodeInternal, "internal error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, msg := classify(c.err)
			if code != c.code || msg != c.msg {
				t.Fatalf("classify(%v) = %s %q, want %s %q", c.err, code, msg, c.code, c.msg)
			}
		})
	}
}

// TestPresenterNamesTheRefusedToken: a FORBIDDEN refusal carries the
// caller's token name and role, and the role needed when the refusal was
// for the role (stock.Authorize's); one about another warehouse, another
// code, or a request without a principal do not.
func TestPresenterNamesTheRefusedToken(t *testing.T) {
	viewer := auth.WithPrincipal(context.Background(), auth.Principal{Name: "wall-screen", Role: auth.RoleViewer})
	elsewhere := &stock.Error{Code: stock.CodeForbidden, Message: "warehouse BCN-1 belongs to another node", Elsewhere: &stock.Elsewhere{Warehouse: "BCN-1"}}
	cases := []struct {
		name      string
		ctx       context.Context
		err       error
		wantName  any
		wantRole  any
		wantNeeds any
	}{
		{"a role refusal", viewer, stock.Authorize(viewer, auth.RoleOperator), "wall-screen", "viewer", "operator"},
		{"a refusal of an older node", viewer, stock.Errorf(stock.CodeForbidden, "this needs the operator role"), "wall-screen", "viewer", nil},
		{"another warehouse's", viewer, elsewhere, nil, nil, nil},
		{"another code", viewer, stock.Errorf(stock.CodeNotFound, "no product A1"), nil, nil, nil},
		{"no principal", context.Background(), stock.Errorf(stock.CodeForbidden, "only the node itself may do this"), nil, nil, nil},
	}
	present := presenter(slog.New(slog.DiscardHandler))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := present(c.ctx, c.err)
			if g.Extensions["tokenName"] != c.wantName || g.Extensions["tokenRole"] != c.wantRole || g.Extensions["neededRole"] != c.wantNeeds {
				t.Fatalf("extensions %v, want tokenName %v, tokenRole %v and neededRole %v", g.Extensions, c.wantName, c.wantRole, c.wantNeeds)
			}
		})
	}
}
