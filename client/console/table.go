package console

import (
	"io"
	"strings"
	"unicode/utf8"
)

// ANSI escapes used by tables and the live screen.
const (
	ansiReverse = "\x1b[7m"
	ansiBold    = "\x1b[1m"
	ansiReset   = "\x1b[0m"
	ansiHome    = "\x1b[H\x1b[2J"
)

// table is rows of cells under a header, printed in aligned columns.
type table struct {
	header []string
	rows   [][]string
	right  map[int]bool // columns aligned to the right (numbers)
	mark   map[int]bool // rows shown in reverse video
}

// newTable returns a table with the given header.
func newTable(header ...string) *table {
	return &table{header: header, right: map[int]bool{}, mark: map[int]bool{}}
}

// alignRight right-aligns the given columns.
func (t *table) alignRight(cols ...int) *table {
	for _, c := range cols {
		t.right[c] = true
	}
	return t
}

// add appends a row and returns its index.
func (t *table) add(cells ...string) int {
	t.rows = append(t.rows, cells)
	return len(t.rows) - 1
}

// widths returns the width of each column.
func (t *table) widths() []int {
	w := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			if i < len(w) {
				w[i] = max(w[i], utf8.RuneCountInString(c))
			}
		}
	}
	return w
}

// write prints the table to out, with a bold header and marked rows in
// reverse video when ansi is true.
func (t *table) write(out io.Writer, ansi bool) {
	w := t.widths()
	io.WriteString(out, style(ansi, ansiBold, t.line(t.header, w))+"\n")
	for i, row := range t.rows {
		l := t.line(row, w)
		if t.mark[i] {
			l = style(ansi, ansiReverse, l)
		}
		io.WriteString(out, l+"\n")
	}
}

// style wraps s in an ANSI attribute when ansi is true.
func style(ansi bool, attr, s string) string {
	if !ansi {
		return s
	}
	return attr + s + ansiReset
}

// line pads the cells of one row to the widths w.
func (t *table) line(cells []string, w []int) string {
	parts := make([]string, len(w))
	for i := range w {
		c := ""
		if i < len(cells) {
			c = cells[i]
		}
		pad := strings.Repeat(" ", w[i]-utf8.RuneCountInString(c))
		if t.right[i] {
			parts[i] = pad + c
		} else {
			parts[i] = c + pad
		}
	}
	return strings.TrimRight(strings.Join(parts, "  "), " ")
}
