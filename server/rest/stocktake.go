package rest

import (
	"encoding/csv"
	"errors"
	"fmt"
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
	mux.Handle("POST /api/v1/stocktakes/{id}/counts", private("/api/v1/stocktakes/{id}/counts", http.HandlerFunc(h.importCounts)))
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

// importCounts answers POST /api/v1/stocktakes/{id}/counts: a CSV with
// a header naming sku and counted (other columns ignored, blank counts
// skipped), answered as the product import is: every bad line (400, with
// the lines) refuses the whole file and nothing is recorded; else every
// count is recorded in one write.
func (h *Handler) importCounts(w http.ResponseWriter, r *http.Request) {
	rows, bad, err := readCounts(r.Body)
	if err == nil && len(bad) == 0 {
		var lines []stock.StocktakeLine
		if lines, err = h.svc.RecordCounts(r.Context(), stock.CountsInput{Stocktake: r.PathValue("id"), Rows: rows}); err == nil {
			writeJSON(w, http.StatusOK, CountsResult{Counted: len(lines)})
			return
		}
		if l, ok := lineOf(err); ok && stock.CodeOf(err) != stock.CodeInternal {
			bad = []stock.LineError{l}
		}
	}
	if len(bad) > 0 {
		writeJSON(w, http.StatusBadRequest, ImportErrorBody{Error: stock.Error{Code: stock.CodeInvalidInput,
			Message: fmt.Sprintf("%d lines are invalid, no count was recorded", len(bad))}, Lines: bad})
		return
	}
	h.writeError(w, r, err)
}

// lineOf returns the line a refusal of the writer names ("line 7: ...").
func lineOf(err error) (stock.LineError, bool) {
	msg := stock.Message(err)
	rest, ok := strings.CutPrefix(msg, "line ")
	n, tail, ok2 := strings.Cut(rest, ": ")
	line, perr := strconv.Atoi(n)
	if !ok || !ok2 || perr != nil {
		return stock.LineError{}, false
	}
	return stock.LineError{Line: line, Message: tail}, true
}

// readCounts reads the rows of a counts file, and the lines that are not
// counts.
func readCounts(body io.Reader) ([]stock.CountRow, []stock.LineError, error) {
	c := csv.NewReader(body)
	c.FieldsPerRecord = -1
	header, err := c.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, stock.Errorf(stock.CodeInvalidInput, "the file is empty: its first line names the columns sku and counted")
	}
	if err != nil {
		return nil, nil, stock.Errorf(stock.CodeInvalidInput, "line 1: %v", err)
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
		return nil, nil, stock.Errorf(stock.CodeInvalidInput, "line 1: the header names no sku or no counted column")
	}
	var rows []stock.CountRow
	var bad []stock.LineError
	for line := 2; ; line++ {
		rec, err := c.Read()
		switch {
		case errors.Is(err, io.EOF):
			return rows, bad, nil
		case err != nil:
			return nil, nil, stock.Errorf(stock.CodeInvalidInput, "line %d: %v", line, err)
		case len(rec) <= max(sku, counted):
			bad = append(bad, stock.LineError{Line: line, Message: fmt.Sprintf("%d columns, the header has %d", len(rec), len(header))})
			continue
		case strings.TrimSpace(rec[counted]) == "":
			continue // not counted yet
		}
		n, err := strconv.ParseInt(strings.TrimSpace(rec[counted]), 10, 64)
		if err != nil {
			bad = append(bad, stock.LineError{Line: line, Message: fmt.Sprintf("counted %q is not a whole number", rec[counted])})
			continue
		}
		rows = append(rows, stock.CountRow{Line: line, SKU: rec[sku], Counted: n})
	}
}
