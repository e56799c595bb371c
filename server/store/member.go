package store

import (
	"cmp"
	"context"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/ent/jointoken"
	"github.com/stockmesh/stockmesh/ent/warehouse"
	"github.com/stockmesh/stockmesh/server/stock"
)

// createJoinToken stores a join token's hash, expiry, the warehouse it
// admits and who asked for it. A member's request is audited as that
// member's.
func (b *batch) createJoinToken(t *stock.JoinTokenNew) (*stock.Empty, error) {
	err := b.client().JoinToken.Create().SetHash(t.Hash).SetCreatedAt(b.now()).SetExpiresAt(t.ExpiresAt.UTC()).
		SetWarehouse(t.Warehouse).SetRejoin(t.Rejoin).SetAskedBy(t.AskedBy).Exec(b.ctx)
	if err != nil {
		return nil, err
	}
	detail := "expires " + t.ExpiresAt.UTC().Format(time.RFC3339)
	if t.Warehouse != "" {
		detail += "; admits " + t.Warehouse
	}
	if t.Rejoin {
		detail += " again (rejoin)"
	}
	if t.AskedBy != "" {
		detail += "; asked by " + t.AskedBy
	}
	return &stock.Empty{}, b.auditBy(cmp.Or(t.AskedBy, b.meta.Actor), stock.ActionJoinTokenCreated, "join token", detail)
}

// redeemJoinToken consumes a join token and records the member it admits
// (with the CA's signed record of it, when given), with the certificate
// the CA is about to sign for it in the audit log.
// The writer runs one job at a time, so of two joins with one token the
// second finds it used; a refusal changes nothing.
func (b *batch) redeemJoinToken(r *stock.JoinRedeem) (*stock.Warehouse, error) {
	tok, err := b.admissible(r.Hash, r.Member.ID)
	if err != nil {
		return nil, err
	}
	if err := tok.Update().SetUsedAt(b.now()).SetUsedBy(r.Member.ID).Exec(b.ctx); err != nil {
		return nil, err
	}
	m := r.Member
	m.Local, m.HoldsCA, m.DepartedAt = false, false, nil
	if err := b.mergeMember(m); err != nil {
		return nil, err
	}
	if r.Record != nil {
		if _, _, err := b.recordMember(r.Record, ""); err != nil {
			return nil, err
		}
	}
	if err := b.auditBy(cmp.Or(b.meta.Actor, m.ID), stock.ActionMemberJoined, "warehouse "+m.ID, "at "+m.URL); err != nil {
		return nil, err
	}
	detail := "for " + strings.Join(r.Names, ", ")
	if r.Via != "" {
		detail += "; join relayed by " + r.Via
	}
	return &m, b.auditBy(cmp.Or(r.Via, m.ID), stock.ActionCertificateIssued, "warehouse "+m.ID, detail)
}

// admissible returns the join token with hash if it admits the warehouse
// id now: a token this node issued, unused, unexpired, naming id or none,
// and, for an id that is a member, naming it with rejoin. A departed
// warehouse and this node's own are never admitted.
func (b *batch) admissible(hash, id string) (*ent.JoinToken, error) {
	local, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	tok, err := b.client().JoinToken.Query().Where(jointoken.Hash(hash)).Only(b.ctx)
	switch {
	case ent.IsNotFound(err):
		return nil, stock.Errorf(stock.CodeForbidden, "the join token is not one %s issued", local.ID)
	case err != nil:
		return nil, err
	case tok.UsedAt != nil:
		return nil, stock.Errorf(stock.CodeForbidden, "the join token was already used (by %s at %s)",
			tok.UsedBy, tok.UsedAt.UTC().Format(time.RFC3339))
	case !b.now().Before(tok.ExpiresAt):
		return nil, stock.Errorf(stock.CodeForbidden, "the join token expired at %s", tok.ExpiresAt.UTC().Format(time.RFC3339))
	case tok.Warehouse != "" && tok.Warehouse != id:
		return nil, stock.Errorf(stock.CodeForbidden, "the join token admits %s, not %s", tok.Warehouse, id)
	case id == local.ID:
		return nil, stock.Errorf(stock.CodeForbidden, "%s is the id of the node that issued the token", id)
	}
	old, err := b.client().Warehouse.Get(b.ctx, id)
	switch {
	case ent.IsNotFound(err):
		return tok, nil
	case err != nil:
		return nil, err
	case old.DepartedAt != nil:
		return nil, stock.Errorf(stock.CodeForbidden, "%s left the network at %s and never comes back; join under another id",
			id, old.DepartedAt.UTC().Format(time.RFC3339))
	case !tok.Rejoin:
		return nil, stock.Errorf(stock.CodeForbidden,
			"%s is a member of the network already: only a join token that names it with rejoin admits it again", id)
	}
	return tok, nil
}

