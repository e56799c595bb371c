package stock

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalidEntry is the error for a log entry of another warehouse that no
// node of this version would have written: a field outside the API's
// rules, a kind or type unknown, a balance that does not follow from the
// replica's stock. It has CodeInvalidInput; errors.Is tells it from every
// other INVALID_INPUT error (a seq gap, an epoch change) by its Reason, so
// that a replicator can refuse the entry and count it as a validation
// failure. The errors the package returns carry the entry and the field.
var ErrInvalidEntry = &Error{Code: CodeInvalidInput, Reason: "invalid-entry", Message: "stock: invalid log entry"}

// InvalidEntry returns an ErrInvalidEntry error naming entry e and the
// field at fault, in the form "entry MAD-1:42: movement.balance: …".
func InvalidEntry(e *LogEntry, field, format string, args ...any) *Error {
	return &Error{Code: CodeInvalidInput, Reason: ErrInvalidEntry.Reason,
		Message: entryName(e) + ": " + field + ": " + fmt.Sprintf(format, args...)}
}

// entryName names e in an error: its origin and seq, the origin cut short
// when it is not a warehouse id (it may be anything a peer sent).
func entryName(e *LogEntry) string {
	origin := e.Origin
	if len(origin) > MaxWarehouseIDLen {
		origin = origin[:MaxWarehouseIDLen] + "…"
	}
	return "entry " + strconv.Quote(origin) + ":" + strconv.FormatInt(e.Seq, 10)
}

// asEntryError turns err, an INVALID_INPUT error of one of the API's rules
// ("field: what is wrong"), into an ErrInvalidEntry error naming e, with
// part ("movement", "product", "transfer") before the field.
func asEntryError(e *LogEntry, part string, err error) error {
	if err == nil {
		return nil
	}
	if part != "" {
		part += "."
	}
	return &Error{Code: CodeInvalidInput, Reason: ErrInvalidEntry.Reason, Message: entryName(e) + ": " + part + err.Error()}
}

// Validate reports, as an ErrInvalidEntry error naming the entry and the
// field, why e is not an entry its origin's node could have written,
// whoever signed or relayed it; nil when it is. It applies the rules the
// API applies to the requests that make entries (validate.go), to the
// values as the writer stored them (trimmed already): a known type with
// the values of that type only, an origin that is a warehouse id, times
// the store can hold, and each type's fields (checkMovement, checkProduct,
// checkTransfer). What depends on the replica's state (a balance that
// follows from its stock) is the store's to check.
func (e *LogEntry) Validate() error {
	if err := checkEntryID("origin", e.Origin); err != nil {
		return asEntryError(e, "", err)
	}
	switch {
	case e.Seq <= 0:
		return InvalidEntry(e, "seq", "must be positive")
	case e.From != 0:
		return InvalidEntry(e, "from", "is set only in a run's message, never in a log entry")
	case e.Reserved != nil:
		return InvalidEntry(e, "reserved", "is set only in a published event, never in a log entry")
	}
	if err := checkTime("at", e.At); err != nil {
		return asEntryError(e, "", err)
	}
	if err := exactText("actor", e.Actor, MaxTokenNameLen, false); err != nil {
		return asEntryError(e, "", err)
	}
	if e.Type.IsTransferRequest() != (e.TransferRequest != nil) {
		return InvalidEntry(e, "type", "a transfer request entry, and only one, carries a transfer request")
	}
	switch {
	case e.Type.IsTransferRequest():
		if e.Product != nil || e.Movement != nil || e.Transfer != nil || e.Reservation != nil || e.Stocktake != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a %s entry carries a transfer request only", e.Type)
		}
		return e.checkTransferRequest()
	case e.Type == EntryMovement:
		if e.Movement == nil || e.Product != nil || e.Transfer != nil || e.Reservation != nil || e.Stocktake != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a movement entry carries a movement only")
		}
		return e.checkMovement()
	case e.Type.IsTransfer():
		if e.Transfer == nil || e.Product != nil || e.Movement != nil || e.Reservation != nil || e.Stocktake != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a %s entry carries a transfer only", e.Type)
		}
		return e.checkTransfer()
	case e.Type.IsLocation():
		if e.Location == nil || e.Stocktake != nil || e.Reservation != nil || e.Product != nil || e.Movement != nil || e.Transfer != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a %s entry carries a location only", e.Type)
		}
		return e.checkLocation()
	case e.Type.IsStocktake():
		if e.Stocktake == nil || e.Reservation != nil || e.Product != nil || e.Movement != nil || e.Transfer != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a %s entry carries a stocktake only", e.Type)
		}
		return e.checkStocktake()
	case e.Type.IsReservation():
		if e.Reservation == nil || e.Stocktake != nil || e.Product != nil || e.Movement != nil || e.Transfer != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a %s entry carries a reservation only", e.Type)
		}
		return e.checkReservation()
	case e.Type == EntryWarehouseLeft:
		if e.Product != nil || e.Movement != nil || e.Transfer != nil || e.Reservation != nil || e.Stocktake != nil || len(e.Changed) > 0 {
			return InvalidEntry(e, "type", "a %s entry carries nothing but its time", e.Type)
		}
		return nil
	case e.Type == EntryProductCreated, e.Type == EntryProductUpdated, e.Type == EntryProductDeleted:
		if e.Product == nil || e.Movement != nil || e.Transfer != nil || e.Reservation != nil || e.Stocktake != nil {
			return InvalidEntry(e, "type", "a %s entry carries a product only", e.Type)
		}
		return e.checkProduct()
	}
	return InvalidEntry(e, "type", "%.40q is not a type of log entry", e.Type)
}

