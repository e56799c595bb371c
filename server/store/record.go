package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/ent"
	"github.com/stockmesh/stockmesh/server/stock"
)

// This file keeps the signed membership records (stock.MemberRecord): the
// latest record of each warehouse this node holds, which its heartbeats
// relay, and the warehouse rows they describe. Signatures are verified by
// the member package before a record reaches the writer; the writer checks
// what depends on the database: the key pinned for the warehouse
// (log_keys), and which record is newer.

// createMemberRecords creates the table of membership records, one per
// warehouse: its version and the record (JSON).
const createMemberRecords = `CREATE TABLE IF NOT EXISTS member_records (
	id TEXT PRIMARY KEY,
	version INTEGER NOT NULL,
	record BLOB NOT NULL
)`

// recordMembers records every record of in that supersedes what the node
// holds of its warehouse, and returns every warehouse with what it
// accepted and refused.
func (b *batch) recordMembers(in *stock.MemberRecords) (*stock.MemberRecorded, error) {
	out := &stock.MemberRecorded{}
	for i := range in.Records {
		r := &in.Records[i]
		rej, ok, err := b.recordMember(r, "")
		switch {
		case err != nil:
			return nil, err
		case rej != nil:
			out.Rejected = append(out.Rejected, *rej)
		case ok:
			out.Accepted = append(out.Accepted, *r)
		}
	}
	rows, err := b.client().Warehouse.Query().All(b.ctx)
	if err != nil {
		return nil, err
	}
	out.Warehouses = memberList(rows).Warehouses
	return out, nil
}

// removeMember records an admin's removal of a warehouse: r, a departure
// the CA signed, of a current member other than the local one.
func (b *batch) removeMember(r *stock.MemberRecord) (*stock.Warehouse, error) {
	if r.By != stock.SignedByCA || !r.Departed() {
		return nil, stock.Errorf(stock.CodeInvalidInput, "a removal is a departure the network CA signed")
	}
	row, err := b.client().Warehouse.Get(b.ctx, r.ID)
	switch {
	case ent.IsNotFound(err):
		return nil, stock.Errorf(stock.CodeNotFound, "%s is not a warehouse of the network", r.ID)
	case err != nil:
		return nil, err
	case row.Local:
		return nil, stock.Errorf(stock.CodeForbidden, "%s is this node's own warehouse: it leaves with leaveNetwork", r.ID)
	case row.DepartedAt != nil:
		return nil, stock.Errorf(stock.CodeForbidden, "%s left the network already, at %s", r.ID, row.DepartedAt.UTC().Format(time.RFC3339))
	}
	if _, _, err := b.recordMember(r, cmp.Or(b.meta.Actor, "admin")); err != nil {
		return nil, err
	}
	if row, err = b.client().Warehouse.Get(b.ctx, r.ID); err != nil {
		return nil, err
	}
	return warehouseOf(row), nil
}

// recordMember records r when it supersedes what the node holds of its
// warehouse (false when it does not: nothing changes), unless it is
// signed with another key than the one pinned for the warehouse (a
// rejection). A departure is audited as actor ("": the departing
// warehouse, or the network CA for a removal).
func (b *batch) recordMember(r *stock.MemberRecord, actor string) (*stock.RecordRejection, bool, error) {
	old, err := b.memberRecord(r.ID)
	if err != nil || !r.Supersedes(old) {
		return nil, false, err
	}
	row, err := b.client().Warehouse.Get(b.ctx, r.ID)
	switch {
	case ent.IsNotFound(err):
		row = nil
	case err != nil:
		return nil, false, err
	case row.DepartedAt != nil && !r.Departed():
		return nil, false, nil // a departed warehouse never comes back
	}
	if r.By == stock.SignedBySelf && (row == nil || !row.Local) {
		if rej, err := b.pinRecordKey(r); rej != nil || err != nil {
			return rej, false, err
		}
	}
	if err := b.applyRecord(row, r, actor); err != nil {
		return nil, false, err
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, false, err
	}
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT OR REPLACE INTO member_records (id, version, record) VALUES (?, ?, ?)`,
		r.ID, r.Version, raw); err != nil {
		return nil, false, fmt.Errorf("storing the membership record of %s: %w", r.ID, err)
	}
	return nil, true, nil
}

// memberRecord returns the record the node holds of the warehouse id, nil
// for none.
func (b *batch) memberRecord(id string) (*stock.MemberRecord, error) {
	var raw []byte
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT record FROM member_records WHERE id = ?`, id).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the membership record of %s: %w", id, err)
	}
	var r stock.MemberRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("reading the membership record of %s: %w", id, err)
	}
	return &r, nil
}

