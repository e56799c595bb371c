// Package auth authenticates API callers by bearer token.
//
// Tokens are random, carry the recognizable prefix TokenPrefix and are stored
// only as SHA-256 hashes (see NewToken and Hash). An Authenticator checks the
// Authorization header of each request against a Store, with a small
// in-memory cache in front of it; WithPrincipal and FromContext carry the
// resulting Principal in a request's context. The package only
// authenticates: deciding what a Principal's Role may do is up to each
// operation.
package auth

import (
	"context"
	"errors"
	"fmt"
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
)

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

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything need grants. An invalid role on
// either side grants nothing.
func (r Role) AtLeast(need Role) bool {
	return r.Valid() && need.Valid() && r.rank() >= need.rank()
}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleOperator:
		return 2
	case RoleAdmin:
		return 3
	default:
		return 0
	}
}

// Principal is an authenticated caller: the name its token was issued to and
// its role.
type Principal struct {
	Name string
	Role Role
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
