package store

import (
	"fmt"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Sealed fields of reservations and stocktakes. The reservations table
// stores a reservation's reference, the stocktakes table a stocktake's
// note, and stocktake_lines who counted each line, sealed with the node's
// current key and bound to the row and the field (promiseAD), as the
// transfers table does; their entries in the change log store the same
// fields sealed like a product entry's actor, bound to the entry's origin
// and seq (entryPromiseFields), as do the entries of transfer requests
// (seal_request.go). The log is read, published and digested in clear.

// fieldCountedBy is who counted a stocktake line.
const fieldCountedBy = "countedBy"

// promiseAD returns the associated data of field of the row key of a
// table of promises and counts ("reservation", "stocktake").
func promiseAD(table, key, field string) string {
	return table + ":" + key + ":" + field
}

// reservationAD returns the associated data of a reservation row's
// reference.
func reservationAD(id string) string { return promiseAD("reservation", id, fieldReference) }

// stocktakeNoteAD returns the associated data of a stocktake row's note.
func stocktakeNoteAD(id string) string { return promiseAD("stocktake", id, fieldNote) }

// lineAD returns the associated data of who counted the line of sku of
// stocktake id.
func lineAD(id, sku string) string { return promiseAD("stocktake", id+":"+sku, fieldCountedBy) }

// sealIf seals v with the batch's key bound to ad; "" stays "".
func (b *batch) sealIf(v, ad string) string {
	if v == "" {
		return ""
	}
	return b.sealer.Seal(v, ad)
}

// openField opens v, a sealed field of what names, bound to ad.
func (s *Store) openField(v, ad, what string) (string, error) {
	if v == "" {
		return "", nil
	}
	clear, err := s.keys.Open(v, ad)
	if err != nil {
		return "", fmt.Errorf("reading the %s: %w", what, err)
	}
	return clear, nil
}

// entryPromiseFields returns the fields a reservation, stocktake or
// transfer request entry of the change log seals: a reservation's
// reference, a stocktake's note and who counted each of its lines, a
// request's note, actor and reason (entryRequestFields), each with the
// field name its associated data takes (bound to the entry's origin and
// seq).
func entryPromiseFields(e *stock.LogEntry) []sealedField {
	var out []sealedField
	if r := e.Reservation; r != nil {
		out = append(out, sealedField{fieldReference, &r.Reference})
	}
	if st := e.Stocktake; st != nil {
		out = append(out, sealedField{fieldNote, &st.Note})
		for i := range st.Lines {
			if l := &st.Lines[i]; l.CountedBy != nil {
				out = append(out, sealedField{fieldCountedBy + ":" + l.SKU, l.CountedBy})
			}
		}
	}
	if r := e.TransferRequest; r != nil {
		out = append(out, entryRequestFields(r)...)
	}
	return out
}

// copyPromise makes c's reservation, stocktake (and lines) or transfer
// request its own, so that sealing c's fields leaves those of the entry it
// was copied from as they were.
func copyPromise(c *stock.LogEntry) {
	if c.Reservation != nil {
		r := *c.Reservation
		c.Reservation = &r
	}
	if c.Stocktake != nil {
		st := *c.Stocktake
		st.Lines = make([]stock.StocktakeLine, len(st.Lines))
		for i, l := range c.Stocktake.Lines {
			if l.CountedBy != nil {
				by := *l.CountedBy
				l.CountedBy = &by
			}
			st.Lines[i] = l
		}
		c.Stocktake = &st
	}
	if c.TransferRequest != nil {
		r := *c.TransferRequest
		c.TransferRequest = &r
	}
}

// openEntryPromise opens, in place, the sealed fields of a reservation,
// stocktake or transfer request entry origin:seq as stored.
func (s *Store) openEntryPromise(e *stock.LogEntry) error {
	for _, f := range entryPromiseFields(e) {
		clear, err := s.openField(*f.v, sealAD(e.Origin, e.Seq, f.name), fmt.Sprintf("%s of log entry %s:%d", f.name, e.Origin, e.Seq))
		if err != nil {
			return err
		}
		*f.v = clear
	}
	return nil
}
