package stock

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// Actions of audit entries that are not change log entries: token and
// network management on this node. They are kept in the node's own audit
// log, never replicated (tokens are a node's own), while product and
// movement entries are the local warehouse's change log, whose entries
// carry their actor to every replica.
const (
	ActionTokenCreated     = "token.created"
	ActionTokenRevoked     = "token.revoked"
	ActionJoinTokenCreated = "jointoken.created"
	// ActionMemberJoined: a warehouse joined the network with a join token
	// this node issued.
	ActionMemberJoined = "member.joined"
	// ActionMemberLeft: this node learned, or recorded, that a warehouse
	// (itself included) left the network.
	ActionMemberLeft = "member.left"
	// ActionMemberRemoved: an admin of the node holding the network CA
	// removed a warehouse gone for good (a departure the CA signed), or
	// this node learned of such a removal.
	ActionMemberRemoved = "member.removed"
	// ActionCertificateIssued: the network CA, which this node holds,
	// signed a member's certificate (its id, its names, which member
	// relayed the join). Written before the certificate exists, in the job
	// that redeems the join token.
	ActionCertificateIssued = "certificate.issued"
)

// AuditEntry is one change made on this node and who made it: Action is a
// change log entry's type (product.created, product.updated,
// product.deleted, movement) or one of the Action constants; Subject what
// it changed (a sku, a token); Detail a short description.
type AuditEntry struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Action  string    `json:"action"`
	Subject string    `json:"subject"`
	Detail  string    `json:"detail"`
	Cursor  string    `json:"cursor"`
}

// AuditQuery asks for a page of the audit log, newest first: at most
// First entries (0: DefaultPageSize) after the cursor After, made by Actor
// ("" for anyone), at From or later and before To.
type AuditQuery struct {
	First int        `json:"first,omitempty"`
	After string     `json:"after,omitempty"`
	Actor string     `json:"actor,omitempty"`
	From  *time.Time `json:"from,omitempty"`
	To    *time.Time `json:"to,omitempty"`
}

// Normalize validates the query in place.
func (q *AuditQuery) Normalize() error {
	if q.From != nil && q.To != nil && !q.From.Before(*q.To) {
		return invalid("from", "must be before to")
	}
	if q.After != "" {
		if _, err := DecodeAuditCursor(q.After); err != nil {
			return err
		}
	}
	return pageSize(&q.First)
}

// AuditPage is a page of the audit log.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	HasNext bool         `json:"hasNext"`
}

// AuditPos is where an audit entry sorts: by time, then by source (0 the
// change log, 1 the node's own audit log), then by its number there.
type AuditPos struct {
	At     int64 // Unix nanoseconds
	Source int
	N      int64
}

// AuditCursor returns the opaque cursor of an audit entry at p.
func AuditCursor(p AuditPos) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "a:%d:%d:%d", p.At, p.Source, p.N))
}

// DecodeAuditCursor returns the position an audit cursor points at.
func DecodeAuditCursor(c string) (AuditPos, error) {
	var p AuditPos
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return p, invalid("after", "not an audit cursor")
	}
	if n, err := fmt.Sscanf(string(b), "a:%d:%d:%d", &p.At, &p.Source, &p.N); err != nil || n != 3 {
		return p, invalid("after", "not an audit cursor")
	}
	return p, nil
}

// OpAuditLog reads the audit log: an admin's question, "who did this".
var OpAuditLog = Op[AuditQuery, AuditPage]{"audit.log", ClassLongRead, auth.RoleAdmin}

// AuditLog returns a page of who changed what on this node, newest first.
func (s *Service) AuditLog(ctx context.Context, q AuditQuery) (*AuditPage, error) {
	return call(ctx, s, OpAuditLog, &q)
}
