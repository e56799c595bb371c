package member

import (
	"context"
	"fmt"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// JoinRequest is the body of POST /api/v1/join, what a new node sends to
// any member to join the network, and of POST /api/v1/peer/sign, the same
// request relayed by a member to the CA holder. The certificate the CA
// signs names ID and covers exactly the host of URL and SANs: the request's
// own names are never used, only its key.
type JoinRequest struct {
	Token string   `json:"token"`
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	URL   string   `json:"url"`            // the https:// base URL the new node advertises
	SANs  []string `json:"sans,omitempty"` // further names the new node declares for its certificate
	CSR   string   `json:"csr"`            // PEM certificate request, CommonName = ID
}

// JoinAnswer admits a new node: its signed certificate, the network's CA
// certificate, and the membership records of the members it should know
// (the new node's own, signed by the CA, among them).
type JoinAnswer struct {
	Cert    string               `json:"cert"`
	CA      string               `json:"ca"`
	Records []stock.MemberRecord `json:"records"`
}

// Admit handles a join request that reached this node from the joiner:
// the CA holder admits it (see admit); any other member relays it to the
// CA holder, which checks the token itself.
func (n *Network) Admit(ctx context.Context, req JoinRequest) (*JoinAnswer, error) {
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network and admits no one")
	}
	tok, err := n.parseToken(req.Token)
	if err != nil {
		return nil, err
	}
	if n.ca == nil {
		return n.relay(ctx, req)
	}
	return n.admit(ctx, tok, req, "")
}

// onSign answers POST /api/v1/peer/sign on the CA holder: a join relayed
// by the member from. Without a token it admits, nothing is signed.
func (n *Network) onSign(ctx context.Context, from string, req JoinRequest) (*JoinAnswer, error) {
	if n.ca == nil {
		return nil, stock.Errorf(stock.CodeForbidden, "this node does not hold the network CA")
	}
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network and admits no one")
	}
	tok, err := n.parseToken(req.Token)
	if err != nil {
		return nil, err
	}
	return n.admit(ctx, tok, req, from)
}

// parseToken parses a join token and checks it is for this network.
func (n *Network) parseToken(s string) (Token, error) {
	tok, err := ParseToken(s)
	if err != nil {
		return tok, stock.Errorf(stock.CodeInvalidInput, "%v", err)
	}
	if tok.Fingerprint != n.fp {
		return tok, stock.Errorf(stock.CodeForbidden, "the join token is for another network (CA fingerprint %s)", tok.Fingerprint)
	}
	return tok, nil
}

// admit admits a join on the CA holder, in this order: it checks the
// request (id, URL, names, a certificate request signed by its own key
// and naming the id); redeems the token, which records the member and the
// certificate about to be issued in the audit log in one job, or changes
// nothing when the token does not admit the id; and only then signs. via
// is the member that relayed the join ("" when the joiner asked here).
func (n *Network) admit(ctx context.Context, tok Token, req JoinRequest, via string) (*JoinAnswer, error) {
	m, names, err := checkJoin(req)
	if err != nil {
		return nil, err
	}
	redeem, err := n.admission(stock.JoinRedeem{Hash: tok.Hash(), Member: m, Names: names, Via: via})
	if err != nil {
		return nil, err
	}
	if _, err := n.store.RedeemJoinToken(ctx, redeem); err != nil {
		return nil, fmt.Errorf("admitting %s: %w", m.ID, err)
	}
	cert, err := n.ca.SignCSR([]byte(req.CSR), m.ID, names)
	if err != nil {
		return nil, fmt.Errorf("signing the certificate of %s, admitted already: %w", m.ID, err)
	}
	if err := n.refresh(ctx); err != nil {
		return nil, err
	}
	n.log.Info("a node joined the network", "id", m.ID, "url", m.URL, "names", names, "via", via)
	return &JoinAnswer{Cert: string(cert), CA: string(n.caPEM), Records: n.recordList()}, nil
}

// admission returns r with the CA's signed record of the member it
// admits: the network's first word of it, until the member signs its own.
func (n *Network) admission(r stock.JoinRedeem) (stock.JoinRedeem, error) {
	if err := r.Normalize(); err != nil {
		return r, err
	}
	m := r.Member
	rec := stock.MemberRecord{ID: m.ID, Name: m.Name, URL: m.URL, Version: n.nextVersion(m.ID)}
	if err := trust.SignRecordByCA(&rec, n.caKey); err != nil {
		return r, err
	}
	r.Record = &rec
	return r, nil
}

// checkJoin validates a join request and returns the member it asks to
// record and the names of its certificate: the host of its URL, then the
// names it declares.
func checkJoin(req JoinRequest) (stock.Warehouse, []string, error) {
	var m stock.Warehouse
	id, err := stock.NormalizeWarehouseID(req.ID)
	if err != nil {
		return m, nil, err
	}
	url, err := stock.NormalizeNodeURL(req.URL)
	if err != nil {
		return m, nil, err
	}
	if url == "" {
		return m, nil, stock.Errorf(stock.CodeInvalidInput, "url: the joining node must advertise its https:// base URL")
	}
	names, err := pki.NormalizeNames(append([]string{hostOf(url)}, req.SANs...))
	if err != nil {
		return m, nil, stock.Errorf(stock.CodeInvalidInput, "sans: %v", err)
	}
	if _, err := pki.ParseCSR([]byte(req.CSR), id); err != nil {
		return m, nil, stock.Errorf(stock.CodeInvalidInput, "csr: %v", err)
	}
	return stock.Warehouse{ID: id, Name: req.Name, URL: url}, names, nil
}

// relay sends a join request to the CA holder (POST /api/v1/peer/sign),
// checking it reaches that member, and records the membership records its
// answer carries (the new member's among them).
func (n *Network) relay(ctx context.Context, req JoinRequest) (*JoinAnswer, error) {
	holder, err := n.holder()
	if err != nil {
		return nil, err
	}
	var answer JoinAnswer
	if err := postJSON(ctx, n.client, holder.URL, "/api/v1/peer/sign", holder.ID, req, &answer); err != nil {
		return nil, fmt.Errorf("relaying the join of %s to the CA holder %s: %w", req.ID, holder.ID, err)
	}
	if err := n.accept(ctx, holder.ID, answer.Records); err != nil {
		n.log.Warn("recording the members a join answer named", "member", holder.ID, "err", err)
	}
	return &answer, nil
}
