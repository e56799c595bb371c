package store

import (
	"fmt"
	"strconv"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Sealed fields. A movement's reference, note and actor, and the actor of
// a product entry of the change log, are stored sealed with the node's
// current key (internal/sealing), bound to where they are stored
// (warehouse, seq and field), so a value copied to another row does not
// open. Reference and actor are looked up by a keyed hash in columns of
// their own (reference_hash, actor_hash), never by their clear text.
// Replicas are sealed with the applying node's own key: the log travels
// in clear over mutual TLS and each node seals what it stores.
const (
	fieldReference = "reference"
	fieldNote      = "note"
	fieldActor     = "actor"
	// fieldFingerprint keys the digest of a request (movement.go).
	fieldFingerprint = "fingerprint"
	// Who asked for a transfer's cancellation and who cancelled it
	// (transfers table only).
	fieldCancelRequestedBy = "cancelRequestedBy"
	fieldCancelledBy       = "cancelledBy"
)

// hasher hashes a field's value as the index columns store it.
type hasher interface {
	Hash(field, value string) []byte
}

// sealAD returns the associated data of field of the entry seq of
// warehouse: where the sealed value is stored.
func sealAD(warehouse string, seq int64, field string) string {
	return warehouse + ":" + strconv.FormatInt(seq, 10) + ":" + field
}

// sealedMovement is what the ledger stores of a movement's sensitive fields.
type sealedMovement struct {
	reference, note, actor string
	referenceHash          []byte // nil when the reference is empty
	actorHash              []byte
}

// sealMovement seals m's fields with sealer sl; empty fields stay empty and
// cost nothing.
func (s *Store) sealMovement(sl sealing.Sealer, m *stock.Movement) sealedMovement {
	var out sealedMovement
	if m.Reference != "" {
		out.reference = sl.Seal(m.Reference, sealAD(m.Warehouse, m.Seq, fieldReference))
		out.referenceHash = s.keys.Hash(fieldReference, m.Reference)
	}
	if m.Note != "" {
		out.note = sl.Seal(m.Note, sealAD(m.Warehouse, m.Seq, fieldNote))
	}
	if m.Actor != "" {
		out.actor = sl.Seal(m.Actor, sealAD(m.Warehouse, m.Seq, fieldActor))
		out.actorHash = s.keys.Hash(fieldActor, m.Actor)
	}
	return out
}

// openMovement replaces m's stored fields, as read from the ledger, with
// their clear text; m's Warehouse and Seq are set.
func (s *Store) openMovement(m *stock.Movement) error {
	for _, f := range []struct {
		name string
		v    *string
	}{{fieldReference, &m.Reference}, {fieldNote, &m.Note}, {fieldActor, &m.Actor}} {
		if *f.v == "" {
			continue
		}
		clear, err := s.keys.Open(*f.v, sealAD(m.Warehouse, m.Seq, f.name))
		if err != nil {
			return fmt.Errorf("reading the %s of movement %s:%d: %w", f.name, m.Warehouse, m.Seq, err)
		}
		*f.v = clear
	}
	return nil
}

// storedData returns what the change log stores of e, encoded as data: nil
// for a movement (its ledger row holds its values), else data with the
// actor, a transfer's reference, note, actor and fingerprint, a
// reservation's reference, a stocktake's note and counters and a transfer
// request's note, actor and reason, sealed.
func (b *batch) storedData(e *stock.LogEntry, data []byte) ([]byte, error) {
	switch {
	case e.Type == stock.EntryMovement:
		return nil, nil
	case e.Actor == "" && e.Transfer == nil && e.Reservation == nil && e.Stocktake == nil && e.TransferRequest == nil:
		return data, nil
	}
	c := *e
	if e.Actor != "" {
		c.Actor = b.sealer.Seal(e.Actor, sealAD(e.Origin, e.Seq, fieldActor))
	}
	if e.Transfer != nil {
		t := *e.Transfer
		sealEntryTransfer(b.sealer, e.Origin, e.Seq, &t)
		c.Transfer = &t
	}
	copyPromise(&c)
	for _, f := range entryPromiseFields(&c) {
		*f.v = b.sealIf(*f.v, sealAD(e.Origin, e.Seq, f.name))
	}
	out, err := stock.EncodeValue(nil, &c)
	if err != nil {
		return nil, fmt.Errorf("encoding log entry %s:%d: %w", e.Origin, e.Seq, err)
	}
	return out, nil
}

// decodeEntry decodes a product, transfer, reservation, stocktake or
// transfer request entry of origin's log as stored, opening its sealed
// fields.
func (s *Store) decodeEntry(data []byte, e *stock.LogEntry) error {
	if err := stock.DecodeValue(data, e); err != nil {
		return err
	}
	if e.Transfer != nil {
		if err := s.openEntryTransfer(e.Origin, e.Seq, e.Transfer); err != nil {
			return err
		}
	}
	if err := s.openEntryPromise(e); err != nil {
		return err
	}
	if e.Actor == "" {
		return nil
	}
	clear, err := s.keys.Open(e.Actor, sealAD(e.Origin, e.Seq, fieldActor))
	if err != nil {
		return fmt.Errorf("reading the actor of log entry %s:%d: %w", e.Origin, e.Seq, err)
	}
	e.Actor = clear
	return nil
}

// fieldSubject is the sealed subject of an audit log entry.
const fieldSubject = "subject"

// auditOrigin stands for the warehouse in the associated data of audit log
// entries, bound to their time instead of a seq.
const auditOrigin = "audit"

// openAudit opens the sealed fields of an entry of the audit query read at
// position p: a change's actor (sealed under the local warehouse and its
// seq), or an audit log entry's actor and subject (under its time).
func (s *Store) openAudit(p stock.AuditPos, e *stock.AuditEntry) error {
	where, n := s.localID(), p.N
	if p.Source != 0 {
		where, n = auditOrigin, p.At
	}
	var err error
	if e.Actor, err = s.keys.Open(e.Actor, sealAD(where, n, fieldActor)); err != nil {
		return fmt.Errorf("reading the actor of audit entry %d:%d: %w", p.Source, p.N, err)
	}
	if p.Source != 0 {
		if e.Subject, err = s.keys.Open(e.Subject, sealAD(where, n, fieldSubject)); err != nil {
			return fmt.Errorf("reading the subject of audit entry %d: %w", p.N, err)
		}
	}
	return nil
}
