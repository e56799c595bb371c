package rest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// productColumns is the header of products.csv, which POST
// /api/v1/products/import reads back.
var productColumns = []string{"sku", "name", "description", "price", "quantity", "reorderPoint", "maxStock"}

// registerProducts adds GET /api/v1/products.csv (a warehouse's catalogue,
// ?warehouse=, by sku) and POST /api/v1/products/import (a catalogue in
// the same format; ?dryRun=true only validates).
func (h *Handler) registerProducts(mux *http.ServeMux, private Wrap) {
	mux.Handle("GET /api/v1/products.csv", private("/api/v1/products.csv", http.HandlerFunc(h.productsCSV)))
	mux.Handle("POST /api/v1/products/import", private("/api/v1/products/import", http.HandlerFunc(h.importProducts)))
}

// productsCSV answers GET /api/v1/products.csv, streamed as the export
// reads the catalogue.
func (h *Handler) productsCSV(w http.ResponseWriter, r *http.Request) {
	cw := newCSV(w, "products.csv", productColumns)
	err := h.svc.ExportProducts(r.Context(), stock.ProductQuery{Warehouse: r.URL.Query().Get("warehouse")}, func(p *stock.Product) error {
		return cw.row(productRecord(p))
	})
	h.finish(cw, r, err)
}

// productRecord returns p as a row of products.csv, its text cells
// neutralised (see neutral).
func productRecord(p *stock.Product) []string {
	return []string{neutral(p.SKU), neutral(p.Name), neutral(p.Description), p.Price.String(),
		strconv.FormatInt(p.Quantity, 10), strconv.FormatInt(p.ReorderPoint, 10),
		strconv.FormatInt(p.MaxStock, 10)}
}

// ImportErrorBody is the JSON of a refused import: the REST error and what
// is wrong with each line.
type ImportErrorBody struct {
	Error stock.Error       `json:"error"`
	Lines []stock.LineError `json:"lines"`
}

// importProducts answers POST /api/v1/products/import: the file is read
// as a stream, a line at a time, each line validated and handed to a
// stock.Importer, which stages a large file's rows as they come. Any bad
// line refuses the whole file (400, with the lines) and nothing is
// applied; else it is applied all or nothing and the answer is its result.
// With an Idempotency-Key header, the same file sent again answers the
// first result without applying it again.
func (h *Handler) importProducts(w http.ResponseWriter, r *http.Request) {
	dry, _ := strconv.ParseBool(r.URL.Query().Get("dryRun"))
	imp := h.svc.NewImporter(r.Context(), r.Header.Get("Idempotency-Key"), dry)
	if err := readImport(r.Body, imp); err != nil {
		h.writeError(w, r, err)
		return
	}
	res, lines, err := imp.Finish()
	switch {
	case len(lines) > 0:
		writeJSON(w, http.StatusBadRequest, ImportErrorBody{Error: stock.Error{Code: stock.CodeInvalidInput,
			Message: fmt.Sprintf("%d lines are invalid, nothing was imported", len(lines))}, Lines: lines})
	case err != nil:
		h.writeError(w, r, err)
	case dry:
		writeJSON(w, http.StatusOK, map[string]any{"valid": true, "rows": imp.Rows()})
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

// importer takes the rows of an import as they are read.
type importer interface {
	Add(stock.ImportRow)
	Refuse(stock.LineError)
}

var _ importer = (*stock.Importer)(nil)

// readImport parses a products CSV into imp: a header row naming the
// columns (any order, case and spacing; sku, name and price required),
// then a product a line, each handed over as it is read, or the line's
// error. It returns an error for a file that is not CSV or lacks columns.
func readImport(body io.Reader, imp importer) error {
	cr := csv.NewReader(body)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return stock.Errorf(stock.CodeInvalidInput, "reading the header row: %v", err)
	}
	col, err := importColumns(header)
	if err != nil {
		return err
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return stock.Errorf(stock.CodeInvalidInput, "line %d: %v", pe.Line, pe.Err)
			}
			return err
		}
		row, err := importRow(rec, col, line)
		if err != nil {
			imp.Refuse(stock.LineErrorOf(line, err))
			continue
		}
		imp.Add(row)
	}
}

// importColumns returns the index of each column a header names, by its
// lower-case name without spaces or underscores.
func importColumns(header []string) (map[string]int, error) {
	col := map[string]int{}
	for i, name := range header {
		key := strings.ToLower(strings.NewReplacer(" ", "", "_", "", "\ufeff", "").Replace(name))
		if !slices.ContainsFunc(productColumns, func(c string) bool { return strings.ToLower(c) == key }) {
			return nil, stock.Errorf(stock.CodeInvalidInput, "line 1: unknown column %q (columns: %s)", name, strings.Join(productColumns, ", "))
		}
		col[key] = i
	}
	for _, need := range []string{"sku", "name", "price"} {
		if _, ok := col[need]; !ok {
			return nil, stock.Errorf(stock.CodeInvalidInput, "line 1: the header has no %s column", need)
		}
	}
	return col, nil
}

// importRow reads one record.
func importRow(rec []string, col map[string]int, line int) (stock.ImportRow, error) {
	cell := func(name string) (string, bool) {
		i, ok := col[name]
		if !ok || i >= len(rec) || strings.TrimSpace(rec[i]) == "" {
			return "", false
		}
		return rec[i], true
	}
	row := stock.ImportRow{Line: line}
	row.SKU, _ = cell("sku")
	row.Name, _ = cell("name")
	row.SKU, row.Name = textCell(row.SKU), textCell(row.Name)
	if d, ok := cell("description"); ok {
		d = textCell(d)
		row.Description = &d
	}
	p, _ := cell("price")
	price, err := stock.ParsePrice(strings.TrimSpace(p))
	if err != nil {
		return row, err // it names the price
	}
	row.Price = price
	for _, c := range [...]struct {
		col, field string
		dst        **int64
	}{{"quantity", "quantity", &row.Quantity}, {"reorderpoint", "reorderPoint", &row.ReorderPoint},
		{"maxstock", "maxStock", &row.MaxStock}} {
		if s, ok := cell(c.col); ok {
			n, err := stock.ParseWhole(c.field, s)
			if err != nil {
				return row, err
			}
			*c.dst = &n
		}
	}
	return row, nil
}