// mergeMembers records what a node says of the network (see
// stock.MemberMerge) and returns every warehouse this node knows.
func (b *batch) mergeMembers(m *stock.MemberMerge) (*stock.MemberList, error) {
	for _, w := range m.Warehouses {
		if err := b.mergeMember(w); err != nil {
			return nil, err
		}
	}
	rows, err := b.client().Warehouse.Query().All(b.ctx)
	if err != nil {
		return nil, err
	}
	return memberList(rows), nil
}

// mergeMember adds w when unknown, or updates the stored row: a new name or
// URL, holding the CA, a departure (which it adds to the audit log). It
// never undoes a departure, and keeps the cached local warehouse equal to
// its row. A change that comes with no actor (from another node) is the
// warehouse's own.
func (b *batch) mergeMember(w stock.Warehouse) error {
	old, err := b.client().Warehouse.Get(b.ctx, w.ID)
	if ent.IsNotFound(err) {
		c := b.client().Warehouse.Create().SetID(w.ID).SetName(cmp.Or(w.Name, w.ID)).SetURL(w.URL).
			SetHoldsCa(w.HoldsCA).SetCreatedAt(b.now()).SetNillableDepartedAt(w.DepartedAt)
		return c.Exec(b.ctx)
	}
	if err != nil {
		return err
	}
	u := old.Update()
	changed := false
	if w.Name != "" && w.Name != old.Name && !old.Local {
		u, changed = u.SetName(w.Name), true
	}
	if w.URL != "" && w.URL != old.URL {
		u, changed = u.SetURL(w.URL), true
	}
	if w.HoldsCA && !old.HoldsCa {
		u, changed = u.SetHoldsCa(true), true
	}
	if w.DepartedAt != nil && old.DepartedAt == nil {
		u, changed = u.SetDepartedAt(w.DepartedAt.UTC()), true
	}
	if !changed {
		return nil
	}
	row, err := u.Save(b.ctx)
	if err != nil {
		return err
	}
	if row.Local {
		b.w.local = warehouseOf(row)
	}
	if w.DepartedAt != nil && old.DepartedAt == nil {
		return b.auditBy(cmp.Or(b.meta.Actor, w.ID), stock.ActionMemberLeft, "warehouse "+w.ID, "at "+w.DepartedAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// listMembers returns every warehouse this node knows, its own first.
func (s *Store) listMembers(ctx context.Context, _ *stock.Empty) (*stock.MemberList, error) {
	rows, err := s.reader.Warehouse.Query().Order(ent.Asc(warehouse.FieldID)).All(ctx)
	if err != nil {
		return nil, err
	}
	return memberList(rows), nil
}

// memberList converts stored warehouses, the local one first.
func memberList(rows []*ent.Warehouse) *stock.MemberList {
	l := &stock.MemberList{Warehouses: make([]stock.Warehouse, 0, len(rows))}
	for _, r := range rows {
		if r.Local {
			l.Warehouses = append(l.Warehouses, *warehouseOf(r))
		}
	}
	for _, r := range rows {
		if !r.Local {
			l.Warehouses = append(l.Warehouses, *warehouseOf(r))
		}
	}
	return l
}
