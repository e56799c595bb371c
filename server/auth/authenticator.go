package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Cache and lookup limits of an Authenticator.
const (
	// PositiveTTL is how long a valid token is trusted without asking the
	// Store again; it bounds how long a revoked token keeps working on a
	// node that was not told to Forget.
	PositiveTTL = time.Minute
	// NegativeTTL is how long an unknown token is refused without asking
	// the Store again.
	NegativeTTL = 5 * time.Second
	// MaxCached bounds the entries of each of the positive and negative
	// caches, so a flood of made-up tokens cannot evict valid ones.
	MaxCached = 10_000
	// LookupTimeout bounds each Store lookup.
	LookupTimeout = 5 * time.Second
)

// Errors returned for tokens refused before or instead of a Store lookup.
// They are fixed values so that refusing costs no allocation.
var (
	errMissing   = fmt.Errorf("%w: missing bearer token", ErrUnauthenticated)
	errScheme    = fmt.Errorf("%w: authorization scheme is not Bearer", ErrUnauthenticated)
	errEmpty     = fmt.Errorf("%w: empty bearer token", ErrUnauthenticated)
	errMalformed = fmt.Errorf("%w: malformed bearer token", ErrUnauthenticated)
	errUnknown   = fmt.Errorf("%w: unknown or revoked token", ErrUnauthenticated)
	errAborted   = errors.New("auth: token lookup aborted")
)

// Authenticator checks bearer tokens against a Store, with an in-memory
// cache in front of it: valid tokens are remembered for PositiveTTL (or
// until they expire, if sooner), unknown ones for NegativeTTL, each cache
// holding at most MaxCached entries. Once told every stored hash (SetKnown,
// kept current with Add and Remove), it refuses a token whose hash is not
// among them without asking the Store, so a flood of made-up tokens costs
// no database job.
// Concurrent lookups of one token share a single Store call. It is safe for
// concurrent use.
//
// Tokens are never compared directly: the cache and the Store are keyed by
// the SHA-256 of the token, so lookup timing reveals at most bits of a hash
// of a 256-bit secret, which does not help guess it.
type Authenticator struct {
	store Store
	now   func() time.Time
	// The limits below are fields so tests can shrink them.
	posTTL, negTTL time.Duration
	maxCached      int
	lookupTimeout  time.Duration

	cache cache
	known knownSet
}

// NewAuthenticator returns an Authenticator over s.
func NewAuthenticator(s Store) *Authenticator {
	a := &Authenticator{
		store:         s,
		now:           time.Now,
		posTTL:        PositiveTTL,
		negTTL:        NegativeTTL,
		maxCached:     MaxCached,
		lookupTimeout: LookupTimeout,
	}
	a.cache.reset()
	return a
}

// Authenticate returns the Principal for the Authorization header value
// authorization ("Bearer TOKEN"; the scheme is case-insensitive). Missing,
// malformed, unknown and revoked tokens give errors wrapping
// ErrUnauthenticated; a failing Store or a done ctx gives other errors.
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (Principal, error) {
	token, err := parseBearer(authorization)
	if err != nil {
		return Principal{}, err
	}
	key := tokenDigest(token)
	if p, err, ok := a.cache.get(key, a.now()); ok {
		return p, err
	}
	if !a.known.has(key) {
		return Principal{}, errUnknown
	}
	return a.lookup(ctx, key)
}

// SetKnown replaces the set of stored token hashes (hex, as Hash returns
// them) with hashes. Until it is first called every token that is not
// cached is looked up in the Store.
func (a *Authenticator) SetKnown(hashes []string) error { return a.known.set(hashes) }

// Add adds a newly stored token's hash to the known set.
func (a *Authenticator) Add(hash string) error { return a.known.add(hash) }

// Remove takes a revoked token's hash out of the known set and forgets
// every cached result, so the token is refused from the next request on.
func (a *Authenticator) Remove(hash string) {
	a.known.remove(hash)
	a.Forget()
}

// Forget drops every cached result, so that a token revoked in the Store is
// refused from the next request on. Lookups already under way when Forget is
// called answer their callers but are not cached.
func (a *Authenticator) Forget() {
	a.cache.reset()
}

// tokenDigest returns the SHA-256 of a well-formed token. Copying into an
// array first keeps the hot path free of allocation: a []byte(token) longer
// than 32 bytes would be allocated on the heap.
func tokenDigest(token string) digest {
	var buf [tokenLen]byte
	copy(buf[:], token)
	return sha256.Sum256(buf[:])
}

// parseBearer extracts the token from an Authorization header value.
func parseBearer(authorization string) (string, error) {
	if authorization == "" {
		return "", errMissing
	}
	scheme, token, _ := strings.Cut(authorization, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errScheme
	}
	token = strings.TrimSpace(token)
	switch {
	case token == "":
		return "", errEmpty
	case !wellFormed(token):
		return "", errMalformed
	}
	return token, nil
}

// lookup answers a cache miss: it joins a Store call already under way for
// key or makes one, caching the result.
func (a *Authenticator) lookup(ctx context.Context, key digest) (Principal, error) {
	c, leader, res, done := a.cache.join(key, a.now())
	if done {
		return res.p, res.err
	}
	if !leader {
		return a.wait(ctx, key, c)
	}
	c.res = result{err: errAborted} // what waiters see if the Store panics
	defer func() { a.cache.finish(key, c, a.now(), a.posTTL, a.negTTL, a.maxCached) }()
	// finish caches a valid token until it expires at the latest.
	c.res = a.fetch(ctx, key)
	c.abandoned = ctx.Err() != nil
	return c.res.p, c.res.err
}

// wait waits for another caller's Store call c. If that caller gave up
// (its context ended), it asks the Store itself rather than inherit that.
func (a *Authenticator) wait(ctx context.Context, key digest, c *call) (Principal, error) {
	select {
	case <-c.done:
	case <-ctx.Done():
		return Principal{}, fmt.Errorf("authenticating: %w", ctx.Err())
	}
	if c.abandoned {
		r := a.fetch(ctx, key)
		return r.p, r.err
	}
	return c.res.p, c.res.err
}

// fetch asks the Store about key within lookupTimeout.
func (a *Authenticator) fetch(ctx context.Context, key digest) result {
	ctx, cancel := context.WithTimeout(ctx, a.lookupTimeout)
	defer cancel()
	p, err := a.store.LookupToken(ctx, hex.EncodeToString(key[:]))
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return result{err: errUnknown}
	case err != nil:
		return result{err: fmt.Errorf("looking up token: %w", err)}
	case !p.Role.Valid():
		return result{err: fmt.Errorf("looking up token of %q: %w: %q", p.Name, ErrInvalidRole, p.Role)}
	}
	return result{p: p}
}
