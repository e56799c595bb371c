package stock

import (
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// A reservation holds units of one sku of the local warehouse for an
// order until it ships (fulfilled: a SALE recorded against it), is
// released, or expires. Reservations are rows, never a counter kept beside
// the quantity: the units a product holds for orders are the sum of its
// ACTIVE reservations, so available stock cannot drift from them. They
// are promises, not locks on the shelf: a change that leaves the stock
// below what is reserved (an adjustment, a count) is allowed, and the
// reservations no longer covered are at risk; deleting the product
// releases them. Only a SALE not made
// against a reservation, and a transfer, are refused what others hold.
//
// The owning warehouse writes them: every change is a log entry carrying
// the reservation as it is after the change, replicated like a movement.

// ReservationStatus is where a reservation stands.
type ReservationStatus string

// The statuses of a reservation. All but ACTIVE are final.
const (
	ReservationActive    ReservationStatus = "ACTIVE"
	ReservationFulfilled ReservationStatus = "FULFILLED"
	ReservationReleased  ReservationStatus = "RELEASED"
	ReservationExpired   ReservationStatus = "EXPIRED"
)

// ReservationStatuses lists every status in a stable order.
var ReservationStatuses = []ReservationStatus{ReservationActive, ReservationFulfilled, ReservationReleased, ReservationExpired}

// Valid reports whether s is one of the statuses.
func (s ReservationStatus) Valid() bool {
	for _, v := range ReservationStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// The log entries of reservations; each carries the Reservation after the
// change.
const (
	EntryReservationCreated   EntryType = "reservation.created"
	EntryReservationReleased  EntryType = "reservation.released"
	EntryReservationFulfilled EntryType = "reservation.fulfilled" // after the SALE it records
	EntryReservationExpired   EntryType = "reservation.expired"
)

// IsReservation reports whether t is the type of a reservation entry.
func (t EntryType) IsReservation() bool {
	switch t {
	case EntryReservationCreated, EntryReservationReleased, EntryReservationFulfilled, EntryReservationExpired:
		return true
	}
	return false
}

// reservationStatusOf is the status each reservation entry type leaves.
var reservationStatusOf = map[EntryType]ReservationStatus{
	EntryReservationCreated: ReservationActive, EntryReservationReleased: ReservationReleased,
	EntryReservationFulfilled: ReservationFulfilled, EntryReservationExpired: ReservationExpired,
}

// Reservation is Quantity units of SKU held in Warehouse for an order.
type Reservation struct {
	ID        string            `json:"id"`
	Warehouse string            `json:"warehouse"`
	SKU       string            `json:"sku"`
	Quantity  int64             `json:"quantity"`
	Fulfilled int64             `json:"fulfilled"`
	Reference string            `json:"reference,omitempty"`
	Status    ReservationStatus `json:"status"`
	CreatedAt time.Time         `json:"createdAt"`
	ExpiresAt *time.Time        `json:"expiresAt,omitempty"`
	// EndedAt is when it was fulfilled, released or expired.
	EndedAt *time.Time `json:"endedAt,omitempty"`
	// Sale is the id of the SALE that fulfilled it.
	Sale string `json:"sale,omitempty"`
	// IdempotencyKey is the key reserveStock was sent with, as stored.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
	// Balance and Reserved are the product's stock and the units its
	// active reservations held right after the change an entry records,
	// so that a subscriber sees available stock change.
	Balance  int64 `json:"balance"`
	Reserved int64 `json:"reserved"`
	// AtRisk reports, in a listing, an active reservation the stock no
	// longer covers: the product's stock is below what its reservations
	// made before and including this one hold. Never in a log entry.
	AtRisk bool `json:"atRisk,omitempty"`
}

// ReservationID returns the id of the reservation created by the change
// seq of warehouse: "MAD-1:R42".
func ReservationID(warehouse string, seq int64) string {
	return warehouse + ":R" + strconv.FormatInt(seq, 10)
}

// maxReservationIDLen bounds a reservation id: a warehouse id, ":R" and a seq.
const maxReservationIDLen = MaxWarehouseIDLen + 2 + 19

// MaxExpiresIn is the longest a reservation may be made to last: a year.
const MaxExpiresIn = 366 * 24 * 3600

// ReserveStockInput is a request to hold Quantity units of SKU of the
// local warehouse, for ExpiresIn seconds (nil: until released or
// fulfilled). With an idempotency key, a repeated request returns the
// reservation the first one made.
type ReserveStockInput struct {
	SKU            string `json:"sku"`
	Quantity       int64  `json:"quantity"`
	Reference      string `json:"reference,omitempty"`
	ExpiresIn      *int64 `json:"expiresIn,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Normalize trims and validates the request in place.
func (in *ReserveStockInput) Normalize() (err error) {
	if in.SKU, err = NormalizeSKU(in.SKU); err != nil {
		return err
	}
	if err = checkQuantity("quantity", in.Quantity, 1, MaxQuantity); err != nil {
		return err
	}
	if in.ExpiresIn != nil {
		if err = checkQuantity("expiresIn", *in.ExpiresIn, 1, MaxExpiresIn); err != nil {
			return err
		}
	}
	if in.Reference, err = text("reference", in.Reference, MaxReferenceLen, false); err != nil {
		return err
	}
	in.IdempotencyKey, err = text("idempotencyKey", in.IdempotencyKey, MaxKeyLen, false)
	return err
}

// ReservationRef names a reservation by its id.
type ReservationRef struct {
	ID string `json:"id"`
}

// Normalize trims and validates the id in place.
func (r *ReservationRef) Normalize() error {
	r.ID = strings.TrimSpace(r.ID)
	return checkReservationID(r.ID)
}

// checkReservationID checks that id could name a reservation; one that
// names none is answered NOT_FOUND by the store.
func checkReservationID(id string) error {
	switch {
	case id == "":
		return invalid("id", "must not be empty")
	case len(id) > maxReservationIDLen:
		return invalid("id", "longer than %d characters", maxReservationIDLen)
	}
	return checkUTF8("id", id)
}

// FulfilInput fulfils reservation ID: a SALE of Quantity units (nil: all
// it holds) recorded against it, the rest released, in one write.
type FulfilInput struct {
	ID       string `json:"id"`
	Quantity *int64 `json:"quantity,omitempty"`
}

// Normalize trims and validates the request in place.
func (in *FulfilInput) Normalize() error {
	in.ID = strings.TrimSpace(in.ID)
	if err := checkReservationID(in.ID); err != nil {
		return err
	}
	if in.Quantity != nil {
		return checkQuantity("quantity", *in.Quantity, 1, MaxQuantity)
	}
	return nil
}

// ReservationQuery selects a page of reservations, newest first: those with
// Status ("" for any), of SKU ("" for any), of Warehouse ("" for every
// warehouse the node holds).
type ReservationQuery struct {
	Status    ReservationStatus `json:"status,omitempty"`
	SKU       string            `json:"sku,omitempty"`
	Warehouse string            `json:"warehouse,omitempty"`
	First     int               `json:"first,omitempty"`
	After     string            `json:"after,omitempty"`
}

// Normalize validates the query in place, applying the default page size.
func (q *ReservationQuery) Normalize() (err error) {
	if q.Status != "" && !q.Status.Valid() {
		return invalid("status", "%q is not a reservation status", q.Status)
	}
	if q.SKU != "" {
		if q.SKU, err = NormalizeSKU(q.SKU); err != nil {
			return err
		}
	}
	if err = normalizeWarehouse(&q.Warehouse); err != nil {
		return err
	}
	if q.After != "" {
		if _, _, err := DecodeReservationCursor(q.After); err != nil {
			return err
		}
	}
	return pageSize(&q.First)
}

// ReservationPage is one page of reservations.
type ReservationPage struct {
	Reservations []Reservation `json:"reservations"`
	HasNext      bool          `json:"hasNext"`
}

// ExpireRequest asks the writer to expire the local warehouse's active
// reservations whose time is up, at most Limit of them (0: 500).
type ExpireRequest struct {
	Limit int `json:"limit,omitempty"`
}

// Normalize applies the default limit.
func (r *ExpireRequest) Normalize() error {
	return pageSize(&r.Limit)
}

// Expired is the reply of OpReservationExpire: the reservations it
// expired, and when the next active one expires (nil: none will).
type Expired struct {
	Reservations []Reservation `json:"reservations"`
	Next         *time.Time    `json:"next,omitempty"`
}

// ReservationCursor returns the opaque cursor of a reservation in a
// listing, ordered newest first.
func ReservationCursor(r *Reservation) string { return createdCursor("r", r.CreatedAt, r.ID) }

// DecodeReservationCursor returns the creation time (Unix nanoseconds) and
// id a reservation cursor points at.
func DecodeReservationCursor(c string) (int64, string, error) {
	return decodeCreatedCursor(c, "r", "reservation")
}

// Held returns the units an active reservation holds: its quantity; 0 once
// it ended.
func (r *Reservation) Held() int64 {
	if r.Status == ReservationActive {
		return r.Quantity
	}
	return 0
}

// Available returns the units of a stock of quantity not held by
// reservations holding reserved: never negative.
func Available(quantity, reserved int64) int64 {
	return max(0, quantity-reserved)
}

// OverReserved returns how many reserved units a stock of quantity no
// longer covers: 0 when it covers them all.
func OverReserved(quantity, reserved int64) int64 {
	return max(0, reserved-quantity)
}

// Unreserved returns the INSUFFICIENT_STOCK error of a request for
// requested units of sku that only the units others hold would cover
// (its stock is quantity, reserved of them held), or nil when the
// available units cover it.
func Unreserved(sku string, quantity, reserved, requested int64) error {
	available := Available(quantity, reserved)
	if requested <= available {
		return nil
	}
	e := Errorf(CodeInsufficientStock, "not enough available stock of %s: %d in stock, %d reserved for orders, %d available, %d requested",
		sku, quantity, reserved, available, requested)
	e.Shortfall = &Shortfall{SKU: sku, InStock: quantity, Requested: requested, Reserved: reserved, Available: available}
	return e
}

// The operations of reservations.
var (
	OpReservationReserve = Op[ReserveStockInput, Reservation]{"reservation.reserve", ClassWrite, auth.RoleOperator}
	OpReservationRelease = Op[ReservationRef, Reservation]{"reservation.release", ClassWrite, auth.RoleOperator}
	OpReservationFulfil  = Op[FulfilInput, Reservation]{"reservation.fulfil", ClassWrite, auth.RoleOperator}
	OpReservationExpire  = Op[ExpireRequest, Expired]{"reservation.expire", ClassWrite, auth.RoleNode}
	OpReservationGet     = Op[ReservationRef, Reservation]{"reservation.get", ClassLookup, auth.RoleViewer}
	OpReservationList    = Op[ReservationQuery, ReservationPage]{"reservation.list", ClassLookup, auth.RoleViewer}
)
