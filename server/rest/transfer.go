package rest

import (
	"net/http"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Transfer is a transfer in the JSON of GET /api/v1/transfers: what the
// GraphQL API shows of it, with the warehouses by id.
type Transfer struct {
	ID          string               `json:"id"`
	Status      stock.TransferStatus `json:"status"`
	SKU         string               `json:"sku"`
	Quantity    int64                `json:"quantity"`
	From        string               `json:"from"`
	To          string               `json:"to"`
	Reference   string               `json:"reference,omitempty"`
	Note        string               `json:"note,omitempty"`
	CreatedAt   time.Time            `json:"createdAt"`
	ReceivedAt  *time.Time           `json:"receivedAt,omitempty"`
	CancelledAt *time.Time           `json:"cancelledAt,omitempty"`
}

// Transfers is the JSON of GET /api/v1/transfers.
type Transfers struct {
	Transfers []Transfer `json:"transfers"`
	Page      Page       `json:"pageInfo"`
}

// transfers serves GET /api/v1/transfers?status=&warehouse=&first=&after=:
// the transfers the node knows, newest first.
func (h *Handler) transfers(r *http.Request) (any, error) {
	q := r.URL.Query()
	tq := stock.TransferQuery{Status: stock.TransferStatus(q.Get("status")), Warehouse: q.Get("warehouse"), After: q.Get("after")}
	var err error
	if tq.First, err = pageParam(q.Get("first")); err != nil {
		return nil, err
	}
	page, err := h.svc.Transfers(r.Context(), tq)
	if err != nil {
		return nil, err
	}
	out := Transfers{Transfers: make([]Transfer, len(page.Transfers)), Page: Page{HasNextPage: page.HasNext}}
	for i, t := range page.Transfers {
		out.Transfers[i] = Transfer{ID: t.ID, Status: t.Status, SKU: t.SKU, Quantity: t.Quantity, From: t.From, To: t.To,
			Reference: t.Reference, Note: t.Note, CreatedAt: t.CreatedAt, ReceivedAt: t.ReceivedAt, CancelledAt: t.CancelledAt}
	}
	if n := len(page.Transfers); n > 0 {
		out.Page.EndCursor = stock.TransferCursor(&page.Transfers[n-1])
	}
	return out, nil
}
