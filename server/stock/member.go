package stock

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// JoinTokenNew is a join token to store: only the hash of its secret, and
// when it stops being accepted.
type JoinTokenNew struct {
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Normalize checks that the token has a hash and an expiry.
func (t *JoinTokenNew) Normalize() error {
	if t.Hash == "" {
		return invalid("hash", "must not be empty")
	}
	if t.ExpiresAt.IsZero() {
		return invalid("expiresAt", "must be set")
	}
	return nil
}

// JoinRedeem consumes the join token with Hash and records Member as a
// member of the network, in one job: of two joins with the same token,
// only one succeeds.
type JoinRedeem struct {
	Hash   string    `json:"hash"`
	Member Warehouse `json:"member"`
}

// Normalize checks the hash and the new member's id, name and URL.
func (r *JoinRedeem) Normalize() (err error) {
	if r.Hash == "" {
		return invalid("hash", "must not be empty")
	}
	if r.Member.ID, err = NormalizeWarehouseID(r.Member.ID); err != nil {
		return err
	}
	if r.Member.Name == "" {
		r.Member.Name = r.Member.ID
	}
	if r.Member.URL == "" {
		return invalid("url", "must not be empty")
	}
	return nil
}

// MemberList is every warehouse a node knows, its own first.
type MemberList struct {
	Warehouses []Warehouse `json:"warehouses"`
}

// MemberMerge tells a node of warehouses of the network: unknown ones are
// added, known ones take a new name or URL, and a departure is kept (a
// departed warehouse never comes back). Holds the local warehouse too, to
// set its URL, its CA holding or its departure.
type MemberMerge struct {
	Warehouses []Warehouse `json:"warehouses"`
}

// Normalize checks every warehouse id.
func (m *MemberMerge) Normalize() (err error) {
	for i := range m.Warehouses {
		if m.Warehouses[i].ID, err = NormalizeWarehouseID(m.Warehouses[i].ID); err != nil {
			return err
		}
	}
	return nil
}

// Operations of network membership.
var (
	OpJoinTokenCreate = Op[JoinTokenNew, Empty]{"jointoken.create", ClassWrite, auth.RoleAdmin}
	OpJoinRedeem      = Op[JoinRedeem, Warehouse]{"jointoken.redeem", ClassWrite, auth.RoleNode}
	OpMemberList      = Op[Empty, MemberList]{"member.list", ClassLookup, auth.RoleViewer}
	OpMemberMerge     = Op[MemberMerge, MemberList]{"member.merge", ClassWrite, auth.RoleNode}
)

// CreateJoinToken stores a join token by the hash of its secret.
func (s *Service) CreateJoinToken(ctx context.Context, hash string, expiresAt time.Time) error {
	_, err := call(ctx, s, OpJoinTokenCreate, &JoinTokenNew{Hash: hash, ExpiresAt: expiresAt})
	return err
}

// RedeemJoinToken consumes the join token with hash and records member. A
// token that is unknown, used or expired is a FORBIDDEN error saying which;
// so is a member id that departed or that is this node's own.
func (s *Service) RedeemJoinToken(ctx context.Context, hash string, member Warehouse) (*Warehouse, error) {
	return call(ctx, s, OpJoinRedeem, &JoinRedeem{Hash: hash, Member: member})
}

// Members returns every warehouse this node knows, its own first, departed
// ones included.
func (s *Service) Members(ctx context.Context) ([]Warehouse, error) {
	l, err := call(ctx, s, OpMemberList, &Empty{})
	if err != nil {
		return nil, err
	}
	return l.Warehouses, nil
}

// MergeMembers records what ws say of the network (see MemberMerge) and
// returns every warehouse this node knows. A change to the local warehouse
// refreshes the Service's copy.
func (s *Service) MergeMembers(ctx context.Context, ws []Warehouse) ([]Warehouse, error) {
	l, err := call(ctx, s, OpMemberMerge, &MemberMerge{Warehouses: ws})
	if err != nil {
		return nil, err
	}
	for i := range l.Warehouses {
		if l.Warehouses[i].Local {
			w := l.Warehouses[i]
			s.local.Store(&w)
		}
	}
	return l.Warehouses, nil
}
