package member

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/rest"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Budget of join attempts per source address.
const (
	// JoinBurst is how many join attempts an address may make at once.
	JoinBurst = 30
	// JoinEvery is how often an address earns one more join attempt.
	JoinEvery = time.Second
)

// Wrap decorates the handler of a route (metrics, authentication).
type Wrap func(route string, h http.Handler) http.Handler

// Peers is the JSON of GET /api/v1/peers.
type Peers struct {
	Warehouses []Member `json:"warehouses"`
}

// Register adds the network's routes to mux: POST /api/v1/join (public:
// the join token in the body is the credential; limited per source
// address), GET /api/v1/peers (wrapped by user, which checks a user's
// bearer token), and the node-to-node endpoints under /api/v1/peer/ behind
// RequirePeer, each wrapped by public for metrics.
func (n *Network) Register(mux *http.ServeMux, public, user Wrap) {
	mux.Handle("POST /api/v1/join", public("/api/v1/join", n.limitJoins(endpoint(func(r *http.Request, req JoinRequest) (*JoinAnswer, error) {
		// The join token in the body is the credential; the CA holder checks it.
		return n.Admit(auth.AsNode(r.Context()), req)
	}))))
	mux.Handle("GET /api/v1/peers", user("/api/v1/peers", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := stock.Authorize(r.Context(), auth.RoleViewer); err != nil {
			rest.WriteError(w, err)
			return
		}
		writeJSON(w, Peers{Warehouses: n.All()})
	})))
	peer := func(path string, h http.Handler) {
		mux.Handle("POST "+path, public(path, n.RequirePeer(h)))
	}
	peer(ExchangePath, fromPeer(n.onExchange))
	peer(GossipPath, fromPeer(n.onGossip))
	peer("/api/v1/peer/sign", fromPeer(n.onSign))
	peer("/api/v1/peer/jointoken", fromPeer(n.onJoinToken))
	peer("/api/v1/peer/leave", fromPeer(n.onLeave))
}

// JoinsFailing reports whether host has made more bad join attempts than
// it may: its attempts are being answered late.
func (n *Network) JoinsFailing(host string) bool { return n.joins.Failing(host) }

// newJoinLimiter returns the limiter of join attempts per address.
func newJoinLimiter() *auth.Limiter { return auth.NewLimiterOf(JoinBurst, JoinEvery, auth.MaxDelay) }

// limitJoins refuses a join attempt beyond its source address's budget
// (JoinBurst, then one every JoinEvery) with 429 Too Many Requests and
// Retry-After, before reading its body: a refusal costs a map lookup,
// never a decoding or a database job. As auth.Limiter's failures, the
// refusal is held up to auth.MaxDelay (at once when auth.MaxHeld are held
// already), so a client that waits for its answers makes about one attempt
// a second per connection instead of thousands. Every attempt counts: a
// node joins once.
func (n *Network) limitJoins(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		wait, out := n.joins.Delay(r.Context(), r.RemoteAddr)
		if out == auth.Refused { // within its budget: an attempt
			next.ServeHTTP(w, r)
			return
		}
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		msg := stock.Errorf(stock.CodeUnavailable, "too many join attempts from this address: try again in %d s", secs)
		rest.WriteError(w, fmt.Errorf("%w: %w", msg, auth.ErrThrottled))
	})
}

// fromPeer adapts a handler of a peer's request, given the peer's id.
func fromPeer[In, Out any](f func(ctx context.Context, from string, in In) (*Out, error)) http.Handler {
	return endpoint(func(r *http.Request, in In) (*Out, error) {
		from, _ := PeerID(r.Context())
		return f(r.Context(), from, in)
	})
}

// endpoint decodes a JSON body of at most 1 MiB, calls f and writes its
// answer, or its error in the REST error body.
func endpoint[In, Out any](f func(r *http.Request, in In) (*Out, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in In
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			rest.WriteError(w, stock.Errorf(stock.CodeInvalidInput, "malformed request body: %v", err))
			return
		}
		out, err := f(r, in)
		if err != nil {
			rest.WriteError(w, err)
			return
		}
		writeJSON(w, out)
	})
}

// writeJSON writes v as a 200 JSON answer.
func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
