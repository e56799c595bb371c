package stock

import (
	"context"

	"github.com/stockmesh/stockmesh/server/auth"
)

// Authorize checks that the principal ctx carries (auth.WithPrincipal) has
// at least the role need: it is the one check of what a caller may do,
// made by Service for every operation and called by the few operations
// that do not go through Service (subscriptions, join tokens, leaving the
// network). A ctx without a principal is an UNAUTHENTICATED error; a role
// below need a FORBIDDEN error naming the role needed.
func Authorize(ctx context.Context, need auth.Role) error {
	p, ok := auth.FromContext(ctx)
	switch {
	case !ok:
		return Errorf(CodeUnauthenticated, "a valid bearer token is required (Authorization: Bearer TOKEN)")
	case p.Role.AtLeast(need):
		return nil
	case need == auth.RoleNode:
		return Errorf(CodeForbidden, "only the node itself may do this")
	case !need.Valid():
		return Errorf(CodeForbidden, "this operation declares no role, so no one may run it")
	}
	e := Errorf(CodeForbidden, "this needs the %s role (or higher); %q has the %s role", need, p.Name, p.Role)
	e.Needs = string(need)
	return e
}
