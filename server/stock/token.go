package stock

import (
	"context"
	"strconv"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// Token is an API token as stored: only the hash of its secret, with who
// it names, the role it grants, and when it stops working. Tokens are this
// node's own: they are neither replicated nor valid on other nodes.
type Token struct {
	ID        string     `json:"id"`
	Hash      string     `json:"hash"`
	Name      string     `json:"name"`
	Role      auth.Role  `json:"role"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// MaxTokenNameLen bounds a token's name, which is recorded as the actor of
// every change made with it.
const MaxTokenNameLen = 100

// Normalize checks that the token has a hash, a name and a role a token
// may have. (A past expiry is refused by CreateToken, before a secret is
// made; a stored token may have expired since.)
func (t *Token) Normalize() (err error) {
	if t.Hash == "" {
		return invalid("hash", "must not be empty")
	}
	if t.Name, err = text("name", t.Name, MaxTokenNameLen, true); err != nil {
		return err
	}
	if !t.Role.Valid() {
		return invalid("role", "%q is not viewer, operator or admin", t.Role)
	}
	return nil
}

// Live reports whether t works at now: not revoked and not expired.
func (t *Token) Live(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// TokenRef names a stored token by the hash of its secret.
type TokenRef struct {
	Hash string `json:"hash"`
}

// Normalize checks that the hash is set.
func (t *TokenRef) Normalize() error {
	if t.Hash == "" {
		return invalid("hash", "must not be empty")
	}
	return nil
}

// TokenID names a stored token by its id.
type TokenID struct {
	ID string `json:"id"`
}

// Normalize checks that the id is a token id.
func (t *TokenID) Normalize() error {
	if n, err := strconv.ParseInt(t.ID, 10, 64); err != nil || n <= 0 {
		return invalid("id", "%q is not a token id", t.ID)
	}
	return nil
}

// TokenList is every token of the node, revoked and expired ones included,
// oldest first.
type TokenList struct {
	Tokens []Token `json:"tokens"`
}

// Operations on API tokens. Creating, listing and revoking are an admin's;
// looking a token up and storing the node's own admin token are the
// node's.
var (
	OpTokenLookup = Op[TokenRef, Token]{"token.lookup", ClassLookup, auth.RoleNode}
	OpTokenEnsure = Op[Token, Empty]{"token.ensure", ClassWrite, auth.RoleNode}
	OpTokenCreate = Op[Token, Token]{"token.create", ClassWrite, auth.RoleAdmin}
	OpTokenList   = Op[Empty, TokenList]{"token.list", ClassLookup, auth.RoleAdmin}
	OpTokenRevoke = Op[TokenID, Token]{"token.revoke", ClassWrite, auth.RoleAdmin}
)

// LookupToken returns the live token with hash, or a NOT_FOUND error when
// it is unknown, revoked or expired.
func (s *Service) LookupToken(ctx context.Context, hash string) (*Token, error) {
	return call(ctx, s, OpTokenLookup, &TokenRef{Hash: hash})
}

// EnsureToken stores t unless a token with its hash exists.
func (s *Service) EnsureToken(ctx context.Context, t Token) error {
	_, err := call(ctx, s, OpTokenEnsure, &t)
	return err
}

// CreateToken issues a new token for name with role, expiring at expiresAt
// (nil: never; a time past is INVALID_INPUT). It returns the secret, which
// is never stored and cannot be shown again, and the stored token.
func (s *Service) CreateToken(ctx context.Context, name string, role auth.Role, expiresAt *time.Time) (string, *Token, error) {
	if expiresAt != nil && !expiresAt.After(time.Now()) {
		return "", nil, invalid("expiresAt", "%s is not in the future", expiresAt.Format(time.RFC3339))
	}
	secret, hash, err := auth.NewToken()
	if err != nil {
		return "", nil, err
	}
	t, err := call(ctx, s, OpTokenCreate, &Token{Hash: hash, Name: name, Role: role, ExpiresAt: expiresAt})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Tokens returns every token of the node, oldest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	l, err := call(ctx, s, OpTokenList, &Empty{})
	if err != nil {
		return nil, err
	}
	return l.Tokens, nil
}

// RevokeToken revokes the token with id and returns it; an unknown id is
// NOT_FOUND, and revoking twice keeps the first time.
func (s *Service) RevokeToken(ctx context.Context, id string) (*Token, error) {
	return call(ctx, s, OpTokenRevoke, &TokenID{ID: id})
}
