package member

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// MaxNewPerMessage is how many warehouses this node does not know yet it
// checks in one message (a heartbeat, a join answer): the others are
// refused (stock.RejectLimit) and come again with the next heartbeat. It
// bounds the work an invented member list costs.
const MaxNewPerMessage = 64

// accept records what the records rs, relayed by from, say of the
// network: each that supersedes what this node holds and whose signatures
// verify (see screen) goes to the database, which checks the key pinned
// for its warehouse. Heartbeats call it every second, so it sends the
// database a write only when something is new.
func (n *Network) accept(ctx context.Context, from string, rs []stock.MemberRecord) error {
	news := n.screen(from, rs)
	if len(news) == 0 {
		return nil
	}
	res, err := n.store.RecordMembers(ctx, news)
	if err != nil {
		return err
	}
	for _, rej := range res.Rejected {
		n.refuse(from, map[string]int{rej.Reason: 1}, errors.New(rej.Detail))
	}
	n.setMembers(res.Warehouses)
	n.keep(res.Accepted)
	return nil
}

// screen returns the records of rs worth recording: well-formed (ids and
// URLs in their normal form), superseding what this node holds of their
// warehouse, and validly signed, the latest of each warehouse; a record
// about this node only when it is its removal by the CA. The others it
// ignores (not newer) or refuses and counts (badly formed or signed).
// Signatures are checked without holding the lock.
func (n *Network) screen(from string, rs []stock.MemberRecord) []stock.MemberRecord {
	refused := map[string]int{}
	var last error
	out := n.candidates(rs, refused)
	kept := out[:0]
	for _, r := range out {
		if _, err := n.verifier.Verify(&r); err != nil {
			reason := stock.RejectSig
			if re := (*trust.RecordError)(nil); errors.As(err, &re) {
				reason = re.Reason
			}
			refused[reason]++
			last = fmt.Errorf("the record of %s: %w", r.ID, err)
			continue
		}
		if i := slices.IndexFunc(kept, func(k stock.MemberRecord) bool { return k.ID == r.ID }); i >= 0 {
			if r.Supersedes(&kept[i]) {
				kept[i] = r
			}
			continue
		}
		kept = append(kept, r)
	}
	if len(refused) > 0 {
		n.refuse(from, refused, cmp.Or(last, errors.New("malformed or too many new records")))
	}
	return kept
}