// pinRecordKey checks that r, signed by its warehouse, is signed with the
// key pinned for it, or pins that key when none is.
func (b *batch) pinRecordKey(r *stock.MemberRecord) (*stock.RecordRejection, error) {
	var key []byte
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT key FROM log_keys WHERE origin = ?`, r.ID).Scan(&key)
	switch {
	case err == nil && bytes.Equal(key, r.Key.Key):
		return nil, nil
	case err == nil:
		return &stock.RecordRejection{ID: r.ID, Reason: stock.RejectKey,
			Detail: "the record is signed with another key than the one pinned for " + r.ID}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("reading the key of %s: %w", r.ID, err)
	}
	raw, err := json.Marshal(r.Key)
	if err != nil {
		return nil, err
	}
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO log_keys (origin, key, binding) VALUES (?, ?, ?)`, r.ID, r.Key.Key, raw); err != nil {
		return nil, fmt.Errorf("pinning the key of %s: %w", r.ID, err)
	}
	return nil, nil
}

// applyRecord makes the warehouse row (nil: none yet) say what r says: its
// name (never the local warehouse's), URL, CA holding and departure, which
// it audits.
func (b *batch) applyRecord(row *ent.Warehouse, r *stock.MemberRecord, actor string) error {
	w := r.Warehouse()
	if w.DepartedAt != nil {
		at := w.DepartedAt.UTC()
		w.DepartedAt = &at
	}
	if row == nil {
		return b.client().Warehouse.Create().SetID(w.ID).SetName(w.Name).SetURL(w.URL).SetHoldsCa(w.HoldsCA).
			SetCreatedAt(b.now()).SetNillableDepartedAt(w.DepartedAt).Exec(b.ctx)
	}
	u, changed := row.Update(), false
	if w.Name != row.Name && !row.Local {
		u, changed = u.SetName(w.Name), true
	}
	if w.URL != "" && w.URL != row.URL {
		u, changed = u.SetURL(w.URL), true
	}
	if w.HoldsCA != row.HoldsCa {
		u, changed = u.SetHoldsCa(w.HoldsCA), true
	}
	departs := w.DepartedAt != nil && row.DepartedAt == nil
	if departs {
		u, changed = u.SetDepartedAt(*w.DepartedAt), true
	}
	if !changed {
		return nil
	}
	saved, err := u.Save(b.ctx)
	if err != nil {
		return err
	}
	if saved.Local {
		b.w.local = warehouseOf(saved)
	}
	if !departs {
		return nil
	}
	at := "at " + w.DepartedAt.Format(time.RFC3339)
	if r.By == stock.SignedByCA {
		return b.auditBy(cmp.Or(actor, "network CA"), stock.ActionMemberRemoved, "warehouse "+w.ID, at+"; removed by the network CA")
	}
	return b.auditBy(cmp.Or(actor, w.ID), stock.ActionMemberLeft, "warehouse "+w.ID, at)
}

// memberRecords returns every membership record the node holds.
func (s *Store) memberRecords(ctx context.Context, _ *stock.Empty) (*stock.MemberRecords, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT record FROM member_records ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("reading the membership records: %w", err)
	}
	defer rows.Close()
	out := &stock.MemberRecords{Records: []stock.MemberRecord{}}
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var r stock.MemberRecord
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, fmt.Errorf("reading a membership record: %w", err)
		}
		out.Records = append(out.Records, r)
	}
	return out, rows.Err()
}
