package console

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// setupImport: import FILE.csv [--dry-run].
func setupImport(fs *flag.FlagSet) runFunc {
	dry := fs.Bool("dry-run", false, "only check the file")
	return func(ctx context.Context, a *app, args []string) error {
		if err := wantArgs(args, "FILE"); err != nil {
			return err
		}
		data, err := os.ReadFile(args[0])
		if err != nil {
			return fileProblem(args[0], err)
		}
		return a.importFile(ctx, args[0], data, *dry)
	}
}

// importFile checks the catalogue data read from file, then sends it to
// the node (to be checked only, when dry) and says what it did.
func (a *app) importFile(ctx context.Context, file string, data []byte, dry bool) error {
	bad, err := checkImport(a.p, data)
	if err != nil {
		return err
	}
	if len(bad) > 0 {
		return a.importRefused(file, bad, dry)
	}
	c, err := a.node()
	if err != nil {
		return err
	}
	res, err := c.Import(ctx, data, dry)
	if ie, ok := errors.AsType[*remote.ImportError](err); ok {
		if !a.json { // --json shows the node's lines as they came
			for i := range ie.Lines {
				ie.Lines[i].Message = nodeLine(a.p, ie.Lines[i])
			}
		}
		return a.importRefused(file, ie.Lines, dry)
	}
	if err != nil {
		return err
	}
	return a.show(res, func(out io.Writer) {
		if dry {
			fmt.Fprintln(out, a.p.T(msgImportValid, file, res.Rows))
			return
		}
		fmt.Fprintln(out, a.p.T(msgImportDone, file, res.Created, res.Updated, res.Unchanged))
	})
}

// importRefused returns the refusal of an import for its bad lines, each
// on a line of its own, to be printed once (exit 1); with --json it shows
// the lines and returns the node's code.
func (a *app) importRefused(file string, lines []remote.LineError, dry bool) error {
	if a.json {
		if err := a.show(lines, nil); err != nil {
			return err
		}
		return &remote.Error{Code: api.CodeInvalidInput, Message: fmt.Sprintf("%d invalid lines", len(lines))}
	}
	head := map[[2]bool]msg{{false, true}: msgImportInvalidOne, {false, false}: msgImportInvalidMany,
		{true, true}: msgImportDryInvalidOne, {true, false}: msgImportDryInvalidMany}[[2]bool{dry, len(lines) == 1}]
	var b strings.Builder
	if len(lines) == 1 {
		b.WriteString(a.p.T(head, file))
	} else {
		b.WriteString(a.p.T(head, file, len(lines)))
	}
	for _, l := range lines {
		b.WriteString("\n" + a.p.T(msgImportLine, l.Line, l.Message))
	}
	return &refusal{b.String()}
}

// The console reads a catalogue before sending it, so that the mistakes
// people make most (a spreadsheet that saved it with semicolons, a price
// written 7,50, a quantity that is not a whole number, a missing sku or
// name) are explained in their language; the node checks everything again.

// importColumns are the columns of a catalogue, as the node names them.
var importColumns = []string{"sku", "name", "description", "price", "quantity", "reorderPoint", "maxStock"}

// columnKey is how the node compares column names: lower case, without
// spaces, underscores or a byte-order mark.
func columnKey(name string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "_", "", "\ufeff", "").Replace(name))
}

// checkImport reads a catalogue CSV and returns what is wrong with it in
// p's language: a refusal for the whole file (not CSV, semicolons, an
// unknown or missing column), or the lines that are wrong; nothing when
// the console finds no fault.
func checkImport(p Printer, data []byte) ([]remote.LineError, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil // the node says what is wrong with it
	}
	if len(header) == 1 && strings.Contains(header[0], ";") {
		return nil, &refusal{p.T(msgImportSemicolons, header[0])}
	}
	col := map[string]int{}
	for i, name := range header {
		key := columnKey(name)
		known := false
		for _, c := range importColumns {
			known = known || columnKey(c) == key
		}
		if !known {
			return nil, &refusal{p.T(msgImportUnknownColumn, name, strings.Join(importColumns, ","))}
		}
		col[key] = i
	}
	for _, need := range []string{"sku", "name", "price"} {
		if _, ok := col[need]; !ok {
			return nil, &refusal{p.T(msgImportNoColumn, need, strings.Join(importColumns, ","))}
		}
	}
	var bad []remote.LineError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return bad, nil
		}
		if err != nil {
			return bad, nil // the node names the line it cannot read
		}
		line, _ := cr.FieldPos(0)
		if problem := checkImportRow(p, rec, col); problem != "" {
			bad = append(bad, remote.LineError{Line: line, Message: problem})
		}
	}
}

