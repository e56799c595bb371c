package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRole(t *testing.T) {
	tests := []struct {
		name  string
		role  Role
		min   Role
		valid bool
		at    bool // role.AtLeast(min)
	}{
		{"viewer for viewer", RoleViewer, RoleViewer, true, true},
		{"viewer for operator", RoleViewer, RoleOperator, true, false},
		{"operator for viewer", RoleOperator, RoleViewer, true, true},
		{"operator for admin", RoleOperator, RoleAdmin, true, false},
		{"admin for operator", RoleAdmin, RoleOperator, true, true},
		{"unknown role", Role("root"), RoleViewer, false, false},
		{"empty role", Role(""), RoleViewer, false, false},
		{"unknown minimum", RoleAdmin, Role("root"), true, false},
		{"node for admin", RoleNode, RoleAdmin, false, true}, // the node may do anything; no token has its role
		{"admin for node", RoleAdmin, RoleNode, true, false},
		{"no minimum", RoleNode, Role(""), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.role.Valid(); got != tt.valid {
				t.Errorf("Valid() = %v, want %v", got, tt.valid)
			}
			if got := tt.role.AtLeast(tt.min); got != tt.at {
				t.Errorf("AtLeast(%q) = %v, want %v", tt.min, got, tt.at)
			}
			r, err := ParseRole(string(tt.role))
			if tt.valid != (err == nil) || (tt.valid && r != tt.role) {
				t.Errorf("ParseRole = %q, %v", r, err)
			}
			if !tt.valid && !errors.Is(err, ErrInvalidRole) {
				t.Errorf("ParseRole error = %v, want ErrInvalidRole", err)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if p, ok := FromContext(context.Background()); ok {
		t.Errorf("FromContext(empty) = %+v, true", p)
	}
	want := Principal{Name: "kim", Role: RoleViewer}
	if p, ok := FromContext(WithPrincipal(context.Background(), want)); !ok || p != want {
		t.Errorf("FromContext = %+v, %v; want %+v", p, ok, want)
	}
}

func TestRoleGraphQL(t *testing.T) {
	var b strings.Builder
	RoleOperator.MarshalGQL(&b)
	if b.String() != `"OPERATOR"` {
		t.Errorf("MarshalGQL = %s", b.String())
	}
	for in, want := range map[any]Role{"VIEWER": RoleViewer, "ADMIN": RoleAdmin, "admin": "", "NODE": "", 3: ""} {
		var r Role
		err := r.UnmarshalGQL(in)
		if (want == "") != (err != nil) || r != want {
			t.Errorf("UnmarshalGQL(%v) = %q, %v; want %q", in, r, err, want)
		}
	}
}
