package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// tokenStore adapts the service's token jobs to auth.Store.
type tokenStore struct{ svc *stock.Service }

var _ auth.Store = tokenStore{}

// LookupToken returns the principal of a stored, live token hash.
func (t tokenStore) LookupToken(ctx context.Context, hash string) (auth.Principal, error) {
	tok, err := t.svc.LookupToken(auth.AsNode(ctx), hash)
	switch {
	case errors.Is(err, stock.ErrNotFound):
		return auth.Principal{}, auth.ErrUnauthenticated
	case err != nil:
		return auth.Principal{}, err
	}
	return principalOf(tok), nil
}

// principalOf is the principal a token authenticates.
func principalOf(t *stock.Token) auth.Principal {
	p := auth.Principal{Name: t.Name, Role: t.Role, TokenID: t.ID}
	if t.ExpiresAt != nil {
		p.Expires = *t.ExpiresAt
	}
	return p
}

// tokens manages API tokens for the GraphQL API: the service stores them,
// and the node's authenticator and open sessions follow at once, so a
// revoked token is refused from the next request on and its websockets
// close.
type tokens struct {
	svc      *stock.Service
	authn    *auth.Authenticator
	sessions *auth.Sessions
}

// Create issues a token (see stock.Service.CreateToken) and makes it known
// to the authenticator.
func (t tokens) Create(ctx context.Context, name string, role auth.Role, expiresAt *time.Time) (string, *stock.Token, error) {
	secret, tok, err := t.svc.CreateToken(ctx, name, role, expiresAt)
	if err != nil {
		return "", nil, err
	}
	if err := t.authn.Add(tok.Hash); err != nil {
		return "", nil, err
	}
	return secret, tok, nil
}

// List returns every token.
func (t tokens) List(ctx context.Context) ([]stock.Token, error) { return t.svc.Tokens(ctx) }

// Revoke revokes a token, forgets it and closes its open sessions.
func (t tokens) Revoke(ctx context.Context, id string) (*stock.Token, error) {
	tok, err := t.svc.RevokeToken(ctx, id)
	if err != nil {
		return nil, err
	}
	t.authn.Remove(tok.Hash)
	t.sessions.Close(tok.ID)
	return tok, nil
}

// loadKnown tells authn every stored token's hash, so that it refuses
// unknown tokens without a database job.
func loadKnown(ctx context.Context, svc *stock.Service, authn *auth.Authenticator) error {
	ts, err := svc.Tokens(ctx)
	if err != nil {
		return fmt.Errorf("loading tokens: %w", err)
	}
	now := time.Now()
	hashes := make([]string, 0, len(ts))
	for i := range ts {
		if ts[i].Live(now) {
			hashes = append(hashes, ts[i].Hash)
		}
	}
	return authn.SetKnown(hashes)
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
	if err := svc.EnsureToken(ctx, stock.Token{Hash: auth.Hash(token), Name: "admin", Role: auth.RoleAdmin}); err != nil {
		return fmt.Errorf("storing admin token: %w", err)
	}
	if created {
		return auth.WriteTokenFile(path, token)
	}
	return nil
}