// checkMovement checks a movement entry's movement: the entry's own (its
// warehouse, seq, id and time), a known kind with a quantity of the sign
// it gives and within the bounds the writer keeps (entryQuantity), a
// balance a product can hold, and the API's rules for its text.
func (e *LogEntry) checkMovement() error {
	m := e.Movement
	switch {
	case m.Warehouse != e.Origin:
		return InvalidEntry(e, "movement.warehouse", "is not the entry's origin")
	case m.Seq != e.Seq:
		return InvalidEntry(e, "movement.seq", "%d is not the entry's seq", m.Seq)
	case m.ID != MovementID(e.Origin, e.Seq):
		return InvalidEntry(e, "movement.id", "is not %s", MovementID(e.Origin, e.Seq))
	case !m.CreatedAt.Equal(e.At):
		return InvalidEntry(e, "movement.createdAt", "is not the entry's time")
	case !m.Kind.Valid():
		return InvalidEntry(e, "movement.kind", "%.40q is not a movement kind", m.Kind)
	}
	err := exactSKU(m.SKU)
	if err == nil {
		lo, hi := entryQuantity(m.Kind)
		err = checkQuantity("quantity", m.Quantity, lo, hi)
	}
	if err == nil {
		err = checkQuantity("balance", m.Balance, 0, MaxStock)
	}
	if err == nil {
		err = exactText("reference", m.Reference, MaxReferenceLen, false)
	}
	if err == nil {
		err = exactText("note", m.Note, MaxNoteLen, false)
	}
	if err == nil {
		err = exactText("actor", m.Actor, MaxTokenNameLen, false)
	}
	if err == nil {
		err = exactText("idempotencyKey", m.IdempotencyKey, MaxKeyLen, false)
	}
	if err == nil {
		err = m.checkWhere()
	}
	return asEntryError(e, "movement", err)
}

// entryQuantity returns the range of the signed quantity of a movement of
// kind k as the writer records them: a PURCHASE up to MaxStock (a
// product's initial quantity is one), an ADJUSTMENT of any difference
// between two stocks (0: a count that confirmed the stock), and any other
// kind within MaxQuantity, negative for those that take stock out.
func entryQuantity(k Kind) (lo, hi int64) {
	switch k {
	case KindPurchase:
		return 1, MaxStock
	case KindAdjustment:
		return -MaxStock, MaxStock
	}
	if k.Delta(1) < 0 {
		return -MaxQuantity, -1
	}
	return 1, MaxQuantity
}

// checkProduct checks a product entry's product: the API's rules for a
// product (checkCatalogue), a quantity a product can hold, 0 when created
// (stock comes only through movements), and the fields a product.updated
// entry names.
func (e *LogEntry) checkProduct() error {
	p := e.Product
	switch {
	case p.Warehouse != e.Origin:
		return InvalidEntry(e, "product.warehouse", "is not the entry's origin")
	case p.Reserved != 0:
		return InvalidEntry(e, "product.reserved", "is read from reservations, never logged")
	case e.Type == EntryProductCreated && p.Quantity != 0:
		return InvalidEntry(e, "product.quantity", "%d: a product is created without stock, which comes through movements", p.Quantity)
	case e.Type != EntryProductUpdated && len(e.Changed) > 0:
		return InvalidEntry(e, "changed", "only a %s entry names changed fields", EntryProductUpdated)
	case e.Type == EntryProductUpdated && len(e.Changed) == 0:
		return InvalidEntry(e, "changed", "a %s entry names the fields it changed", EntryProductUpdated)
	}
	for i, f := range e.Changed {
		switch f {
		case FieldName, FieldDescription, FieldPrice, FieldReorderPoint, FieldUnit, FieldPacks, FieldMaxStock:
		default:
			return InvalidEntry(e, "changed", "%.40q is not a product field", f)
		}
		for _, g := range e.Changed[:i] {
			if f == g {
				return InvalidEntry(e, "changed", "names %s twice", f)
			}
		}
	}
	err := checkCatalogue(p)
	if err == nil {
		err = checkQuantity("quantity", p.Quantity, 0, MaxStock)
	}
	if err == nil {
		err = checkTime("createdAt", p.CreatedAt)
	}
	if err == nil {
		err = checkUnits(p)
	}
	return asEntryError(e, "product", err)
}

