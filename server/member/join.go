package member

import (
	"context"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// JoinRequest is the body of POST /api/v1/join: what a new node sends to
// any member to join the network.
type JoinRequest struct {
	Token string `json:"token"`
	ID    string `json:"id"`
	Name  string `json:"name"`
	URL   string `json:"url"` // the URL the new node advertises
	CSR   string `json:"csr"` // PEM certificate request, CommonName = ID
}

// JoinAnswer admits a new node: its signed certificate, the network's CA
// certificate, and the members it should know.
type JoinAnswer struct {
	Cert    string            `json:"cert"`
	CA      string            `json:"ca"`
	Members []stock.Warehouse `json:"members"`
}

// signRequest is the body of POST /api/v1/peer/sign, a member asking the
// CA holder to sign a new member's certificate.
type signRequest struct {
	ID  string `json:"id"`
	CSR string `json:"csr"`
}

// signAnswer is the CA holder's answer to a signRequest.
type signAnswer struct {
	Cert string `json:"cert"`
}

// TokenSpec is what a join token is issued for: how long it is accepted
// (0: DefaultTokenTTL; at most MaxTokenTTL), the warehouse id it admits
// ("": one of the joiner's choosing that has never been a member), and
// whether that id may be a warehouse that is or was a member (Rejoin).
type TokenSpec struct {
	TTL       time.Duration
	Warehouse string
	Rejoin    bool
}

// CreateJoinToken issues a one-time join token as spec says. Only its hash
// is stored.
func (n *Network) CreateJoinToken(ctx context.Context, spec TokenSpec) (*JoinToken, error) {
	ttl := spec.TTL
	switch {
	case ttl == 0:
		ttl = DefaultTokenTTL
	case ttl < time.Second || ttl > MaxTokenTTL:
		return nil, stock.Errorf(stock.CodeInvalidInput, "a join token lives from 1 second to %v, not %v", MaxTokenTTL, ttl)
	}
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network and issues no join tokens")
	}
	t, err := newToken(n.selfID(), n.fp)
	if err != nil {
		return nil, err
	}
	exp := time.Now().Add(ttl).UTC().Truncate(time.Second)
	if err := n.store.CreateJoinToken(ctx, t.Hash(), exp); err != nil {
		return nil, fmt.Errorf("storing join token: %w", err)
	}
	return &JoinToken{Token: t.String(), ExpiresAt: exp}, nil
}

// Admit handles a join request that reached this node, directly from the
// joiner or forwarded by a member: the token's issuer checks and consumes
// the token; any other member forwards the request to the issuer.
func (n *Network) Admit(ctx context.Context, req JoinRequest) (*JoinAnswer, error) {
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network and admits no one")
	}
	tok, err := ParseToken(req.Token)
	if err != nil {
		return nil, stock.Errorf(stock.CodeInvalidInput, "%v", err)
	}
	if tok.Fingerprint != n.fp {
		return nil, stock.Errorf(stock.CodeForbidden, "the join token is for another network (CA fingerprint %s)", tok.Fingerprint)
	}
	if tok.Issuer != n.selfID() {
		return n.forwardJoin(ctx, tok.Issuer, req)
	}
	cert, err := n.sign(ctx, req.ID, req.CSR)
	if err != nil {
		return nil, err
	}
	m := stock.Warehouse{ID: req.ID, Name: req.Name, URL: req.URL}
	if _, err := n.store.RedeemJoinToken(ctx, tok.Hash(), m); err != nil {
		return nil, fmt.Errorf("admitting %s: %w", req.ID, err)
	}
	if err := n.refresh(ctx); err != nil {
		return nil, err
	}
	n.log.Info("a node joined the network", "id", req.ID, "url", req.URL)
	return &JoinAnswer{Cert: string(cert), CA: string(n.caPEM), Members: n.stored()}, nil
}

// forwardJoin sends a join request to the token's issuer.
func (n *Network) forwardJoin(ctx context.Context, issuer string, req JoinRequest) (*JoinAnswer, error) {
	m, ok := n.Member(issuer)
	if !ok || !m.Current() || m.URL == "" {
		return nil, stock.Errorf(stock.CodeForbidden, "the join token's issuer %s is not a member this node knows", issuer)
	}
	var answer JoinAnswer
	if err := postJSON(ctx, n.client, m.URL, "/api/v1/peer/join", req, &answer); err != nil {
		return nil, fmt.Errorf("forwarding the join of %s to %s: %w", req.ID, issuer, err)
	}
	return &answer, nil
}

// sign gets csr signed for id: by this node's CA, or by the CA holder.
func (n *Network) sign(ctx context.Context, id, csr string) ([]byte, error) {
	if _, err := stock.NormalizeWarehouseID(id); err != nil {
		return nil, err
	}
	if n.ca != nil {
		cert, err := n.ca.SignCSR([]byte(csr), id)
		if err != nil {
			return nil, stock.Errorf(stock.CodeInvalidInput, "%v", err)
		}
		return cert, nil
	}
	url, err := n.holderURL()
	if err != nil {
		return nil, err
	}
	var answer signAnswer
	if err := postJSON(ctx, n.client, url, "/api/v1/peer/sign", signRequest{ID: id, CSR: csr}, &answer); err != nil {
		return nil, fmt.Errorf("having the CA holder sign %s's certificate: %w", id, err)
	}
	return []byte(answer.Cert), nil
}

// onSign answers a member's signRequest on the CA holder.
func (n *Network) onSign(ctx context.Context, _ string, in signRequest) (*signAnswer, error) {
	if n.ca == nil {
		return nil, stock.Errorf(stock.CodeForbidden, "this node does not hold the network CA")
	}
	cert, err := n.sign(ctx, in.ID, in.CSR)
	if err != nil {
		return nil, err
	}
	return &signAnswer{Cert: string(cert)}, nil
}
