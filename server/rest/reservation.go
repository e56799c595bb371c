package rest

import (
	"net/http"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Reservation is a reservation in the JSON of GET /api/v1/reservations:
// what the GraphQL API shows of it, with the warehouse by id.
type Reservation struct {
	ID        string                  `json:"id"`
	Warehouse string                  `json:"warehouse"`
	SKU       string                  `json:"sku"`
	Quantity  int64                   `json:"quantity"`
	Fulfilled int64                   `json:"fulfilled"`
	Reference string                  `json:"reference,omitempty"`
	Status    stock.ReservationStatus `json:"status"`
	CreatedAt time.Time               `json:"createdAt"`
	ExpiresAt *time.Time              `json:"expiresAt,omitempty"`
	EndedAt   *time.Time              `json:"endedAt,omitempty"`
	Sale      string                  `json:"sale,omitempty"`
	AtRisk    bool                    `json:"atRisk"`
}

// Reservations is the JSON of GET /api/v1/reservations.
type Reservations struct {
	Reservations []Reservation `json:"reservations"`
	Page         Page          `json:"pageInfo"`
}

// registerReservations adds GET /api/v1/reservations to mux.
func (h *Handler) registerReservations(mux *http.ServeMux, private Wrap) {
	mux.Handle("GET /api/v1/reservations", private("/api/v1/reservations", h.endpoint(h.reservations)))
}

// reservations serves GET /api/v1/reservations?status=&sku=&warehouse=&first=&after=:
// the reservations the node holds, newest first, those the stock no longer
// covers marked atRisk.
func (h *Handler) reservations(r *http.Request) (any, error) {
	q := r.URL.Query()
	rq := stock.ReservationQuery{Status: stock.ReservationStatus(q.Get("status")), SKU: q.Get("sku"),
		Warehouse: q.Get("warehouse"), After: q.Get("after")}
	var err error
	if rq.First, err = pageParam(q.Get("first")); err != nil {
		return nil, err
	}
	page, err := h.svc.Reservations(r.Context(), rq)
	if err != nil {
		return nil, err
	}
	out := Reservations{Reservations: make([]Reservation, len(page.Reservations)), Page: Page{HasNextPage: page.HasNext}}
	for i, x := range page.Reservations {
		out.Reservations[i] = Reservation{ID: x.ID, Warehouse: x.Warehouse, SKU: x.SKU, Quantity: x.Quantity,
			Fulfilled: x.Fulfilled, Reference: x.Reference, Status: x.Status, CreatedAt: x.CreatedAt,
			ExpiresAt: x.ExpiresAt, EndedAt: x.EndedAt, Sale: x.Sale, AtRisk: x.AtRisk}
	}
	if n := len(page.Reservations); n > 0 {
		out.Page.EndCursor = stock.ReservationCursor(&page.Reservations[n-1])
	}
	return out, nil
}