// checkCatalogue checks a product's sku, name, description, price,
// reorder point, unit and packs by the rules of CreateProductInput.
func checkCatalogue(p *Product) error {
	err := exactSKU(p.SKU)
	if err == nil {
		err = exactText("name", p.Name, MaxNameLen, true)
	}
	if err == nil {
		err = exactText("description", p.Description, MaxDescriptionLen, false)
	}
	if err == nil {
		err = checkPrice(p.Price)
	}
	if err == nil {
		err = checkQuantity("reorderPoint", p.ReorderPoint, 0, MaxStock)
	}
	if err == nil {
		err = checkQuantity("maxStock", p.MaxStock, 0, MaxStock)
	}
	if err == nil {
		err = checkUnits(p)
	}
	return err
}

// bySender reports whether the sender of a transfer writes its entries of
// type t (created, cancel requested, returned); the receiver writes the
// others (received, cancelled).
func bySender(t EntryType) bool {
	return t == EntryTransferCreated || t == EntryTransferCancelRequested || t == EntryTransferReturned
}

// checkTransfer checks a transfer entry's transfer: written by the side
// that owns the entry's type, with the fact that type records; an id,
// warehouses, sku, quantity and text by TransferInput's rules; a status
// that is the one its facts make; times the store can hold.
func (e *LogEntry) checkTransfer() error {
	t := e.Transfer
	err := checkEntryID("from", t.From)
	if err == nil {
		err = checkEntryID("to", t.To)
	}
	if err != nil {
		return asEntryError(e, "transfer", err)
	}
	switch sender := bySender(e.Type); {
	case t.From == t.To:
		return InvalidEntry(e, "transfer.to", "is the sender %s", t.From)
	case sender && e.Origin != t.From, !sender && e.Origin != t.To:
		return InvalidEntry(e, "type", "a %s entry is written by the transfer's %s, not by %s", e.Type, sideName(sender), e.Origin)
	}
	if err := e.checkTransferIDs(); err != nil {
		return err
	}
	if err := e.checkTransferFacts(); err != nil {
		return err
	}
	err = exactSKU(t.SKU)
	if err == nil {
		err = checkQuantity("quantity", t.Quantity, 1, MaxQuantity)
	}
	if err == nil {
		err = exactText("reference", t.Reference, MaxReferenceLen, false)
	}
	if err == nil {
		err = exactText("note", t.Note, MaxNoteLen, false)
	}
	if err == nil {
		err = exactText("actor", t.Actor, MaxTokenNameLen, false)
	}
	if err == nil {
		err = exactText("idempotencyKey", t.IdempotencyKey, MaxKeyLen, false)
	}
	if err == nil {
		err = exactText("fingerprint", t.Fingerprint, MaxKeyLen, false)
	}
	if err == nil && t.Product != nil {
		if err = checkCatalogue(t.Product); err == nil && t.Product.SKU != t.SKU {
			err = invalid("sku", "is not the transfer's sku")
		}
		if err != nil {
			return asEntryError(e, "transfer.product", err)
		}
	}
	return asEntryError(e, "transfer", err)
}

// sideName names a side of a transfer.
func sideName(sender bool) string {
	if sender {
		return "sender"
	}
	return "receiver"
}

// checkTransferIDs checks that a transfer's id is TransferID(From, n) and
// its movements' ids are movement ids of their warehouses: n for the
// TRANSFER_OUT, any seq for the TRANSFER_IN (the receiver's) and the
// return (the sender's).
func (e *LogEntry) checkTransferIDs() error {
	t := e.Transfer
	if err := checkTransferID(t.ID); err != nil {
		return asEntryError(e, "transfer", err)
	}
	n, ok := seqAfter(t.ID, t.From+":T")
	switch {
	case !ok:
		return InvalidEntry(e, "transfer.id", "is not a transfer id of %s", t.From)
	case t.OutMovement != MovementID(t.From, n):
		return InvalidEntry(e, "transfer.outMovement", "is not %s", MovementID(t.From, n))
	}
	if _, ok := seqAfter(t.InMovement, t.To+":"); t.InMovement != "" && !ok {
		return InvalidEntry(e, "transfer.inMovement", "is not a movement id of %s", t.To)
	}
	if _, ok := seqAfter(t.ReturnMovement, t.From+":"); t.ReturnMovement != "" && !ok {
		return InvalidEntry(e, "transfer.returnMovement", "is not a movement id of %s", t.From)
	}
	return nil
}

