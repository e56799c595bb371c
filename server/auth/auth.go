// Package auth authenticates API callers by bearer token.
//
// Tokens are random, carry the recognizable prefix TokenPrefix and are stored
// only as SHA-256 hashes (see NewToken and Hash). An Authenticator checks the
// Authorization header of each request against a Store, with a small
// in-memory cache and the set of known hashes in front of it, and a Limiter
// slows down addresses that keep failing; WithPrincipal and FromContext carry
// the resulting Principal in a request's context. The package only
// authenticates: each operation declares the Role it needs, and the domain
// (stock.Authorize) checks it.
package auth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Role is what a Principal may do; the roles are ordered viewer < operator <
// admin, each granting everything the lower ones grant.
type Role string

// The defined roles.
const (
	// RoleViewer may read stock and watch changes.
	RoleViewer Role = "viewer"
	// RoleOperator may also record movements.
	RoleOperator Role = "operator"
	// RoleAdmin may also manage tokens, products and nodes.
	RoleAdmin Role = "admin"
	// RoleNode is the node itself (its start-up, background work and the
	// requests of its peers, authenticated by their certificates): above
	// admin, and never the role of a token (Valid reports false).
	RoleNode Role = "node"
)

// AsNode returns a copy of ctx carrying the principal of the node's own
// work (named "node", with RoleNode): for the node's own work, and for
// requests authenticated by other means than a token (a peer's
// certificate, a join token).
func AsNode(ctx context.Context) context.Context {
	return WithPrincipal(ctx, Principal{Name: "node", Role: RoleNode})
}

var (
	// ErrUnauthenticated reports a missing, malformed, unknown or revoked
	// token. Other errors from this package mean authentication could not be
	// decided (for example, the Store was unavailable).
	ErrUnauthenticated = errors.New("auth: unauthenticated")
	// ErrInvalidRole reports a role name that is not one of the defined roles.
	ErrInvalidRole = errors.New("auth: invalid role")
)

// ParseRole returns the Role named s, or an error wrapping ErrInvalidRole.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("parsing role %q: %w", s, ErrInvalidRole)
	}
	return r, nil
}

// Valid reports whether r is one of the roles a token may have: viewer,
// operator or admin.
func (r Role) Valid() bool { return r.rank() > 0 && r != RoleNode }

// AtLeast reports whether r grants everything need grants. An unknown role
// on either side grants nothing.
func (r Role) AtLeast(need Role) bool {
	return r.rank() > 0 && need.rank() > 0 && r.rank() >= need.rank()
}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleOperator:
		return 2
	case RoleAdmin:
		return 3
	case RoleNode:
		return 4
	default:
		return 0
	}
}

// Principal is an authenticated caller: the name its token was issued to,
// its role, the token's id ("" for the node and Pyro4 clients) and when
// it expires (zero: never).
type Principal struct {
	Name    string
	Role    Role
	TokenID string
	Expires time.Time
}

// Store looks up tokens by hash (see Hash). LookupToken returns an error
// wrapping ErrUnauthenticated when the hash is unknown or revoked, and any
// other error when the lookup itself fails. It must honour ctx's deadline.
type Store interface {
	LookupToken(ctx context.Context, hash string) (Principal, error)
}

type principalKey struct{}

// WithPrincipal returns a copy of ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the Principal stored by WithPrincipal and reports
// whether there was one.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
