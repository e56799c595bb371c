package stock

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/stockmesh/stockmesh/server/auth"
)

// ImportRow is one product of an import, from line Line of its file. Name
// and Price are always given; Description, Quantity and ReorderPoint are
// nil when the file has no such column (or leaves the cell empty): a new
// product then gets "" and 0, an existing one keeps its own.
type ImportRow struct {
	Line         int     `json:"line"`
	SKU          string  `json:"sku"`
	Name         string  `json:"name"`
	Description  *string `json:"description,omitempty"`
	Price        Price   `json:"price"`
	Quantity     *int64  `json:"quantity,omitempty"`
	ReorderPoint *int64  `json:"reorderPoint,omitempty"`
	MaxStock     *int64  `json:"maxStock,omitempty"`
}

// ImportNote is the note of the movements an import records.
const ImportNote = "import"

// Create returns the input that creates the row's product: its quantity is
// the initial stock.
func (r *ImportRow) Create() CreateProductInput {
	in := CreateProductInput{SKU: r.SKU, Name: r.Name, Price: r.Price}
	if r.Description != nil {
		in.Description = *r.Description
	}
	if r.Quantity != nil {
		in.InitialQuantity = *r.Quantity
	}
	if r.ReorderPoint != nil {
		in.ReorderPoint = *r.ReorderPoint
	}
	if r.MaxStock != nil {
		in.MaxStock = *r.MaxStock
	}
	return in
}

// Update returns the input that brings an existing product to the row: a
// new quantity is an ADJUSTMENT noted ImportNote.
func (r *ImportRow) Update() UpdateProductInput {
	name, price := r.Name, r.Price
	return UpdateProductInput{Name: &name, Description: r.Description, Price: &price, Quantity: r.Quantity,
		ReorderPoint: r.ReorderPoint, Note: ImportNote, MaxStock: r.MaxStock}
}

// LineError is what is wrong with one line of an import.
type LineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
	// Violation names the rule the line broke, when its error names one,
	// so that a client can say it in its user's language.
	Violation *Violation `json:"violation,omitempty"`
}

// LineErrorOf returns the LineError of line for err.
func LineErrorOf(line int, err error) LineError {
	return LineError{Line: line, Message: Message(err), Violation: ViolationOf(err)}
}

// ProductImport is a catalogue to create or update in the local warehouse,
// all or nothing, in one write job.
type ProductImport struct {
	Rows []ImportRow `json:"rows"`
	// IdempotencyKey, when set, makes the import safe to send again: the
	// same key with the same rows answers the first import's result
	// without applying it again; with other rows it is refused.
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Check validates every row in place (trimming it) and returns what is
// wrong with each line, in line order: nil when every line is valid.
func (im *ProductImport) Check() []LineError {
	var errs []LineError
	seen := newSKULines()
	for i := range im.Rows {
		if err := im.Rows[i].check(seen); err != nil {
			errs = append(errs, LineErrorOf(im.Rows[i].Line, err))
		}
	}
	return errs
}

// skuLines holds the line of each sku of an import's rows so far, by a
// keyed 64-bit hash of the sku: 16 bytes a sku and none of its text, so
// that a file of 100,000 lines is checked in a couple of MB. Two skus of
// one file share a hash with a chance of about 1 in 10^9.
type skuLines struct {
	seed  maphash.Seed
	lines map[uint64]int
}

// newSKULines returns an empty skuLines.
func newSKULines() skuLines { return skuLines{seed: maphash.MakeSeed(), lines: map[uint64]int{}} }

// check validates r in place (trimming it); seen holds the line of each
// sku of the rows before it, and takes r's when r is valid.
func (r *ImportRow) check(seen skuLines) error {
	in := r.Create() // its checks cover Update's: the same fields, the same limits
	if err := in.Normalize(); err != nil {
		return asColumn(err)
	}
	h := maphash.String(seen.seed, in.SKU)
	if first, dup := seen.lines[h]; dup {
		return violated(Violation{Field: "sku", Rule: RuleDuplicate, Value: in.SKU, Line: first}, "%s is on line %d too", in.SKU, first)
	}
	seen.lines[h] = r.Line
	r.SKU, r.Name = in.SKU, in.Name
	if r.Description != nil {
		*r.Description = in.Description
	}
	return nil
}

// asColumn returns err naming the file's column where it names the
// product input's field of another name (initialQuantity: quantity).
func asColumn(err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Violation == nil || e.Violation.Field != "initialQuantity" {
		return err
	}
	c, v := *e, *e.Violation
	v.Field, c.Violation = "quantity", &v
	c.Message = v.Field + strings.TrimPrefix(e.Message, "initialQuantity")
	return &c
}

// Normalize validates every row; the error names each bad line.
func (im *ProductImport) Normalize() error {
	if len(im.Rows) == 0 {
		return invalid("rows", "the file has no products")
	}
	var err error
	if im.IdempotencyKey, err = text("idempotencyKey", im.IdempotencyKey, MaxKeyLen, false); err != nil {
		return err
	}
	errs := im.Check()
	if len(errs) == 0 {
		return nil
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return Errorf(CodeInvalidInput, "%d of %d lines are invalid, nothing was imported: %s", len(errs), len(im.Rows), strings.Join(msgs, "; "))
}

// ImportResult says what an import did: products created, updated
// (anything of theirs changed) and left as they were.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// OpProductImport creates or updates a catalogue's products, all or none.
var OpProductImport = Op[ProductImport, ImportResult]{"product.import", ClassWrite, auth.RoleOperator}

// ImportProducts creates the products of im the local warehouse lacks and
// updates those it has (a new quantity is an ADJUSTMENT): either every row
// is applied or none. Invalid rows are refused with INVALID_INPUT naming
// each line before anything is sent. An import of up to ImportChunk rows
// is one write job; a larger one is staged, accepted in one write, and
// applied a chunk per write job (see ImportCommit), so readers may see it
// land chunk by chunk, but once accepted every row is applied.
func (s *Service) ImportProducts(ctx context.Context, im ProductImport) (*ImportResult, error) {
	imp := s.NewImporter(ctx, im.IdempotencyKey, false)
	for _, r := range im.Rows {
		imp.Add(r)
	}
	res, bad, err := imp.Finish()
	if len(bad) > 0 {
		msgs := make([]string, len(bad))
		for i, e := range bad {
			msgs[i] = fmt.Sprintf("line %d: %s", e.Line, e.Message)
		}
		return nil, Errorf(CodeInvalidInput, "%d of %d lines are invalid, nothing was imported: %s", len(bad), len(im.Rows), strings.Join(msgs, "; "))
	}
	return res, err
}
