package stock

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// JoinTokenNew is a join token to store: only the hash of its secret,
// when it stops being accepted, the warehouse id it admits ("": one of the
// joiner's choosing that has never been a member), whether that id may be a
// warehouse that is or was a member (Rejoin), and the member that asked for
// it ("": an admin of this node).
type JoinTokenNew struct {
	Hash      string    `json:"hash"`
	ExpiresAt time.Time `json:"expiresAt"`
	Warehouse string    `json:"warehouse,omitempty"`
	Rejoin    bool      `json:"rejoin,omitempty"`
	AskedBy   string    `json:"askedBy,omitempty"`
}

// Normalize checks that the token has a hash and an expiry, and the ids it
// names; Rejoin needs a Warehouse.
func (t *JoinTokenNew) Normalize() (err error) {
	switch {
	case t.Hash == "":
		return invalid("hash", "must not be empty")
	case t.ExpiresAt.IsZero():
		return invalid("expiresAt", "must be set")
	case t.Rejoin && t.Warehouse == "":
		return invalid("rejoin", "needs the warehouse the token admits again")
	}
	if t.Warehouse != "" {
		if t.Warehouse, err = NormalizeWarehouseID(t.Warehouse); err != nil {
			return err
		}
	}
	if t.AskedBy != "" {
		if t.AskedBy, err = NormalizeWarehouseID(t.AskedBy); err != nil {
			return err
		}
	}
	return nil
}

// JoinRedeem consumes the join token with Hash and records Member as a
// member of the network, in one job: of two joins with the same token,
// only one succeeds. The token must admit Member.ID: the id it names, if
// any, and an id that is or was a member only with Rejoin. Names are the
// names of the certificate the CA signs once the job succeeds, and Via the
// member that relayed the join ("": the joiner asked directly); both go to
// the audit log with the certificate's issue.
type JoinRedeem struct {
	Hash   string    `json:"hash"`
	Member Warehouse `json:"member"`
	Names  []string  `json:"names,omitempty"`
	Via    string    `json:"via,omitempty"`
}

// Normalize checks the hash and the new member's id, name and URL.
func (r *JoinRedeem) Normalize() (err error) {
	if r.Hash == "" {
		return invalid("hash", "must not be empty")
	}
	if r.Member.ID, err = NormalizeWarehouseID(r.Member.ID); err != nil {
		return err
	}
	if r.Member.Name, err = text("name", r.Member.Name, MaxNameLen, false); err != nil {
		return err
	}
	if r.Member.Name == "" {
		r.Member.Name = r.Member.ID
	}
	if r.Member.URL, err = NormalizeNodeURL(r.Member.URL); err != nil {
		return err
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
func (s *Service) CreateJoinToken(ctx context.Context, t JoinTokenNew) error {
	_, err := call(ctx, s, OpJoinTokenCreate, &t)
	return err
}

// RedeemJoinToken consumes the join token r.Hash and records r.Member. A
// token that is unknown, used or expired is a FORBIDDEN error saying which;
// so is an id the token does not admit (another than the one it names, one
// that is or was a member without rejoin), one that departed or that is
// this node's own. A refusal changes nothing.
func (s *Service) RedeemJoinToken(ctx context.Context, r JoinRedeem) (*Warehouse, error) {
	return call(ctx, s, OpJoinRedeem, &r)
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
