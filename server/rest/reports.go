package rest

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// registerReports adds the CSV reports: GET /api/v1/reports/movements.csv
// (the movements the listing's filters select, newest first) and GET
// /api/v1/reports/summary.csv?groupBy=WAREHOUSE,MONTH&timeZone=… (a
// movement report with the same filters). Both are RFC 4180 (CRLF, quotes
// doubled), UTF-8 with a header row, written row by row as the node reads
// them, so that memory stays flat whatever their size.
func (h *Handler) registerReports(mux *http.ServeMux, private Wrap) {
	mux.Handle("GET /api/v1/reports/movements.csv", private("/api/v1/reports/movements.csv", http.HandlerFunc(h.movementsCSV)))
	mux.Handle("GET /api/v1/reports/summary.csv", private("/api/v1/reports/summary.csv", http.HandlerFunc(h.summaryCSV)))
	mux.Handle("GET /api/v1/stock.csv", private("/api/v1/stock.csv", http.HandlerFunc(h.stockCSV)))
}

// movementColumns is the header of movements.csv.
// lot, expires_on and location are the movement's lots ("|"-separated, one
// per piece, in the same order; empty for no lot or unplaced), and pack
// its pack as "3 box (36)" (empty when given in base units).
var movementColumns = []string{"id", "warehouse", "seq", "sku", "kind", "quantity", "balance", "reference", "note", "actor", "createdAt",
	"lot", "expires_on", "location", "pack"}

// csvWriter writes a CSV response, starting it (status, headers and the
// header row) with its first row, so that an error before any row is
// still answered as a REST error.
type csvWriter struct {
	w       http.ResponseWriter
	c       *csv.Writer
	name    string
	header  []string
	started bool
	rows    int
}

// newCSV returns a writer of a CSV attachment called name.
func newCSV(w http.ResponseWriter, name string, header []string) *csvWriter {
	c := csv.NewWriter(w)
	c.UseCRLF = true
	return &csvWriter{w: w, c: c, name: name, header: header}
}

// start writes the status, headers and header row once.
func (cw *csvWriter) start() error {
	if cw.started {
		return nil
	}
	cw.started = true
	cw.w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	cw.w.Header().Set("Content-Disposition", `attachment; filename="`+cw.name+`"`)
	cw.w.WriteHeader(http.StatusOK)
	return cw.c.Write(cw.header)
}

// row writes one row, flushing every 1024 rows.
func (cw *csvWriter) row(fields []string) error {
	if err := cw.start(); err != nil {
		return err
	}
	if err := cw.c.Write(fields); err != nil {
		return err
	}
	if cw.rows++; cw.rows%1024 == 0 {
		cw.c.Flush()
		return cw.c.Error()
	}
	return nil
}

// finish ends the response: a REST error when err came before any row,
// else the rest of the CSV; an error after the first row aborts the
// response, so the client sees it cut rather than a short file that looks
// whole.
func (h *Handler) finish(cw *csvWriter, r *http.Request, err error) {
	if err != nil && !cw.started {
		h.writeError(cw.w, r, err)
		return
	}
	if err == nil {
		err = cw.start()
	}
	cw.c.Flush()
	if err == nil {
		err = cw.c.Error()
	}
	if err != nil {
		h.log.WarnContext(r.Context(), "csv report cut short", "path", r.URL.Path, "rows", cw.rows, "err", err)
		panic(http.ErrAbortHandler)
	}
}

// movementsCSV answers GET /api/v1/reports/movements.csv.
func (h *Handler) movementsCSV(w http.ResponseWriter, r *http.Request) {
	q, err := movementQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cw := newCSV(w, "movements.csv", movementColumns)
	fields := make([]string, len(movementColumns))
	err = h.svc.ExportMovements(r.Context(), stock.ExportQuery{Filter: q.Filter, After: q.After}, func(m *stock.Movement) error {
		fields = append(fields[:0], neutral(m.ID), neutral(m.Warehouse), strconv.FormatInt(m.Seq, 10), neutral(m.SKU), string(m.Kind),
			strconv.FormatInt(m.Quantity, 10), strconv.FormatInt(m.Balance, 10), neutral(m.Reference), neutral(m.Note), neutral(m.Actor),
			m.CreatedAt.UTC().Format(time.RFC3339Nano))
		fields = appendWhere(fields, m)
		return cw.row(fields)
	})
	h.finish(cw, r, err)
}

// summaryCSV answers GET /api/v1/reports/summary.csv.
func (h *Handler) summaryCSV(w http.ResponseWriter, r *http.Request) {
	mq, err := movementQuery(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := stock.ReportQuery{Filter: mq.Filter, TimeZone: r.URL.Query().Get("timeZone")}
	var header []string
	for _, v := range r.URL.Query()["groupBy"] {
		for _, g := range strings.Split(v, ",") {
			q.GroupBy = append(q.GroupBy, stock.ReportGroup(g)) // the query's Normalize trims and upper-cases it
			header = append(header, strings.ToLower(strings.TrimSpace(g)))
		}
	}
	rows, err := h.svc.MovementReport(r.Context(), q)
	cw := newCSV(w, "summary.csv", append(header, "unitsIn", "unitsOut", "net", "count", "value"))
	for i := 0; err == nil && i < len(rows); i++ {
		x := rows[i]
		keys := make([]string, len(x.Keys), len(x.Keys)+5)
		for j, k := range x.Keys {
			keys[j] = neutral(k)
		}
		err = cw.row(append(keys, strconv.FormatInt(x.UnitsIn, 10), strconv.FormatInt(x.UnitsOut, 10),
			strconv.FormatInt(x.Net, 10), strconv.FormatInt(x.Count, 10), x.Value.String()))
	}
	h.finish(cw, r, err)
}
