package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/server/replenish"
)

// Suggestion is a suggested transfer in the JSON of GET
// /api/v1/replenishment: what the GraphQL API shows of it, with the
// warehouses by id; the days of cover are null when nothing was sold.
type Suggestion struct {
	SKU             string           `json:"sku"`
	From            string           `json:"from"`
	To              string           `json:"to"`
	Quantity        int64            `json:"quantity"`
	Reason          replenish.Reason `json:"reason"`
	FromDaysOfCover *float64         `json:"fromDaysOfCover"`
	ToDaysOfCover   *float64         `json:"toDaysOfCover"`
}

// Replenishment is the JSON of GET /api/v1/replenishment.
type Replenishment struct {
	Suggestions []Suggestion `json:"suggestions"`
}

// replenishmentColumns is the header of the plan as CSV.
var replenishmentColumns = []string{"sku", "from", "to", "quantity", "reason", "fromDaysOfCover", "toDaysOfCover"}

// registerReplenishment adds GET /api/v1/replenishment to mux.
func (h *Handler) registerReplenishment(mux *http.ServeMux, private Wrap) {
	mux.Handle("GET /api/v1/replenishment", private("/api/v1/replenishment", http.HandlerFunc(h.replenishment)))
}

// replenishment serves GET /api/v1/replenishment?warehouse=&sku=: the
// replenishment plan, as JSON, or as CSV (text cells neutralised) when
// asked with format=csv or Accept: text/csv.
func (h *Handler) replenishment(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	plan, err := h.svc.ReplenishmentPlan(r.Context(), q.Get("warehouse"), q.Get("sku"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if q.Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv") {
		cw := newCSV(w, "replenishment.csv", replenishmentColumns)
		var err error
		for _, s := range plan {
			if err != nil {
				break
			}
			err = cw.row([]string{neutral(s.SKU), neutral(s.From), neutral(s.To), strconv.FormatInt(s.Quantity, 10),
				string(s.Reason), days(s.FromDaysOfCover), days(s.ToDaysOfCover)})
		}
		h.finish(cw, r, err)
		return
	}
	out := Replenishment{Suggestions: make([]Suggestion, len(plan))}
	for i, s := range plan {
		out.Suggestions[i] = Suggestion{SKU: s.SKU, From: s.From, To: s.To, Quantity: s.Quantity, Reason: s.Reason,
			FromDaysOfCover: s.FromDaysOfCover, ToDaysOfCover: s.ToDaysOfCover}
	}
	writeJSON(w, http.StatusOK, out)
}

// days formats days of cover for CSV: one decimal, "" when nothing sold.
func days(d *float64) string {
	if d == nil {
		return ""
	}
	return strconv.FormatFloat(*d, 'f', 1, 64)
}
