package stock

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// A transfer moves stock of one sku from one warehouse (From, the sender)
// to another (To, the receiver) as a saga between their two nodes, never as
// a distributed transaction: each step is a change of one warehouse,
// written by its own node in one transaction with the movement it makes,
// and carried to the other by replication.
//
//   - The sender records a TRANSFER_OUT and the transfer (transfer.created).
//   - The receiver decides the transfer's fate, once: it receives it (a
//     TRANSFER_IN and transfer.received) or cancels it
//     (transfer.cancelled), so that it is never both received and returned.
//   - The sender may only ask for a cancellation (transfer.cancel_requested);
//     the receiver confirms it as soon as it sees it unless it received the
//     goods first.
//   - Once the receiver's cancellation reached the sender, the sender takes
//     the stock back (a TRANSFER_IN and transfer.returned).
//
// Every node keeps every transfer it learns of, from the entries of both
// owners' logs; each entry carries the whole transfer as its writer saw it,
// and a node takes from it only the facts its origin owns, so entries of
// the two logs may arrive in any order.

// TransferStatus is where a transfer stands.
type TransferStatus string

// The statuses of a transfer. RECEIVED and CANCELLED are final.
const (
	TransferInTransit       TransferStatus = "IN_TRANSIT"
	TransferCancelRequested TransferStatus = "CANCEL_REQUESTED"
	TransferReceived        TransferStatus = "RECEIVED"
	TransferCancelled       TransferStatus = "CANCELLED"
)

// TransferStatuses lists every status in a stable order.
var TransferStatuses = []TransferStatus{TransferInTransit, TransferCancelRequested, TransferReceived, TransferCancelled}