// seqAfter returns the positive seq that follows prefix in s, in its
// canonical decimal form.
func seqAfter(s, prefix string) (int64, bool) {
	rest, ok := strings.CutPrefix(s, prefix)
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, ok && err == nil && n > 0 && strconv.FormatInt(n, 10) == rest
}

// checkTransferFacts checks a transfer's times and status: a creation
// time, the fact the entry's type records, never both received and
// cancelled, a return only of a cancelled transfer, and the status those
// facts make.
func (e *LogEntry) checkTransferFacts() error {
	t := e.Transfer
	if err := checkTime("createdAt", t.CreatedAt); err != nil {
		return asEntryError(e, "transfer", err)
	}
	facts := []struct {
		field string
		at    *time.Time
		typ   EntryType
	}{
		{"cancelRequestedAt", t.CancelRequestedAt, EntryTransferCancelRequested},
		{"receivedAt", t.ReceivedAt, EntryTransferReceived},
		{"cancelledAt", t.CancelledAt, EntryTransferCancelled},
		{"returnedAt", t.ReturnedAt, EntryTransferReturned},
	}
	for _, f := range facts {
		if f.at != nil {
			if err := checkTime(f.field, *f.at); err != nil {
				return asEntryError(e, "transfer", err)
			}
		} else if e.Type == f.typ {
			return InvalidEntry(e, "transfer."+f.field, "a %s entry records it", e.Type)
		}
	}
	switch {
	case t.ReceivedAt != nil && t.CancelledAt != nil:
		return InvalidEntry(e, "transfer.cancelledAt", "a transfer is received or cancelled, never both")
	case (t.ReceivedAt != nil) != (t.InMovement != ""):
		return InvalidEntry(e, "transfer.inMovement", "is set exactly when the transfer was received")
	case t.ReturnedAt != nil && t.CancelledAt == nil:
		return InvalidEntry(e, "transfer.returnedAt", "only a cancelled transfer is returned")
	case (t.ReturnedAt != nil) != (t.ReturnMovement != ""):
		return InvalidEntry(e, "transfer.returnMovement", "is set exactly when the transfer was returned")
	case t.Status != t.StatusOf():
		return InvalidEntry(e, "transfer.status", "%.40q is not %s, the status its facts make", t.Status, t.StatusOf())
	}
	return nil
}

// checkEntryID checks that id is a warehouse id as NormalizeWarehouseID
// leaves it, without quoting an id too long to be one in the error.
func checkEntryID(field, id string) error {
	if len(id) > MaxWarehouseIDLen {
		return invalid(field, "longer than %d characters", MaxWarehouseIDLen)
	}
	n, err := NormalizeWarehouseID(id)
	switch {
	case err != nil:
		return invalid(field, "%q must be 1 to %d letters, digits, '-', '_' or '.', never '..'", id, MaxWarehouseIDLen)
	case n != id:
		return invalid(field, "has leading or trailing spaces")
	}
	return nil
}

// exactSKU checks s by NormalizeSKU's rule, as that leaves it (trimmed).
func exactSKU(s string) error {
	n, err := NormalizeSKU(s)
	if err == nil && n != s {
		err = invalid("sku", "has leading or trailing spaces")
	}
	return err
}

// exactText checks s by text's rule for field, as that leaves it
// (trimmed): a stored value is checked, not normalized, so that the entry
// stays the one its origin wrote.
func exactText(field, s string, max int, required bool) error {
	n, err := text(field, s, max, required)
	if err == nil && n != s {
		err = invalid(field, "has leading or trailing spaces")
	}
	return err
}

// maxEntryUnix is the first second the store's Unix nanoseconds cannot
// hold (in 2262).
const maxEntryUnix = (1<<63 - 1) / 1_000_000_000

// checkTime checks that t is set and within the times the store holds,
// from 1970 (no clock writing entries is earlier) to 2262.
func checkTime(field string, t time.Time) error {
	if s := t.Unix(); s < 0 || s >= maxEntryUnix {
		return invalid(field, "%s is not a time an entry may carry (1970 to 2262)", t.UTC().Format(time.RFC3339))
	}
	return nil
}