// checkImportRow returns what is wrong with one record, or "".
func checkImportRow(p Printer, rec []string, col map[string]int) string {
	cell := func(name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for _, need := range []string{"sku", "name"} {
		if cell(need) == "" {
			return p.T(msgImportEmpty, need)
		}
	}
	price := cell("price")
	if _, err := ParsePrice(English, price); err != nil || strings.Contains(price, ",") {
		return csvPriceProblem(p, price)
	}
	for _, name := range []string{"quantity", "reorderpoint", "maxstock"} {
		if s := cell(name); s != "" && !isNumber(s) {
			return p.T(msgImportNotWhole, map[string]string{"quantity": "quantity", "reorderpoint": "reorderPoint", "maxstock": "maxStock"}[name], s)
		}
	}
	return ""
}

// csvPriceProblem says in p's language what is wrong with a CSV price that is
// not an amount such as 19.99.
func csvPriceProblem(p Printer, price string) string {
	if _, es := ParsePrice(Spanish, price); es == nil && strings.Contains(price, ",") {
		return p.T(msgImportPriceComma, price, strings.Replace(price, ",", ".", 1))
	}
	return p.T(msgImportPriceBad, price)
}

// nodeLine returns, in p's language, the node's explanation of a line it
// refused: worded from the rule the node names, else (a rule this console
// does not know) the node's English words, or in another language a
// pointer to them.
func nodeLine(p Printer, l remote.LineError) string {
	if l.Violation != nil {
		if s, ok := violationSentence(p, l.Violation.Field, l.Violation); ok {
			return s // the field as the file's column names it
		}
	}
	if p.Lang() == English {
		return l.Message
	}
	return p.T(msgImportNodeLine)
}

// violationSentence says in p's language which rule of the node's field
// (called field) v broke; false for a rule this console does not know.
func violationSentence(p Printer, field string, v *remote.Violation) (string, bool) {
	number := func(s string) string {
		if n, err := strconv.Atoi(s); err == nil {
			return FormatInt(p.Lang(), n)
		}
		return s
	}
	switch v.Rule {
	case api.RuleEmpty:
		return p.T(msgImportEmpty, field), true
	case api.RuleTooLong:
		return p.T(msgLineTooLong, field, v.Max), true
	case api.RuleCharacters:
		return p.T(msgLineCharacters, field, v.Value), true
	case api.RuleEncoding:
		return p.T(msgLineEncoding, field), true
	case api.RuleRange:
		return p.T(msgLineRange, field, number(v.Value), FormatInt(p.Lang(), int(v.Min)), FormatInt(p.Lang(), int(v.Max))), true
	case api.RuleDecimal:
		return csvPriceProblem(p, v.Value), true
	case api.RuleTooLarge:
		return p.T(msgLineTooLarge, field, v.Value), true
	case api.RuleWhole:
		return p.T(msgImportNotWhole, field, v.Value), true
	case api.RuleDuplicate:
		return p.T(msgLineDuplicate, v.Value, v.Line), true
	}
	return "", false
}

// fieldWords are the Spanish words for the fields of the node's requests
// a refusal names; English says the field's own name.
var fieldWords = map[string]string{
	"sku": "sku", "name": "nombre", "description": "descripción", "price": "precio", "quantity": "cantidad",
	"initialQuantity": "cantidad inicial", "reorderPoint": "punto de pedido", "reference": "referencia",
	"note": "nota", "search": "búsqueda", "counted": "cantidad contada", "expiresIn": "caducidad",
	"idempotencyKey": "clave de idempotencia",
	"maxStock":       "existencias máximas",
}

// fieldWord returns the node's field in p's language.
func fieldWord(p Printer, field string) string {
	if w, ok := fieldWords[field]; ok && p.Lang() == Spanish {
		return w
	}
	return field
}
