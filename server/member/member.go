// Package member owns a node's place in the network of warehouses: the
// join tokens it issues, the joins it admits (signing the new node's
// certificate with the network CA, or having the CA holder sign it), the
// members it knows and whether they are online (heartbeats over mutual
// TLS), leaving, and the guard and client every node-to-node endpoint uses.
//
// Stored facts (who is a member, its URL, its departure) live in the
// database through Store, each warehouse's as the latest membership record
// signed by that warehouse or by the network CA (stock.MemberRecord), which
// heartbeats relay and every node verifies; runtime state (online, last
// seen, suspicion) only in memory, and it never changes membership.
package member

import (
	"context"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Store is what the network needs of the database: stock.Service
// implements it.
type Store interface {
	LocalWarehouse(ctx context.Context) (*stock.Warehouse, error)
	Members(ctx context.Context) ([]stock.Warehouse, error)
	RecordMembers(ctx context.Context, rs []stock.MemberRecord) (*stock.MemberRecorded, error)
	MemberRecords(ctx context.Context) ([]stock.MemberRecord, error)
	RemoveMember(ctx context.Context, r stock.MemberRecord) (*stock.Warehouse, error)
	CreateJoinToken(ctx context.Context, t stock.JoinTokenNew) error
	RedeemJoinToken(ctx context.Context, r stock.JoinRedeem) (*stock.Warehouse, error)
}

var _ Store = (*stock.Service)(nil)

// Member is a warehouse of the network as this node sees it: what is
// stored, and whether its node answers heartbeats.
type Member struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	URL        string     `json:"url"`
	Local      bool       `json:"local"`
	HoldsCA    bool       `json:"holdsCA"`
	Online     bool       `json:"online"`
	LastSeen   *time.Time `json:"lastSeen,omitempty"`
	DepartedAt *time.Time `json:"departedAt,omitempty"`
	// Behind is how many changes of its log this node knows of and does
	// not hold yet (0 for the local warehouse, or when caught up as far as
	// it knows).
	Behind int64 `json:"behind"`
}

// Current reports whether m is still a member: not departed.
func (m Member) Current() bool { return m.DepartedAt == nil }
