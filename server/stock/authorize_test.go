package stock

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/auth"
)

// TestEveryOpDeclaresARole fails when an operation (one added by a later
// feature included) is registered without the role it needs.
func TestEveryOpDeclaresARole(t *testing.T) {
	for _, op := range Ops {
		if !op.Role.AtLeast(auth.RoleViewer) {
			t.Errorf("operation %s declares no role (%q): set Op.Role", op.Name, op.Role)
		}
	}
}

func TestAuthorize(t *testing.T) {
	as := func(r auth.Role) context.Context {
		return auth.WithPrincipal(context.Background(), auth.Principal{Name: "kim", Role: r})
	}
	tests := []struct {
		name string
		ctx  context.Context
		need auth.Role
		code Code   // "" = allowed
		msg  string // part of the message
	}{
		{"no principal", context.Background(), auth.RoleViewer, CodeUnauthenticated, "bearer token"},
		{"viewer reads", as(auth.RoleViewer), auth.RoleViewer, "", ""},
		{"viewer writes", as(auth.RoleViewer), auth.RoleOperator, CodeForbidden, "needs the operator role"},
		{"operator writes", as(auth.RoleOperator), auth.RoleOperator, "", ""},
		{"operator deletes", as(auth.RoleOperator), auth.RoleAdmin, CodeForbidden, "needs the admin role"},
		{"admin deletes", as(auth.RoleAdmin), auth.RoleAdmin, "", ""},
		{"admin does node work", as(auth.RoleAdmin), auth.RoleNode, CodeForbidden, "only the node"},
		{"node does node work", auth.AsNode(context.Background()), auth.RoleNode, "", ""},
		{"node does admin work", auth.AsNode(context.Background()), auth.RoleAdmin, "", ""},
		{"op without a role", auth.AsNode(context.Background()), "", CodeForbidden, "declares no role"},
		{"unknown role", as("root"), auth.RoleViewer, CodeForbidden, "needs the viewer role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Authorize(tt.ctx, tt.need)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("Authorize = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("Authorize = %v, want %s containing %q", err, tt.code, tt.msg)
			}
		})
	}
}

// TestServiceChecksRoleBeforeSending shows a refused call never reaches
// the queue.
func TestServiceChecksRoleBeforeSending(t *testing.T) {
	q := &countingQueue{}
	s := NewService(q)
	ctx := auth.WithPrincipal(context.Background(), auth.Principal{Name: "v", Role: auth.RoleViewer})
	_, err := s.DeleteProduct(ctx, ProductRef{SKU: "A-1"})
	if !errors.Is(err, ErrForbidden) {
		t.Fatalf("DeleteProduct as viewer = %v, want FORBIDDEN", err)
	}
	if _, err := s.Product(context.Background(), ProductRef{SKU: "A-1"}); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("Product without principal = %v, want UNAUTHENTICATED", err)
	}
	if q.n != 0 {
		t.Fatalf("%d jobs sent, want none", q.n)
	}
}

type countingQueue struct{ n int }

func (q *countingQueue) Do(context.Context, Class, []byte) ([]byte, error) {
	q.n++
	return nil, errors.New("not reached")
}
