package graph

import (
	"context"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// adminOnly refuses a caller below admin, naming what it tried.
func adminOnly(ctx context.Context, what string) error {
	p, ok := auth.FromContext(ctx)
	if !ok || !p.Role.AtLeast(auth.RoleAdmin) {
		return stock.Errorf(stock.CodeForbidden, "only an admin may %s", what)
	}
	return nil
}
