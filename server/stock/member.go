package stock

import (
	"cmp"
	"context"
	"fmt"
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
// the audit log with the certificate's issue. Record, when set, is the
// CA's signed record of Member, kept with it for the network to relay.
type JoinRedeem struct {
	Hash   string        `json:"hash"`
	Member Warehouse     `json:"member"`
	Names  []string      `json:"names,omitempty"`
	Via    string        `json:"via,omitempty"`
	Record *MemberRecord `json:"record,omitempty"`
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
	if r.Record != nil {
		if err := r.Record.Normalize(); err != nil {
			return err
		}
		if w := r.Record.Warehouse(); r.Record.By != SignedByCA || r.Record.Departed() || w.ID != r.Member.ID ||
			w.Name != r.Member.Name || w.URL != r.Member.URL || w.HoldsCA {
			return invalid("record", "must be the CA's record of the member admitted")
		}
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
	s.keepLocal(l.Warehouses)
	return l.Warehouses, nil
}

// RecordSigner names the key a membership record is signed with.
type RecordSigner string

// The signers of membership records.
const (
	// SignedBySelf: the log-signing key of the warehouse the record is
	// about, proved by the record's KeyBinding.
	SignedBySelf RecordSigner = "self"
	// SignedByCA: the network CA's key (an admission on the CA holder, or
	// an admin's removal of a warehouse gone for good).
	SignedByCA RecordSigner = "ca"
)

// MaxRecordSigLen bounds a record's signatures, and MaxRecordCertLen the
// certificate of its key binding.
const (
	MaxRecordSigLen  = 512
	MaxRecordCertLen = 8 << 10
)

// MemberRecord is what the network knows of one warehouse's membership,
// signed by whoever may say it (server/trust signs and verifies it): its
// name, URL, whether its node holds the network CA, and its departure,
// with a Version so that a newer record replaces an older one. A record
// signed by the warehouse itself (By SignedBySelf) carries the binding of
// its log-signing key (Key), so any member verifies it with only the
// network's CA certificate, whoever relayed it; a claim to hold the CA is
// also signed with the CA's key (CASig). A departure is final: it
// replaces any record, and no record replaces it.
type MemberRecord struct {
	ID         string       `json:"id"`
	Name       string       `json:"name,omitempty"`
	URL        string       `json:"url,omitempty"`
	HoldsCA    bool         `json:"holdsCA,omitempty"`
	DepartedAt *time.Time   `json:"departedAt,omitempty"`
	Version    int64        `json:"version"`
	By         RecordSigner `json:"by"`
	Key        *KeyBinding  `json:"key,omitempty"`
	Sig        []byte       `json:"sig"`
	CASig      []byte       `json:"caSig,omitempty"`
}

// Departed reports whether the record is a departure.
func (r *MemberRecord) Departed() bool { return r.DepartedAt != nil }

// Supersedes reports whether r replaces old, what a node holds of the same
// warehouse (nil: nothing): a departure replaces anything but a departure,
// nothing replaces a departure, and otherwise the higher version wins.
func (r *MemberRecord) Supersedes(old *MemberRecord) bool {
	switch {
	case old == nil:
		return true
	case old.Departed():
		return false
	case r.Departed():
		return true
	}
	return r.Version > old.Version
}

// Warehouse returns the warehouse the record describes.
func (r *MemberRecord) Warehouse() Warehouse {
	return Warehouse{ID: r.ID, Name: cmp.Or(r.Name, r.ID), URL: r.URL, HoldsCA: r.HoldsCA, DepartedAt: r.DepartedAt}
}

// Normalize checks the record without changing it, since it is signed:
// an id, name and URL already in their normal form (NormalizeWarehouseID,
// NormalizeNodeURL), a positive version, a known signer, a key binding for
// a record signed by its warehouse, and bounded signatures.
func (r *MemberRecord) Normalize() error {
	if id, err := NormalizeWarehouseID(r.ID); err != nil {
		return err
	} else if id != r.ID {
		return invalid("id", "%q is not in its normal form", r.ID)
	}
	if name, err := text("name", r.Name, MaxNameLen, false); err != nil {
		return err
	} else if name != r.Name {
		return invalid("name", "%q is not in its normal form", r.Name)
	}
	if u, err := NormalizeNodeURL(r.URL); err != nil {
		return err
	} else if u != r.URL {
		return invalid("url", "%q is not in its normal form", r.URL)
	}
	switch {
	case r.Version <= 0:
		return invalid("version", "%d must be positive", r.Version)
	case r.DepartedAt != nil && r.DepartedAt.IsZero():
		return invalid("departedAt", "must be a time")
	case r.By != SignedBySelf && r.By != SignedByCA:
		return invalid("by", "%q signs no membership record", r.By)
	case r.By == SignedBySelf && (r.Key == nil || len(r.Key.Cert) > MaxRecordCertLen || len(r.Key.Sig) > MaxRecordSigLen):
		return invalid("key", "a record its warehouse signed needs the binding of its key")
	case len(r.Sig) == 0 || len(r.Sig) > MaxRecordSigLen || len(r.CASig) > MaxRecordSigLen:
		return invalid("sig", "must be a signature of at most %d bytes", MaxRecordSigLen)
	}
	return nil
}

// MemberRecords is a list of membership records: those a node asks its
// database to record (their signatures verified by the member package,
// which links the CA), or every record the node holds.
type MemberRecords struct {
	Records []MemberRecord `json:"records"`
}

// Normalize checks every record.
func (m *MemberRecords) Normalize() error {
	for i := range m.Records {
		if err := m.Records[i].Normalize(); err != nil {
			return fmt.Errorf("record %d: %w", i, err)
		}
	}
	return nil
}

// RecordRejection says why a node's database refused a membership record
// whose signature verified: RejectKey, a key binding for another key than
// the one the node pinned for that warehouse.
type RecordRejection struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// Reasons a membership record is refused
// (stockmesh_membership_rejected_total{reason}).
const (
	RejectInvalid = "invalid"   // an id, URL, name or field out of bounds
	RejectSig     = "signature" // a signature that does not verify
	RejectBinding = "binding"   // no certificate the CA issued for the id binds the key
	RejectKey     = "key"       // another key than the one pinned for the id
	RejectCAClaim = "ca"        // a claim to hold the CA without the CA's signature
	RejectLimit   = "limit"     // more new warehouses in one message than a node checks
)

// MemberRecorded is the reply of OpMemberRecord: every warehouse the node
// knows, the records it now holds from the request, and those it refused.
type MemberRecorded struct {
	Warehouses []Warehouse       `json:"warehouses"`
	Accepted   []MemberRecord    `json:"accepted,omitempty"`
	Rejected   []RecordRejection `json:"rejected,omitempty"`
}

// Operations of signed membership.
var (
	OpMemberRecord  = Op[MemberRecords, MemberRecorded]{"member.record", ClassWrite, auth.RoleNode}
	OpMemberRecords = Op[Empty, MemberRecords]{"member.records", ClassLookup, auth.RoleNode}
	OpMemberRemove  = Op[MemberRecord, Warehouse]{"member.remove", ClassWrite, auth.RoleAdmin}
)

// RecordMembers records membership records whose signatures the caller
// verified: each that supersedes what the node holds of its warehouse
// (see MemberRecord.Supersedes) updates the warehouse (added when
// unknown), is kept to be relayed, and a departure is audited. A record
// signed by its warehouse with another key than the one the node pinned
// for it is refused (RecordRejection); the key of a new one is pinned. A
// change to the local warehouse refreshes the Service's copy.
func (s *Service) RecordMembers(ctx context.Context, rs []MemberRecord) (*MemberRecorded, error) {
	out, err := call(ctx, s, OpMemberRecord, &MemberRecords{Records: rs})
	if err != nil {
		return nil, err
	}
	s.keepLocal(out.Warehouses)
	return out, nil
}

// MemberRecords returns every membership record the node holds.
func (s *Service) MemberRecords(ctx context.Context) ([]MemberRecord, error) {
	l, err := call(ctx, s, OpMemberRecords, &Empty{})
	if err != nil {
		return nil, err
	}
	return l.Records, nil
}

// RemoveMember records an admin's removal of a warehouse gone for good:
// r, a departure signed by the network CA. The warehouse must be a current
// member other than the local one (NOT_FOUND, FORBIDDEN); the removal is
// audited (ActionMemberRemoved) under the admin's name.
func (s *Service) RemoveMember(ctx context.Context, r MemberRecord) (*Warehouse, error) {
	return call(ctx, s, OpMemberRemove, &r)
}

// keepLocal refreshes the Service's copy of the local warehouse from ws.
func (s *Service) keepLocal(ws []Warehouse) {
	for i := range ws {
		if ws[i].Local {
			w := ws[i]
			s.local.Store(&w)
		}
	}
}