// candidates returns the records of rs that would change what this node
// holds, and counts in refused those it refuses before checking
// signatures. Several records of one warehouse are all checked, so that
// a forged one cannot hide a genuine one.
func (n *Network) candidates(rs []stock.MemberRecord, refused map[string]int) []stock.MemberRecord {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []stock.MemberRecord
	fresh := 0
	for _, r := range rs {
		if r.Normalize() != nil {
			refused[stock.RejectInvalid]++
			continue
		}
		if r.ID == n.self && (r.By != stock.SignedByCA || !r.Departed()) {
			continue // only the CA removes this node; its own records it signs itself
		}
		held, known := n.heldLocked(r.ID)
		if !r.Supersedes(held) {
			continue
		}
		if !known {
			if fresh++; fresh > MaxNewPerMessage {
				refused[stock.RejectLimit]++
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// heldLocked returns the record this node holds of id (nil for none; a
// departed warehouse without one gets a departure), and whether id is a
// warehouse it knows; n.mu is held.
func (n *Network) heldLocked(id string) (*stock.MemberRecord, bool) {
	if r, ok := n.records[id]; ok {
		return &r, true
	}
	i := slices.IndexFunc(n.members, func(w stock.Warehouse) bool { return w.ID == id })
	if i < 0 {
		return nil, false
	}
	if at := n.members[i].DepartedAt; at != nil {
		return &stock.MemberRecord{ID: id, DepartedAt: at}, true
	}
	return nil, true
}

// refuse counts refused records by reason and logs them once, with the
// member that relayed them.
func (n *Network) refuse(from string, refused map[string]int, last error) {
	for reason, k := range refused {
		for range k {
			if n.rejected != nil {
				n.rejected(reason)
			}
		}
	}
	n.log.Warn("refusing membership records", "from", from, "reasons", refused, "err", last)
}

// keep holds rs as the latest records of their warehouses, and has
// gossip spread those that are new to this node.
func (n *Network) keep(rs []stock.MemberRecord) {
	n.mu.Lock()
	var news []stock.MemberRecord
	for _, r := range rs {
		if held, ok := n.records[r.ID]; !ok || held.Version != r.Version || held.By != r.By {
			news = append(news, r)
		}
		n.records[r.ID] = r
	}
	n.mu.Unlock()
	n.spread(news)
}

// recordList returns every record this node holds, for members.
func (n *Network) recordList() []stock.MemberRecord {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Collect(maps.Values(n.records))
}

// nextVersion returns a version newer than the record held of id: the
// time in nanoseconds, or one more than the held version when that is
// later (another node's clock).
func (n *Network) nextVersion(id string) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	v := time.Now().UnixNano()
	if r, ok := n.records[id]; ok && r.Version >= v {
		v = r.Version + 1
	}
	return v
}

// recordOwn signs r, this node's own record, with its log-signing key
// (and the CA's key for a claim to hold it), and records it.
func (n *Network) recordOwn(ctx context.Context, r stock.MemberRecord) error {
	if err := n.signOwn(&r); err != nil {
		return err
	}
	res, err := n.store.RecordMembers(ctx, []stock.MemberRecord{r})
	if err != nil {
		return err
	}
	n.setMembers(res.Warehouses)
	n.keep(res.Accepted)
	return nil
}

// signOwn signs r as this node's word: with its log-signing key and the
// key's binding, countersigned with the CA's key when r claims it.
func (n *Network) signOwn(r *stock.MemberRecord) error {
	b, err := n.keyBinding(r.ID)
	if err != nil {
		return err
	}
	trust.SignRecord(r, n.sign, b)
	if r.HoldsCA {
		if n.caKey == nil {
			return errors.New("member: this node does not hold the network CA")
		}
		return trust.CountersignCA(r, n.caKey)
	}
	return nil
}

// keyBinding returns the binding of the log-signing key to the warehouse
// id, made once from the node's certificate.
func (n *Network) keyBinding(id string) (*stock.KeyBinding, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.binding != nil {
		return n.binding, nil
	}
	b, err := trust.Bind(id, n.sign.Public().(ed25519.PublicKey), n.files.Cert, n.files.Key)
	if err != nil {
		return nil, err
	}
	n.binding = b
	return b, nil
}

// Remove removes the warehouse id from the network for good, on an
// admin's word, on the node holding the network CA: it records the
// warehouse's departure signed by the CA (audited as member.removed), which
// heartbeats carry to every member; from then on they refuse its node's
// certificate. For a node gone for good: a node still running leaves with
// Leave. FORBIDDEN for anyone but an admin, on another node, for this
// node's own warehouse or one that left already; NOT_FOUND for an unknown
// id.
func (n *Network) Remove(ctx context.Context, id string) (*stock.Warehouse, error) {
	if err := stock.Authorize(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	id, err := stock.NormalizeWarehouseID(id)
	if err != nil {
		return nil, err
	}
	if n.caKey == nil {
		return nil, stock.Errorf(stock.CodeForbidden, "only an admin of the node holding the network CA removes a warehouse")
	}
	if !n.serving() {
		return nil, stock.Errorf(stock.CodeForbidden, "this node left the network")
	}
	m, ok := n.Member(id)
	switch {
	case !ok:
		return nil, stock.Errorf(stock.CodeNotFound, "%s is not a warehouse of the network", id)
	case m.Local:
		return nil, stock.Errorf(stock.CodeForbidden, "%s is this node's own warehouse: it leaves with leaveNetwork", id)
	case !m.Current():
		return nil, stock.Errorf(stock.CodeForbidden, "%s left the network already", id)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	r := stock.MemberRecord{ID: id, Name: m.Name, URL: m.URL, HoldsCA: m.HoldsCA, DepartedAt: &now, Version: n.nextVersion(id)}
	if err := trust.SignRecordByCA(&r, n.caKey); err != nil {
		return nil, err
	}
	w, err := n.store.RemoveMember(ctx, r)
	if err != nil {
		return nil, err
	}
	n.log.Info("removed a warehouse from the network", "id", id)
	return w, n.refresh(auth.AsNode(ctx))
}

// holdsOwn reports whether the record held of this node already says what
// r says, signed by this node with its current key.
func (n *Network) holdsOwn(r stock.MemberRecord) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	held, ok := n.records[r.ID]
	return ok && held.By == stock.SignedBySelf && !held.Departed() && held.Key != nil &&
		held.Name == r.Name && held.URL == r.URL && held.HoldsCA == r.HoldsCA &&
		bytes.Equal(held.Key.Key, n.sign.Public().(ed25519.PublicKey))
}
