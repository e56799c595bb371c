package member

import (
	"context"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// TokenSpec is what a join token is issued for: how long it is accepted
// (0: DefaultTokenTTL; at most MaxTokenTTL), the warehouse id it admits
// ("": one of the joiner's choosing that has never been a member), and
// whether that id may be a warehouse that is or was a member (Rejoin,
// which needs Warehouse).
type TokenSpec struct {
	TTL       time.Duration
	Warehouse string
	Rejoin    bool
}

// normalize applies the default lifetime and checks the spec.
func (s TokenSpec) normalize() (TokenSpec, error) {
	switch {
	case s.TTL == 0:
		s.TTL = DefaultTokenTTL
	case s.TTL < time.Second || s.TTL > MaxTokenTTL:
		return s, stock.Errorf(stock.CodeInvalidInput, "a join token lives from 1 second to %v, not %v", MaxTokenTTL, s.TTL)
	}
	if s.Rejoin && s.Warehouse == "" {
		return s, stock.Errorf(stock.CodeInvalidInput, "rejoin: a token that admits a member again must name its warehouse")
	}
	if s.Warehouse != "" {
		id, err := stock.NormalizeWarehouseID(s.Warehouse)
		if err != nil {
			return s, err
		}
		s.Warehouse = id
	}
	return s, nil
}

// tokenRequest is the body of POST /api/v1/peer/jointoken: a member asking
// the CA holder for a join token on its admin's behalf.
type tokenRequest struct {
	TTL       int64  `json:"ttl"` // seconds; 0: DefaultTokenTTL
	Warehouse string `json:"warehouse,omitempty"`
	Rejoin    bool   `json:"rejoin,omitempty"`
}

// CreateJoinToken issues a one-time join token as spec says, for an admin.
// Every token of the network is stored (by the hash of its secret) and
// redeemed by the node holding the CA, so that it alone decides what the
// CA signs: any other node asks it over mutual TLS, and is recorded as the
// token's asker. Only the CA holder's admins issue rejoin tokens, which
// admit an existing warehouse's id again (FORBIDDEN elsewhere).
func (n *Network) CreateJoinToken(ctx context.Context, spec TokenSpec) (*JoinToken, error) {
	if err := stock.Authorize(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	spec, err := spec.normalize()
	if err != nil {
		return nil, err
	}
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network and issues no join tokens")
	}
	if n.ca != nil {
		return n.issueToken(ctx, spec, "")
	}
	return n.askToken(ctx, spec)
}

// issueToken makes and stores a join token on the CA holder; askedBy is
// the member that asked for it ("": an admin of this node).
func (n *Network) issueToken(ctx context.Context, spec TokenSpec, askedBy string) (*JoinToken, error) {
	t, err := newToken(n.selfID(), n.fp)
	if err != nil {
		return nil, err
	}
	exp := time.Now().Add(spec.TTL).UTC().Truncate(time.Second)
	rec := stock.JoinTokenNew{Hash: t.Hash(), ExpiresAt: exp, Warehouse: spec.Warehouse, Rejoin: spec.Rejoin, AskedBy: askedBy}
	if err := n.store.CreateJoinToken(ctx, rec); err != nil {
		return nil, fmt.Errorf("storing join token: %w", err)
	}
	return &JoinToken{Token: t.String(), ExpiresAt: exp}, nil
}

// askToken asks the CA holder for a join token (POST
// /api/v1/peer/jointoken), checking it reaches that member.
func (n *Network) askToken(ctx context.Context, spec TokenSpec) (*JoinToken, error) {
	holder, err := n.holder()
	if err != nil {
		return nil, err
	}
	if spec.Rejoin {
		return nil, stock.Errorf(stock.CodeForbidden,
			"a token that admits %s again is issued only on the node holding the network CA (%s)", spec.Warehouse, holder.ID)
	}
	in := tokenRequest{TTL: int64(spec.TTL / time.Second), Warehouse: spec.Warehouse}
	var out JoinToken
	if err := postJSON(ctx, n.client, holder.URL, "/api/v1/peer/jointoken", holder.ID, in, &out); err != nil {
		return nil, fmt.Errorf("asking the CA holder %s for a join token: %w", holder.ID, err)
	}
	return &out, nil
}

// onJoinToken answers a member's tokenRequest on the CA holder. A member
// never gets a rejoin token: with one it could have another warehouse's
// id signed.
func (n *Network) onJoinToken(ctx context.Context, from string, in tokenRequest) (*JoinToken, error) {
	if n.ca == nil {
		return nil, stock.Errorf(stock.CodeForbidden, "this node does not hold the network CA")
	}
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network and issues no join tokens")
	}
	if in.Rejoin {
		return nil, stock.Errorf(stock.CodeForbidden, "a token that admits a warehouse again is issued only by an admin of %s", n.selfID())
	}
	if in.TTL < 0 || in.TTL > int64(MaxTokenTTL/time.Second) {
		return nil, stock.Errorf(stock.CodeInvalidInput, "a join token lives from 1 second to %v, not %d s", MaxTokenTTL, in.TTL)
	}
	spec, err := TokenSpec{TTL: time.Duration(in.TTL) * time.Second, Warehouse: in.Warehouse}.normalize()
	if err != nil {
		return nil, err
	}
	return n.issueToken(ctx, spec, from)
}
