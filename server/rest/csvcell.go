package rest

import "strings"

// Spreadsheets run a cell that starts with =, +, -, @, a tab or a carriage
// return as a formula (CSV injection, OWASP). Every text cell the CSV
// exports write goes through neutral, which puts an apostrophe in front of
// such a cell (spreadsheets show the rest as text), and in front of a cell
// that already starts with an apostrophe followed by one of those or by
// another apostrophe, so that the import's textCell, which removes one
// leading apostrophe from exactly those cells, gives back every value
// unchanged. Numbers the node formats (quantities, prices) are never
// touched: a negative quantity stays a number.

// formulaStart reports whether c makes a spreadsheet read a cell as a
// formula.
func formulaStart(c byte) bool {
	return strings.IndexByte("=+-@\t\r", c) >= 0
}

// quoted reports whether s starts with an apostrophe that neutral put
// there: one followed by a formula start or another apostrophe.
func quoted(s string) bool {
	return len(s) >= 2 && s[0] == '\'' && (formulaStart(s[1]) || s[1] == '\'')
}

// neutral returns the text cell s as an export writes it.
func neutral(s string) string {
	if s != "" && (formulaStart(s[0]) || quoted(s)) {
		return "'" + s
	}
	return s
}

// textCell returns the text cell s of an imported file as its value:
// without the apostrophe neutral puts in front.
func textCell(s string) string {
	if quoted(s) {
		return s[1:]
	}
	return s
}
