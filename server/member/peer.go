package member

import (
	"context"
	"crypto/x509"
	"github.com/stockmesh/stockmesh/server/auth"
	"net/http"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/rest"
	"github.com/stockmesh/stockmesh/server/stock"
)

// peerKey is the context key of the calling peer's id.
type peerKey struct{}

// PeerID returns the warehouse id of the member that made the request whose
// context is ctx, as RequirePeer put it there.
func PeerID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(peerKey{}).(string)
	return id, ok
}

// Directory says which warehouses are current members: known to this node
// and not departed. Network implements it.
type Directory interface {
	Current(id string) bool
}

// Guard checks node-to-node requests against the network's CA and its
// current members.
type Guard struct {
	roots *x509.CertPool
	dir   Directory
	self  func() bool // reports whether this node is itself a current member

	mu       sync.Mutex
	verified map[string]time.Time // client certificates verified already (their DER), until they expire
}

// maxVerified bounds the client certificates a Guard remembers as
// verified: past it, it forgets them all and verifies again.
const maxVerified = 4096

// NewGuard returns a Guard trusting only the CA certificates in roots and
// the members dir says are current. self, when not nil, reports whether
// this node still serves peers (false once it left the network).
func NewGuard(roots *x509.CertPool, dir Directory, self func() bool) *Guard {
	return &Guard{roots: roots, dir: dir, self: self, verified: map[string]time.Time{}}
}

// RequirePeer serves next only to a request that presents a client
// certificate issued by the network's CA whose identity (CommonName) is a
// current member; the peer's id is then in the context (PeerID). Anything
// else is refused with the REST error body: no certificate, or a bearer
// token in its place, is 401 UNAUTHENTICATED; a certificate from another
// CA or a self-signed one is 401 too; a departed or unknown member is 403
// FORBIDDEN. A node that left the network refuses every peer (403).
//
// The HTTPS server only requests client certificates (tls.RequestClientCert)
// so that these refusals are answers a caller can read rather than failed
// handshakes; verification happens here.
func (g *Guard) RequirePeer(next http.Handler) http.Handler { return g.require(next, false) }

// RequirePeerReading is RequirePeer for the reads of this node's log (the
// sync endpoints), which it keeps serving after it left the network: its
// log ends with its departure, and a member that missed the hand-over (it
// was unreachable, or this node stopped in the middle of it) still learns
// the departure from it, in order, as from any other member's copy.
func (g *Guard) RequirePeerReading(next http.Handler) http.Handler { return g.require(next, true) }

// require is RequirePeer; afterLeaving serves peers also once this node
// left the network.
func (g *Guard) require(next http.Handler, afterLeaving bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := g.check(r, afterLeaving)
		if err != nil {
			rest.WriteError(w, err)
			return
		}
		// A verified member acts as the node: its requests are the network's own work.
		ctx := auth.AsNode(context.WithValue(r.Context(), peerKey{}, id))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// check returns the verified identity of the request's peer.
func (g *Guard) check(r *http.Request, afterLeaving bool) (string, error) {
	if g.self != nil && !afterLeaving && !g.self() {
		return "", stock.Errorf(stock.CodeForbidden, "this node left the network and serves no peers")
	}
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		if r.Header.Get("Authorization") != "" {
			return "", stock.Errorf(stock.CodeUnauthenticated, "node-to-node endpoints take a member's client certificate, not a user token")
		}
		return "", stock.Errorf(stock.CodeUnauthenticated, "a member's client certificate is required")
	}
	certs := r.TLS.PeerCertificates
	if err := g.verify(certs); err != nil {
		return "", err
	}
	id := certs[0].Subject.CommonName
	if !g.dir.Current(id) {
		return "", stock.Errorf(stock.CodeForbidden, "%s is not a current member of the network", id)
	}
	return id, nil
}

// verify checks that the network's CA issued the client certificate
// certs[0] (with certs[1:] as intermediates), once per certificate: a
// member sends gossip and polls many times a second over one connection,
// and a chain's signature check costs more than the rest of such a request.
func (g *Guard) verify(certs []*x509.Certificate) error {
	key := string(certs[0].Raw)
	now := time.Now()
	g.mu.Lock()
	until, ok := g.verified[key]
	g.mu.Unlock()
	if ok && now.Before(until) {
		return nil
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: g.roots, Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := certs[0].Verify(opts); err != nil {
		return stock.Errorf(stock.CodeUnauthenticated, "the client certificate is not one the network's CA issued")
	}
	g.mu.Lock()
	if len(g.verified) >= maxVerified {
		clear(g.verified)
	}
	g.verified[key] = certs[0].NotAfter
	g.mu.Unlock()
	return nil
}
