package node

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/gqlws"
	"github.com/stockmesh/stockmesh/server/metrics"
	"github.com/stockmesh/stockmesh/server/stock"
)

// access authenticates the node's users: bearer tokens (auth.Authenticator,
// which knows every stored hash and so refuses made-up tokens without a
// database job), a per-address limiter for repeated failures, and the
// websocket sessions each token holds open.
type access struct {
	authn    *auth.Authenticator
	limiter  *auth.Limiter
	sessions *auth.Sessions
	m        *metrics.Metrics
}

// failing reports whether host's failed authentications are being
// answered late (it ran out of its tries).
func (a *access) failing(host string) bool { return a.limiter.Failing(host) }

// newAccess returns the node's access control, knowing every stored token.
func newAccess(ctx context.Context, svc *stock.Service, m *metrics.Metrics) (*access, error) {
	a := &access{authn: auth.NewAuthenticator(tokenStore{svc}), limiter: auth.NewLimiter(), sessions: auth.NewSessions(), m: m}
	if err := loadKnown(ctx, svc, a.authn); err != nil {
		return nil, err
	}
	return a, nil
}

// tokens returns the token manager the GraphQL API uses.
func (a *access) tokens(svc *stock.Service) tokens {
	return tokens{svc: svc, authn: a.authn, sessions: a.sessions}
}

// check authenticates the Authorization header value of a request from
// remoteAddr. Valid tokens pass at once. A failure is answered after the
// wait the limiter gives its address (none within its tries), or at once
// with auth.ErrThrottled when the node holds too many already; each is
// counted.
func (a *access) check(ctx context.Context, remoteAddr, authorization string) (auth.Principal, error) {
	p, err := a.authn.Authenticate(ctx, authorization)
	if !errors.Is(err, auth.ErrUnauthenticated) {
		return p, err
	}
	switch wait, out := a.limiter.Delay(ctx, remoteAddr); out {
	case auth.Refused:
		a.m.AuthFailure("refused")
	case auth.Throttled:
		a.m.AuthFailure("throttled")
		return auth.Principal{}, throttled(wait)
	default:
		a.m.AuthFailure("delayed")
	}
	return auth.Principal{}, err
}

// throttledError is a refusal of an address that failed too often.
type throttledError struct{ wait time.Duration }

func throttled(wait time.Duration) error { return &throttledError{wait: max(wait, time.Second)} }

func (e *throttledError) Error() string {
	return fmt.Sprintf("too many failed authentications from this address: try again in %d s", e.retryAfter())
}

func (e *throttledError) Unwrap() error { return auth.ErrThrottled }

func (e *throttledError) retryAfter() int { return int((e.wait + time.Second - 1) / time.Second) }

// authenticate checks each request's bearer token; on success the
// principal is in the request's context, and its name is the actor of the
// jobs the request makes. A refusal is UNAUTHENTICATED (HTTP 401; 429 with
// Retry-After for a throttled address), or UNAVAILABLE when the token
// cannot be checked.
func (a *access) authenticate(next http.Handler, onError errorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.check(r.Context(), r.RemoteAddr, r.Header.Get("Authorization"))
		if err != nil {
			var te *throttledError
			if errors.As(err, &te) {
				w.Header().Set("Retry-After", strconv.Itoa(te.retryAfter()))
			}
			onError(w, r, authError(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// websocketInit checks the bearer token of a websocket's connection_init.
// The connection's context ends, closing the socket, when its token is
// revoked or expires.
func (a *access) websocketInit(remote func(context.Context) string) transport.WebsocketInitFunc {
	return func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
		pr, err := a.check(ctx, remote(ctx), p.Authorization())
		if errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, auth.ErrThrottled) {
			return ctx, nil, fmt.Errorf("%w: a valid bearer token is required in connection_init", gqlws.ErrUnauthorized)
		}
		if err != nil {
			return ctx, nil, err
		}
		return withPrincipal(a.sessions.Open(ctx, pr), pr), nil, nil
	}
}

// authError converts an authentication failure to the domain's error.
func authError(err error) error {
	var te *throttledError
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("%w: %w", stock.Errorf(stock.CodeUnauthenticated, "%s", te.Error()), err)
	case errors.Is(err, auth.ErrUnauthenticated):
		return stock.Errorf(stock.CodeUnauthenticated, "a valid bearer token is required (Authorization: Bearer TOKEN)")
	}
	return fmt.Errorf("%w: %w", stock.Errorf(stock.CodeUnavailable, "cannot check the token right now, try again"), err)
}

type remoteAddrKey struct{}

// withRemoteAddr keeps the request's remote address in its context, for
// the websocket init func, which sees only the context.
func withRemoteAddr(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), remoteAddrKey{}, r.RemoteAddr)))
	})
}

// remoteAddr returns the address withRemoteAddr kept.
func remoteAddr(ctx context.Context) string {
	s, _ := ctx.Value(remoteAddrKey{}).(string)
	return s
}
