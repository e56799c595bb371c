package remote

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Token is an API token of the node, without its secret; Role is viewer,
// operator or admin.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// CreatedToken is a token just issued, with its secret (shown once).
type CreatedToken struct {
	ID        string     `json:"id"`
	Token     string     `json:"token"`
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

const tokenFields = `id name role createdAt expiresAt revokedAt`

// CreateToken issues a token for name with role (viewer, operator or
// admin), expiring at expiresAt (nil: never). Admins only. It is sent
// once: a token issued twice would be two tokens.
func (c *Client) CreateToken(ctx context.Context, name, role string, expiresAt *time.Time) (*CreatedToken, error) {
	var out struct{ CreateToken CreatedToken }
	q := `mutation($name: String!, $role: Role!, $exp: Time) { createToken(name: $name, role: $role, expiresAt: $exp) { id token name role expiresAt } }`
	vars := map[string]any{"name": name, "role": strings.ToUpper(role), "exp": expiresAt}
	if err := c.Do(ctx, Once, q, vars, &out); err != nil {
		return nil, fmt.Errorf("creating a token for %s: %w", name, err)
	}
	out.CreateToken.Role = strings.ToLower(out.CreateToken.Role)
	return &out.CreateToken, nil
}

// Tokens lists the node's tokens. Admins only.
func (c *Client) Tokens(ctx context.Context) ([]Token, error) {
	var out struct{ Tokens []Token }
	if err := c.Do(ctx, Repeatable, `query { tokens { `+tokenFields+` } }`, nil, &out); err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	for i := range out.Tokens {
		out.Tokens[i].Role = strings.ToLower(out.Tokens[i].Role)
	}
	return out.Tokens, nil
}

// RevokeToken revokes the token with id. Admins only.
func (c *Client) RevokeToken(ctx context.Context, id string) (*Token, error) {
	var out struct{ RevokeToken Token }
	q := `mutation($id: ID!) { revokeToken(id: $id) { ` + tokenFields + ` } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"id": id}, &out); err != nil {
		return nil, fmt.Errorf("revoking token %s: %w", id, err)
	}
	out.RevokeToken.Role = strings.ToLower(out.RevokeToken.Role)
	return &out.RevokeToken, nil
}