// Valid reports whether s is one of the statuses.
func (s TransferStatus) Valid() bool {
	for _, v := range TransferStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// The log entries of transfers; each carries the Transfer.
const (
	EntryTransferCreated         EntryType = "transfer.created"          // by the sender, with its TRANSFER_OUT
	EntryTransferCancelRequested EntryType = "transfer.cancel_requested" // by the sender
	EntryTransferReceived        EntryType = "transfer.received"         // by the receiver, with its TRANSFER_IN
	EntryTransferCancelled       EntryType = "transfer.cancelled"        // by the receiver
	EntryTransferReturned        EntryType = "transfer.returned"         // by the sender, with its TRANSFER_IN
)

// IsTransfer reports whether t is the type of a transfer entry.
func (t EntryType) IsTransfer() bool {
	switch t {
	case EntryTransferCreated, EntryTransferCancelRequested, EntryTransferReceived,
		EntryTransferCancelled, EntryTransferReturned:
		return true
	}
	return false
}

// Transfer is a transfer of Quantity units of SKU from warehouse From to
// warehouse To. Its movements carry its ID as their reference.
type Transfer struct {
	ID        string         `json:"id"`
	Status    TransferStatus `json:"status"`
	SKU       string         `json:"sku"`
	Quantity  int64          `json:"quantity"`
	From      string         `json:"from"`
	To        string         `json:"to"`
	Reference string         `json:"reference,omitempty"`
	Note      string         `json:"note,omitempty"`
	Actor     string         `json:"actor,omitempty"`
	// IdempotencyKey is the sender's key for transferStock, with
	// Fingerprint digesting the request it was used for.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	Fingerprint    string `json:"fingerprint,omitempty"`
	// Product is the sender's catalogue data of the sku (name,
	// description, price, reorder point), for a receiver that has none.
	Product *Product `json:"product,omitempty"`

	CreatedAt         time.Time  `json:"createdAt"`
	CancelRequestedAt *time.Time `json:"cancelRequestedAt,omitempty"`
	ReceivedAt        *time.Time `json:"receivedAt,omitempty"`
	CancelledAt       *time.Time `json:"cancelledAt,omitempty"`
	// ReturnedAt is when the sender took the stock of a cancelled
	// transfer back.
	ReturnedAt *time.Time `json:"returnedAt,omitempty"`
	// The movements the transfer caused: the sender's TRANSFER_OUT, the
	// receiver's TRANSFER_IN, and the sender's TRANSFER_IN that returned it.
	OutMovement    string `json:"outMovement,omitempty"`
	InMovement     string `json:"inMovement,omitempty"`
	ReturnMovement string `json:"returnMovement,omitempty"`
	// CancelRequestedBy is who asked for the sender's cancellation, and
	// CancelledBy who cancelled on the receiver: the steps the other side
	// then takes on its own (confirming, taking the units back) are done in
	// their name. Each node keeps them from the actors of the entries that
	// carried those facts; they are not part of a transfer entry, nor of
	// any reply.
	CancelRequestedBy string `json:"-" wire:"local"`
	CancelledBy       string `json:"-" wire:"local"`
}

// StatusOf returns the status the facts of t make: received or cancelled
// (only the receiver sets either, and never both), else cancel requested,
// else in transit.
func (t *Transfer) StatusOf() TransferStatus {
	switch {
	case t.ReceivedAt != nil:
		return TransferReceived
	case t.CancelledAt != nil:
		return TransferCancelled
	case t.CancelRequestedAt != nil:
		return TransferCancelRequested
	}
	return TransferInTransit
}

// InTransit returns the units of t on their way and the warehouse they go
// to: to the receiver until it decides, back to the sender once cancelled
// until the sender took them back; 0 once they arrived somewhere.
func (t *Transfer) InTransit() (warehouse string, quantity int64) {
	switch {
	case t.ReceivedAt != nil, t.ReturnedAt != nil:
		return "", 0
	case t.CancelledAt != nil:
		return t.From, t.Quantity
	}
	return t.To, t.Quantity
}

// TransferID returns the id of the transfer whose TRANSFER_OUT is the
// sender's change seq: "MAD-1:T42".
func TransferID(from string, seq int64) string {
	return from + ":T" + strconv.FormatInt(seq, 10)
}

// maxTransferIDLen bounds a transfer id: a warehouse id, ":T" and a seq.
const maxTransferIDLen = 64 + 2 + 19

// checkTransferID checks that id could name a transfer; one that names
// none is answered NOT_FOUND by the store, as any unknown transfer is.
func checkTransferID(id string) error {
	switch {
	case id == "":
		return invalid("id", "must not be empty")
	case len(id) > maxTransferIDLen:
		return invalid("id", "longer than %d characters", maxTransferIDLen)
	}
	return nil
}

// TransferInput is a request to send Quantity units of SKU from the local
// warehouse to warehouse To. With an idempotency key, a repeated request
// returns the transfer the first one made.
type TransferInput struct {
	SKU            string `json:"sku"`
	To             string `json:"to"`
	Quantity       int64  `json:"quantity"`
	Reference      string `json:"reference,omitempty"`
	Note           string `json:"note,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Normalize trims and validates the request in place.
func (in *TransferInput) Normalize() (err error) {
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	if in.To, err = NormalizeWarehouseID(in.To); err != nil {
		return invalid("to", "%q must be a warehouse id of 1 to 64 characters without spaces", in.To)
	}
	if err = checkQuantity("quantity", in.Quantity, 1, MaxQuantity); err != nil {
		return err
	}
	if in.Reference, err = text("reference", in.Reference, MaxReferenceLen, false); err != nil {
		return err
	}
	if in.Note, err = text("note", in.Note, MaxNoteLen, false); err != nil {
		return err
	}
	in.IdempotencyKey, err = text("idempotencyKey", in.IdempotencyKey, MaxKeyLen, false)
	return err
}

// TransferRef names a transfer by its id.
type TransferRef struct {
	ID string `json:"id"`
}

// Normalize trims and validates the id in place.
func (r *TransferRef) Normalize() error {
	r.ID = strings.TrimSpace(r.ID)
	return checkTransferID(r.ID)
}

// TransferIDs names up to MaxPageSize transfers by id.
type TransferIDs struct {
	IDs []string `json:"ids"`
}

// Normalize validates every id.
func (r *TransferIDs) Normalize() error {
	if len(r.IDs) > MaxPageSize {
		return invalid("ids", "%d ids, at most %d", len(r.IDs), MaxPageSize)
	}
	for _, id := range r.IDs {
		if err := checkTransferID(id); err != nil {
			return err
		}
	}
	return nil
}

// TransferQuery selects a page of transfers, newest first: those with
// Status ("" for any) from or to Warehouse ("" for any).
type TransferQuery struct {
	Status    TransferStatus `json:"status,omitempty"`
	Warehouse string         `json:"warehouse,omitempty"`
	First     int            `json:"first,omitempty"`
	After     string         `json:"after,omitempty"`
}

// Normalize validates the query in place, applying the default page size.
func (q *TransferQuery) Normalize() error {
	if q.Status != "" && !q.Status.Valid() {
		return invalid("status", "%q is not a transfer status", q.Status)
	}
	if err := normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	if q.After != "" {
		if _, _, err := DecodeTransferCursor(q.After); err != nil {
			return err
		}
	}
	return pageSize(&q.First)
}

// TransferPage is one page of transfers.
type TransferPage struct {
	Transfers []Transfer `json:"transfers"`
	HasNext   bool       `json:"hasNext"`
}

// Settled is the reply of OpTransferSettle: the transfers whose
// follow-up step it took.
type Settled struct {
	Transfers []Transfer `json:"transfers"`
}

// TransferCursor returns the opaque cursor of a transfer in a listing,
// ordered newest first.
func TransferCursor(t *Transfer) string {
	return base64.RawURLEncoding.EncodeToString(
		[]byte("t:" + strconv.FormatInt(t.CreatedAt.UnixNano(), 10) + ":" + t.ID))
}

// DecodeTransferCursor returns the creation time (Unix nanoseconds) and id
// a transfer cursor points at.
func DecodeTransferCursor(c string) (int64, string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	rest, ok := strings.CutPrefix(string(b), "t:")
	at, id, ok2 := strings.Cut(rest, ":")
	n, perr := strconv.ParseInt(at, 10, 64)
	if err != nil || !ok || !ok2 || perr != nil || id == "" {
		return 0, "", invalid("after", "not a transfer cursor")
	}
	return n, id, nil
}

// The operations of transfers.
var (
	OpTransferSend    = Op[TransferInput, Transfer]{"transfer.send", ClassWrite, auth.RoleOperator}
	OpTransferReceive = Op[TransferRef, Transfer]{"transfer.receive", ClassWrite, auth.RoleOperator}
	OpTransferCancel  = Op[TransferRef, Transfer]{"transfer.cancel", ClassWrite, auth.RoleOperator}
	OpTransferSettle  = Op[Empty, Settled]{"transfer.settle", ClassWrite, auth.RoleNode}
	OpTransferGet     = Op[TransferRef, Transfer]{"transfer.get", ClassLookup, auth.RoleViewer}
	OpTransferList    = Op[TransferQuery, TransferPage]{"transfer.list", ClassLookup, auth.RoleViewer}
	OpTransferGetMany = Op[TransferIDs, TransferPage]{"transfer.getMany", ClassLookup, auth.RoleViewer}
)
