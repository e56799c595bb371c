package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// appendWhere appends a movement's lot, expires_on, location and pack
// columns to fields: one value per piece, "|"-separated, for the first
// three; the pack as "3 box (36)".
func appendWhere(fields []string, m *stock.Movement) []string {
	var lot, exp, loc []string
	for _, l := range m.Lots {
		lot, exp, loc = append(lot, l.Code), append(exp, string(l.ExpiresOn)), append(loc, l.Location)
	}
	if m.Kind == stock.KindRelocation {
		loc = append(loc[:0:0], strings.Join(loc, "|")+">"+m.Location)
	} else if m.Lots == nil && m.Location != "" {
		loc = []string{m.Location}
	}
	pack := ""
	if m.Pack != "" {
		pack = stock.FormatPack(m.PackQuantity(), m.Pack, max(m.Quantity, -m.Quantity))
	}
	return append(fields, neutral(strings.Join(lot, "|")), strings.Join(exp, "|"), neutral(strings.Join(loc, "|")), neutral(pack))
}

// stockColumns is the header of stock.csv.
var stockColumns = []string{"warehouse", "sku", "unit", "lot", "expires_on", "location", "path", "quantity"}

// stockCSV answers GET /api/v1/stock.csv?warehouse=: one row per product,
// lot and location of a warehouse (the local one when omitted) with units,
// by sku, in FEFO order.
func (h *Handler) stockCSV(w http.ResponseWriter, r *http.Request) {
	cw := newCSV(w, "stock.csv", stockColumns)
	err := h.svc.ExportStock(r.Context(), r.URL.Query().Get("warehouse"), func(x *stock.StockRow) error {
		unit := (&stock.Product{Unit: x.Unit}).BaseUnit()
		return cw.row([]string{neutral(x.Warehouse), neutral(x.SKU), neutral(unit), neutral(x.Line.Code), string(x.Line.ExpiresOn),
			neutral(x.Line.Location), neutral(x.Path), strconv.FormatInt(x.Line.Quantity, 10)})
	})
	h.finish(cw, r, err)
}
