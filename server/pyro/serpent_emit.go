package pyro

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// serpentHeader starts every serpent document Python 3 clients write.
const serpentHeader = "# serpent utf-8 python3.2\n"

// encodeSerpent writes v as a serpent document.
func encodeSerpent(v any) ([]byte, error) {
	var b strings.Builder
	b.WriteString(serpentHeader)
	if err := writeSerpent(&b, v, 0); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// writeSerpent writes v as a Python literal.
func writeSerpent(b *strings.Builder, v any, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("%w: nesting deeper than %d", ErrSerpent, maxNesting)
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if t {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case *big.Int:
		b.WriteString(t.String())
	case float64:
		b.WriteString(serpentFloat(t))
	case string:
		writePyString(b, t)
	case Tuple:
		return writeSerpentSeq(b, t, "(", ")", len(t) == 1, depth)
	case List:
		return writeSerpentSeq(b, t, "[", "]", false, depth)
	case []any:
		return writeSerpentSeq(b, t, "[", "]", false, depth)
	case Set:
		if len(t) == 0 {
			b.WriteString("()") // serpent's spelling of an empty set
			return nil
		}
		return writeSerpentSeq(b, t, "{", "}", false, depth)
	case Dict:
		return writeSerpentDict(b, t, depth)
	case URI:
		return writeSerpent(b, t.classDict(), depth)
	default:
		return fmt.Errorf("%w: cannot encode %T", ErrSerpent, v)
	}
	return nil
}

func writeSerpentSeq(b *strings.Builder, s []any, open, close string, trailingComma bool, depth int) error {
	b.WriteString(open)
	for i, e := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeSerpent(b, e, depth+1); err != nil {
			return err
		}
	}
	if trailingComma {
		b.WriteByte(',')
	}
	b.WriteString(close)
	return nil
}

func writeSerpentDict(b *strings.Builder, d Dict, depth int) error {
	b.WriteByte('{')
	for i, p := range d {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := writeSerpent(b, p.Key, depth+1); err != nil {
			return err
		}
		b.WriteByte(':')
		if err := writeSerpent(b, p.Value, depth+1); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// serpentFloat writes f so that Python reads it back as a float.
func serpentFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "1e30000"
	case math.IsInf(f, -1):
		return "-1e30000"
	case math.IsNaN(f):
		return "{'__class__':'float','value':'nan'}"
	}
	return floatRepr(f)
}

// floatRepr formats a finite float with a '.' or exponent, like Python's repr.
func floatRepr(f float64) string {
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

// writePyString writes s as a single-quoted Python literal: control and
// non-printable characters are escaped, printable non-ASCII stays UTF-8,
// invalid UTF-8 becomes U+FFFD.
func writePyString(b *strings.Builder, s string) {
	b.WriteByte('\'')
	for _, r := range s { // ranging turns invalid bytes into U+FFFD
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x100 && !unicode.IsPrint(r):
			fmt.Fprintf(b, `\x%02x`, r)
		case !unicode.IsPrint(r) && r <= 0xFFFF:
			fmt.Fprintf(b, `\u%04x`, r)
		case !unicode.IsPrint(r):
			fmt.Fprintf(b, `\U%08x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
}
