package stock

import (
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// A transfer request asks another warehouse for stock: the warehouse that
// needs it (To, the requester) asks the one that has it (From, the source),
// and the source decides, as the receiver decides a transfer (see
// Transfer). It is a saga between the two nodes; each step is an entry of
// the log of the warehouse that owns the fact, written by its own node
// and carried to the other by replication:
//
//   - The requester records the request (transfer_request.created).
//   - The source decides, once: it accepts (transfer_request.accepted,
//     written in the same transaction as the transfer it sends, whose
//     Reference is the request's id, with its TRANSFER_OUT), or it declines
//     (transfer_request.declined, with a reason). Deciding again returns
//     the request as it is: accepting twice never sends two transfers.
//   - The requester may cancel while the request is OPEN as it sees it
//     (transfer_request.cancelled).
//
// Status follows from the facts of both logs, so every node converges: a
// decision of the source wins over a cancellation. A cancel that races an
// acceptance (each node writing before it saw the other's entry) therefore
// ends ACCEPTED everywhere, with the transfer on its way; the requester,
// its receiver, may then cancel that transfer (cancelTransfer). A source
// that has seen the cancellation refuses to decide.
//
// Every node keeps every request it learns of; each entry carries the
// whole request as its writer saw it, and a node takes from it only the
// facts its origin owns.

// TransferRequestStatus is where a transfer request stands.
type TransferRequestStatus string

// The statuses of a transfer request; all but OPEN are final, except that
// a CANCELLED request becomes ACCEPTED or DECLINED when the source decided
// before it saw the cancellation.
const (
	RequestOpen      TransferRequestStatus = "OPEN"
	RequestAccepted  TransferRequestStatus = "ACCEPTED"
	RequestDeclined  TransferRequestStatus = "DECLINED"
	RequestCancelled TransferRequestStatus = "CANCELLED"
)

// Valid reports whether s is a status of a transfer request.
func (s TransferRequestStatus) Valid() bool {
	switch s {
	case RequestOpen, RequestAccepted, RequestDeclined, RequestCancelled:
		return true
	}
	return false
}

// The log entries of transfer requests; each carries the TransferRequest.
const (
	EntryRequestCreated   EntryType = "transfer_request.created"   // by the requester
	EntryRequestCancelled EntryType = "transfer_request.cancelled" // by the requester
	EntryRequestAccepted  EntryType = "transfer_request.accepted"  // by the source, with the transfer it sends
	EntryRequestDeclined  EntryType = "transfer_request.declined"  // by the source
)

// IsTransferRequest reports whether t is the type of a transfer request
// entry.
func (t EntryType) IsTransferRequest() bool {
	switch t {
	case EntryRequestCreated, EntryRequestCancelled, EntryRequestAccepted, EntryRequestDeclined:
		return true
	}
	return false
}

// TransferRequest is a request by warehouse To for Quantity units of SKU
// from warehouse From.
type TransferRequest struct {
	ID       string                `json:"id"`
	Status   TransferRequestStatus `json:"status"`
	SKU      string                `json:"sku"`
	Quantity int64                 `json:"quantity"`
	From     string                `json:"from"`
	To       string                `json:"to"`
	Note     string                `json:"note,omitempty"`
	Actor    string                `json:"actor,omitempty"`
	// IdempotencyKey is the requester's key for requestTransfer.
	IdempotencyKey string    `json:"idempotencyKey,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	// CancelledAt is the requester's fact; AcceptedAt or DeclinedAt the
	// source's, with the decline's Reason or the transfer it sent.
	CancelledAt *time.Time `json:"cancelledAt,omitempty"`
	AcceptedAt  *time.Time `json:"acceptedAt,omitempty"`
	DeclinedAt  *time.Time `json:"declinedAt,omitempty"`
	Reason      string     `json:"reason,omitempty"`
	Transfer    string     `json:"transfer,omitempty"`
}

// StatusOf returns the status the facts of r make: the source's decision,
// else the requester's cancellation, else OPEN.
func (r *TransferRequest) StatusOf() TransferRequestStatus {
	switch {
	case r.AcceptedAt != nil:
		return RequestAccepted
	case r.DeclinedAt != nil:
		return RequestDeclined
	case r.CancelledAt != nil:
		return RequestCancelled
	}
	return RequestOpen
}

// DecidedAt returns when the request stopped being OPEN: the source's
// decision, else the cancellation; nil while OPEN.
func (r *TransferRequest) DecidedAt() *time.Time {
	switch {
	case r.AcceptedAt != nil:
		return r.AcceptedAt
	case r.DeclinedAt != nil:
		return r.DeclinedAt
	}
	return r.CancelledAt
}

// TransferRequestID returns the id of the request its requester created
// at seq: "MAD-1:Q42".
func TransferRequestID(requester string, seq int64) string {
	return requester + ":Q" + strconv.FormatInt(seq, 10)
}

// RequestTransferInput is requestTransfer's input: Quantity units of SKU
// asked of warehouse From by the local warehouse.
type RequestTransferInput struct {
	SKU            string `json:"sku"`
	From           string `json:"from"`
	Quantity       int64  `json:"quantity"`
	Note           string `json:"note,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Normalize trims and validates the request in place.
func (in *RequestTransferInput) Normalize() (err error) {
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	if in.From, err = NormalizeWarehouseID(in.From); err != nil {
		return invalid("from", "%q must be a warehouse id of 1 to 64 characters without spaces", in.From)
	}
	if err = checkQuantity("quantity", in.Quantity, 1, MaxQuantity); err != nil {
		return err
	}
	if in.Note, err = text("note", in.Note, MaxNoteLen, false); err != nil {
		return err
	}
	in.IdempotencyKey, err = text("idempotencyKey", in.IdempotencyKey, MaxKeyLen, false)
	return err
}

// RequestDecision is a decision on a transfer request: accepting Quantity
// units (nil: all it asks for), declining with Reason, or cancelling.
type RequestDecision struct {
	ID       string `json:"id"`
	Quantity *int64 `json:"quantity,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Normalize trims and validates the decision in place.
func (d *RequestDecision) Normalize() (err error) {
	d.ID = strings.TrimSpace(d.ID)
	if err = checkRequestID(d.ID); err != nil {
		return err
	}
	if d.Quantity != nil {
		if err = checkQuantity("quantity", *d.Quantity, 1, MaxQuantity); err != nil {
			return err
		}
	}
	d.Reason, err = text("reason", d.Reason, MaxNoteLen, false)
	return err
}

// checkRequestID checks that id names a transfer request: WAREHOUSE:Q<seq>.
func checkRequestID(id string) error {
	i := strings.LastIndex(id, ":Q")
	if i <= 0 || checkEntryID("id", id[:i]) != nil {
		return invalid("id", "%.80q is not a transfer request id such as MAD-1:Q42", id)
	}
	if _, ok := seqAfter(id, id[:i]+":Q"); !ok {
		return invalid("id", "%.80q is not a transfer request id such as MAD-1:Q42", id)
	}
	return nil
}

// TransferRequestQuery selects a page of the requests this node holds,
// newest first: of one status, and to or from one warehouse ("": any).
type TransferRequestQuery struct {
	Status    TransferRequestStatus `json:"status,omitempty"`
	Warehouse string                `json:"warehouse,omitempty"`
	First     int                   `json:"first,omitempty"`
	After     string                `json:"after,omitempty"`
}

// Normalize validates the query in place.
func (q *TransferRequestQuery) Normalize() error {
	if q.Status != "" && !q.Status.Valid() {
		return invalid("status", "%q is not a transfer request status", q.Status)
	}
	if err := normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	if q.After != "" {
		if _, _, err := DecodeRequestCursor(q.After); err != nil {
			return err
		}
	}
	return pageSize(&q.First)
}

// RequestCursor returns the opaque cursor of r in a listing.
func RequestCursor(r *TransferRequest) string { return createdCursor("q", r.CreatedAt, r.ID) }

// DecodeRequestCursor returns the creation time (Unix nanoseconds) and id
// a request cursor points at.
func DecodeRequestCursor(c string) (int64, string, error) {
	return decodeCreatedCursor(c, "q", "transfer request")
}

// TransferRequestPage is one page of transfer requests.
type TransferRequestPage struct {
	Requests []TransferRequest `json:"requests"`
	HasNext  bool              `json:"hasNext"`
}

// The operations of transfer requests.
var (
	OpRequestCreate  = Op[RequestTransferInput, TransferRequest]{"request.create", ClassWrite, auth.RoleOperator}
	OpRequestAccept  = Op[RequestDecision, TransferRequest]{"request.accept", ClassWrite, auth.RoleOperator}
	OpRequestDecline = Op[RequestDecision, TransferRequest]{"request.decline", ClassWrite, auth.RoleOperator}
	OpRequestCancel  = Op[RequestDecision, TransferRequest]{"request.cancel", ClassWrite, auth.RoleOperator}
	OpRequestGet     = Op[RequestDecision, TransferRequest]{"request.get", ClassLookup, auth.RoleViewer}
	OpRequestList    = Op[TransferRequestQuery, TransferRequestPage]{"request.list", ClassLookup, auth.RoleViewer}
)

func init() {
	Ops = append(Ops, info(OpRequestCreate), info(OpRequestAccept), info(OpRequestDecline),
		info(OpRequestCancel), info(OpRequestGet), info(OpRequestList))
}

// bySource reports whether the source of a request writes its entries of
// type t (accepted, declined); the requester writes the others.
func bySource(t EntryType) bool { return t == EntryRequestAccepted || t == EntryRequestDeclined }

// checkTransferRequest checks a request entry's request: written by the
// side that owns the entry's type, with the fact that type records and
// the status its facts make; the API's rules for sku, quantity and text.
func (e *LogEntry) checkTransferRequest() error {
	r := e.TransferRequest
	n, idOK := seqAfter(r.ID, r.To+":Q")
	switch {
	case bySource(e.Type) != (e.Origin == r.From) || (!bySource(e.Type) && e.Origin != r.To):
		return InvalidEntry(e, "request.from", "a %s entry is written by the request's %s", e.Type,
			map[bool]string{true: "source", false: "requester"}[bySource(e.Type)])
	case r.From == r.To:
		return InvalidEntry(e, "request.to", "a request asks another warehouse")
	case !idOK || (e.Type == EntryRequestCreated && n != e.Seq):
		return InvalidEntry(e, "request.id", "%.80q is not the id of a request of %s its entry makes", r.ID, r.To)
	case r.Status != r.StatusOf():
		return InvalidEntry(e, "request.status", "%.40q is not the status its facts make", r.Status)
	case e.Type == EntryRequestCancelled && r.CancelledAt == nil,
		e.Type == EntryRequestAccepted && (r.AcceptedAt == nil || r.Transfer == ""),
		e.Type == EntryRequestDeclined && r.DeclinedAt == nil:
		return InvalidEntry(e, "request", "a %s entry carries its fact", e.Type)
	case r.AcceptedAt != nil && r.DeclinedAt != nil:
		return InvalidEntry(e, "request", "is never both accepted and declined")
	}
	err := exactSKU(r.SKU)
	if err == nil {
		err = checkQuantity("quantity", r.Quantity, 1, MaxQuantity)
	}
	if err == nil {
		err = exactText("note", r.Note, MaxNoteLen, false)
	}
	if err == nil {
		err = exactText("reason", r.Reason, MaxNoteLen, false)
	}
	if err == nil {
		err = exactText("idempotencyKey", r.IdempotencyKey, MaxKeyLen, false)
	}
	if err == nil && r.Transfer != "" {
		err = checkTransferID(r.Transfer)
	}
	if err == nil {
		err = checkTime("createdAt", r.CreatedAt)
	}
	return asEntryError(e, "request", err)
}
