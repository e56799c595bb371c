package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// tokenStore adapts the service's token jobs to auth.Store.
type tokenStore struct{ svc *stock.Service }

var _ auth.Store = tokenStore{}

// LookupToken returns the principal of a stored token hash.
func (t tokenStore) LookupToken(ctx context.Context, hash string) (auth.Principal, error) {
	tok, err := t.svc.LookupToken(auth.AsNode(ctx), hash)
	switch {
	case errors.Is(err, stock.ErrNotFound):
		return auth.Principal{}, auth.ErrUnauthenticated
	case err != nil:
		return auth.Principal{}, err
	}
	return auth.Principal{Name: tok.Name, Role: auth.Role(tok.Role)}, nil
}

// ensureAdminToken makes sure an admin token exists: it creates one on
// first start, stores its hash and then writes it to path (0600); on later
// starts it stores the hash of the token in path again, so a token file
// survives a database that was reset.
func ensureAdminToken(ctx context.Context, svc *stock.Service, path string) error {
	token, err := auth.ReadTokenFile(path)
	created := errors.Is(err, fs.ErrNotExist)
	switch {
	case created:
		if token, _, err = auth.NewToken(); err != nil {
			return fmt.Errorf("creating admin token: %w", err)
		}
	case err != nil:
		return fmt.Errorf("reading admin token: %w", err)
	}
	if err := svc.EnsureToken(ctx, stock.Token{Hash: auth.Hash(token), Name: "admin", Role: string(auth.RoleAdmin)}); err != nil {
		return fmt.Errorf("storing admin token: %w", err)
	}
	if created {
		return auth.WriteTokenFile(path, token)
	}
	return nil
}
