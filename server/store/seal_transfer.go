package store

import (
	"fmt"
	"strconv"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Sealed fields of transfers. The transfers table stores a transfer's
// reference, note and actor sealed with the node's current key, bound to
// the transfer's id and the field (transferAD); a transfer entry of the
// change log stores them, and the fingerprint an older sender put in it,
// sealed like a product entry's actor, bound to the entry's origin and seq.
// The log is read, published and digested in clear. The table's
// fingerprint is keyed, computed by each node from the transfer's clear
// fields: transfer entries no longer carry one.

// transferAD returns the associated data of field of transfer id's row.
func transferAD(id, field string) string {
	return "transfer:" + id + ":" + field
}

// sealedField is a sealed field of a value: its name and where its text is.
type sealedField struct {
	name string
	v    *string
}

// transferFields returns the fields of t the transfers table seals.
func transferFields(t *stock.Transfer) []sealedField {
	return append(carriedFields(t), sealedField{fieldCancelRequestedBy, &t.CancelRequestedBy},
		sealedField{fieldCancelledBy, &t.CancelledBy})
}

// carriedFields returns the sealed fields of t that transfer entries carry.
func carriedFields(t *stock.Transfer) []sealedField {
	return []sealedField{{fieldReference, &t.Reference}, {fieldNote, &t.Note}, {fieldActor, &t.Actor}}
}

// entryTransferFields returns the fields of t a transfer entry of the
// change log seals: those it carries and the fingerprint of older senders.
func entryTransferFields(t *stock.Transfer) []sealedField {
	return append(carriedFields(t), sealedField{fieldFingerprint, &t.Fingerprint})
}

// sealedTransfer is a transfer's sealed columns, as the transfers table
// stores them.
type sealedTransfer struct {
	reference, note, actor, cancelRequestedBy, cancelledBy string
}

// sealTransferRow returns t's sealed columns, sealed with sl.
func sealTransferRow(sl sealing.Sealer, t *stock.Transfer) sealedTransfer {
	seal := func(field, v string) string {
		if v == "" {
			return ""
		}
		return sl.Seal(v, transferAD(t.ID, field))
	}
	return sealedTransfer{seal(fieldReference, t.Reference), seal(fieldNote, t.Note), seal(fieldActor, t.Actor),
		seal(fieldCancelRequestedBy, t.CancelRequestedBy), seal(fieldCancelledBy, t.CancelledBy)}
}

// sealCause returns, sealed for field, the actor of e when e is an entry
// of type typ (the fact of who asked for or made a cancellation); ""
// otherwise, which leaves the column as it is.
func (b *batch) sealCause(e *stock.LogEntry, typ stock.EntryType, field string) string {
	if e.Type != typ || e.Actor == "" {
		return ""
	}
	return b.sealer.Seal(e.Actor, transferAD(e.Transfer.ID, field))
}

// openTransfer replaces t's fields, as read from the transfers table, with
// their clear text.
func (s *Store) openTransfer(t *stock.Transfer) error {
	for _, f := range transferFields(t) {
		clear, err := s.keys.Open(*f.v, transferAD(t.ID, f.name))
		if err != nil {
			return fmt.Errorf("reading the %s of transfer %s: %w", f.name, t.ID, err)
		}
		*f.v = clear
	}
	return nil
}

// sealEntryTransfer seals, in place, the fields of t, the transfer of the
// log entry origin:seq, with sl.
func sealEntryTransfer(sl sealing.Sealer, origin string, seq int64, t *stock.Transfer) {
	for _, f := range entryTransferFields(t) {
		if *f.v != "" {
			*f.v = sl.Seal(*f.v, sealAD(origin, seq, f.name))
		}
	}
}

// openEntryTransfer opens, in place, the fields of t, the transfer of the
// log entry origin:seq as stored.
func (s *Store) openEntryTransfer(origin string, seq int64, t *stock.Transfer) error {
	for _, f := range entryTransferFields(t) {
		clear, err := s.keys.Open(*f.v, sealAD(origin, seq, f.name))
		if err != nil {
			return fmt.Errorf("reading the transfer %s of log entry %s:%d: %w", f.name, origin, seq, err)
		}
		*f.v = clear
	}
	return nil
}

// transferRequest is what makes two transfer requests the same one.
func transferRequest(in *stock.TransferInput) []byte {
	buf := make([]byte, 0, 64+len(in.SKU)+len(in.Reference)+len(in.Note))
	for _, s := range []string{in.SKU, in.To, strconv.FormatInt(in.Quantity, 10), in.Reference, in.Note} {
		buf = append(append(buf, s...), 0)
	}
	return buf
}

// transferInputOf returns the request t was sent with.
func transferInputOf(t *stock.Transfer) *stock.TransferInput {
	return &stock.TransferInput{SKU: t.SKU, To: t.To, Quantity: t.Quantity, Reference: t.Reference, Note: t.Note,
		IdempotencyKey: t.IdempotencyKey}
}

// transferFingerprint is the keyed digest of a transfer request the
// transfers table stores (see fingerprint).
func (s *Store) transferFingerprint(in *stock.TransferInput) string {
	return s.digest(transferRequest(in))
}

// sameTransferRequest reports whether stored, a transfer's fingerprint,
// digests in.
func (s *Store) sameTransferRequest(stored string, in *stock.TransferInput) bool {
	return s.sameDigest(stored, transferRequest(in))
}
