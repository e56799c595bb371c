package rest

import (
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// sheetColumns is the header of a count sheet; POST
// /api/v1/stocktakes/{id}/counts reads sku and counted back (other columns
// are ignored).
var sheetColumns = []string{"sku", "snapshot", "counted", "expected", "variance", "countedBy"}

// registerStocktakes adds GET /api/v1/stocktakes/{id}.csv (the count
// sheet) and POST /api/v1/stocktakes/{id}/counts (counts in the same
// format, all or nothing).
func (h *Handler) registerStocktakes(mux *http.ServeMux, private Wrap) {
	mux.Handle("GET /api/v1/stocktakes/{file}", private("/api/v1/stocktakes/{id}.csv", http.HandlerFunc(h.stocktakeCSV)))
	mux.Handle("POST /api/v1/stocktakes/{id}/counts", private("/api/v1/stocktakes/{id}/counts", h.endpoint(h.importCounts)))
}

// stocktakeCSV answers GET /api/v1/stocktakes/{id}.csv: a line per sku,
// counted lines with their count, expected quantity and variance, the
// others left blank to fill in.
func (h *Handler) stocktakeCSV(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutSuffix(r.PathValue("file"), ".csv")
	if !ok {
		h.writeError(w, r, stock.Errorf(stock.CodeNotFound, "no such endpoint: a count sheet is /api/v1/stocktakes/ID.csv"))
		return
	}
	st, err := h.svc.Stocktake(r.Context(), id)
	cw := newCSV(w, "stocktake.csv", sheetColumns)
	for i := 0; err == nil && i < len(st.Lines); i++ {
		err = cw.row(sheetRecord(&st.Lines[i]))
	}
	h.finish(cw, r, err)
}

// sheetRecord returns a line as a row of the count sheet.
func sheetRecord(l *stock.StocktakeLine) []string {
	rec := []string{neutral(l.SKU), strconv.FormatInt(l.Snapshot, 10), "", "", "", ""}
	if l.Counted != nil {
		rec[2], rec[3] = strconv.FormatInt(*l.Counted, 10), strconv.FormatInt(*l.Expected, 10)
		rec[4], rec[5] = strconv.FormatInt(*l.Variance(), 10), neutral(*l.CountedBy)
	}
	return rec
}

// CountsResult is the JSON of an accepted counts import: the lines counted.
type CountsResult struct {
	Counted int `json:"counted"`
}

// importCounts answers POST /api/v1/stocktakes/{id}/counts: a CSV with a
// header naming sku and counted; rows with counted blank are skipped. Any
// bad row refuses the whole file, naming its line, and nothing is
// recorded; else every count is recorded in one write.
func (h *Handler) importCounts(r *http.Request) (any, error) {
	rows, err := readCounts(r.Body)
	if err != nil {
		return nil, err
	}
	lines, err := h.svc.RecordCounts(r.Context(), stock.CountsInput{Stocktake: r.PathValue("id"), Rows: rows})
	if err != nil {
		return nil, err
	}
	return CountsResult{Counted: len(lines)}, nil
}

// readCounts reads the rows of a counts file.
func readCounts(body io.Reader) ([]stock.CountRow, error) {
	c := csv.NewReader(body)
	c.FieldsPerRecord = -1
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, stock.Errorf(stock.CodeInvalidInput, "the file is empty: its first line names the columns sku and counted")
	}
	if err != nil {
		return nil, stock.Errorf(stock.CodeInvalidInput, "line 1: %v", err)
	}
	sku, counted := -1, -1
	for i, name := range header {
		switch strings.TrimSpace(strings.TrimPrefix(name, "\ufeff")) {
		case "sku":
			sku = i
		case "counted":
			counted = i
		}
	}
	if sku < 0 || counted < 0 {
		return nil, stock.Errorf(stock.CodeInvalidInput, "line 1: the header names no sku or no counted column")
	}
	var rows []stock.CountRow
	for line := 2; ; line++ {
		rec, err := c.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, stock.Errorf(stock.CodeInvalidInput, "line %d: %v", line, err)
		}
		if len(rec) <= max(sku, counted) {
			return nil, stock.Errorf(stock.CodeInvalidInput, "line %d: %d columns, the header has %d", line, len(rec), len(header))
		}
		if strings.TrimSpace(rec[counted]) == "" {
			continue // not counted yet
		}
		n, err := strconv.ParseInt(strings.TrimSpace(rec[counted]), 10, 64)
		if err != nil {
			return nil, stock.Errorf(stock.CodeInvalidInput, "line %d: counted %q is not a whole number", line, rec[counted])
		}
		rows = append(rows, stock.CountRow{Line: line, SKU: rec[sku], Counted: n})
	}
}
