package pyro

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrSerpent reports a serpent document that is not a Python literal this
// package accepts.
var ErrSerpent = errors.New("pyro: invalid serpent data")

// Limits of the serpent parser.
const (
	maxNesting   = 64   // deepest container nesting accepted
	maxIntDigits = 4300 // Python's own default limit on int digits
)

// serpentParser is a recursive-descent parser for the Python literal subset
// that ast.literal_eval accepts and serpent produces.
type serpentParser struct {
	s     string
	pos   int
	depth int
}

// parseSerpent decodes one serpent document: an optional "# serpent ..."
// header line (any comment is skipped) and one literal expression.
func parseSerpent(data []byte) (any, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrSerpent)
	}
	p := &serpentParser{s: string(data)}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.s) {
		return nil, p.errorf("trailing data")
	}
	return v, nil
}

func (p *serpentParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSerpent, p.pos, fmt.Sprintf(format, args...))
}

// skipSpace skips whitespace, comments and backslash line continuations.
func (p *serpentParser) skipSpace() {
	for p.pos < len(p.s) {
		switch c := p.s[p.pos]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			p.pos++
		case c == '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' {
				p.pos++
			}
		case c == '\\' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '\n':
			p.pos += 2
		default:
			return
		}
	}
}

func (p *serpentParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.s) {
		return 0
	}
	return p.s[p.pos]
}

// value parses one literal.
func (p *serpentParser) value() (any, error) {
	switch c := p.peek(); {
	case c == 0:
		return nil, p.errorf("unexpected end")
	case c == '(' || c == '[' || c == '{':
		return p.container(c)
	case c == '\'' || c == '"':
		return p.str()
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return p.number()
	case isIdentStart(c):
		return p.keyword()
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func (p *serpentParser) keyword() (any, error) {
	start := p.pos
	for p.pos < len(p.s) && (isIdentStart(p.s[p.pos]) || (p.s[p.pos] >= '0' && p.s[p.pos] <= '9')) {
		p.pos++
	}
	switch w := p.s[start:p.pos]; w {
	case "None":
		return nil, nil
	case "True":
		return true, nil
	case "False":
		return false, nil
	default:
		p.pos = start
		return nil, p.errorf("unknown name %q", w)
	}
}

// container parses a tuple, parenthesised expression, list, dict or set.
func (p *serpentParser) container(open byte) (any, error) {
	if p.depth >= maxNesting {
		return nil, p.errorf("nesting deeper than %d", maxNesting)
	}
	p.depth++
	defer func() { p.depth-- }()
	p.pos++
	switch open {
	case '(':
		return p.tuple()
	case '[':
		elems, _, err := p.elements(']')
		return List(elems), err
	default:
		return p.dictOrSet()
	}
}

// elements parses comma-separated values up to close and reports whether a
// comma was seen (which makes "(x,)" a tuple).
func (p *serpentParser) elements(close byte) ([]any, bool, error) {
	elems := []any{}
	comma := false
	for {
		if p.peek() == close {
			p.pos++
			return elems, comma, nil
		}
		v, err := p.value()
		if err != nil {
			return nil, false, err
		}
		elems = append(elems, v)
		switch p.peek() {
		case ',':
			p.pos++
			comma = true
		case close:
		default:
			return nil, false, p.errorf("expected ',' or %q", close)
		}
	}
}

func (p *serpentParser) tuple() (any, error) {
	elems, comma, err := p.elements(')')
	if err != nil {
		return nil, err
	}
	if len(elems) == 1 && !comma {
		return elems[0], nil // a parenthesised expression
	}
	return Tuple(elems), nil
}

// dictOrSet parses after '{': "{}" is a dict, "{k:v,...}" a dict, "{a,...}" a set.
func (p *serpentParser) dictOrSet() (any, error) {
	if p.peek() == '}' {
		p.pos++
		return Dict{}, nil
	}
	first, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.peek() != ':' {
		return p.setRest(first)
	}
	d := Dict{}
	key := first
	for {
		p.pos++ // ':'
		if err := checkHashable(key); err != nil {
			return nil, p.errorf("%v", err)
		}
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		d = append(d, Pair{key, v})
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return d, nil
		default:
			return nil, p.errorf("expected ',' or '}' in dict")
		}
		if p.peek() == '}' {
			p.pos++
			return d, nil
		}
		if key, err = p.value(); err != nil {
			return nil, err
		}
		if p.peek() != ':' {
			return nil, p.errorf("expected ':' in dict")
		}
	}
}

func (p *serpentParser) setRest(first any) (any, error) {
	if err := checkHashable(first); err != nil {
		return nil, p.errorf("%v", err)
	}
	s := Set{first}
	switch p.peek() {
	case '}':
		p.pos++
		return s, nil
	case ',':
		p.pos++
	default:
		return nil, p.errorf("expected ',' or '}' in set")
	}
	rest, _, err := p.elements('}')
	if err != nil {
		return nil, err
	}
	for _, v := range rest {
		if err := checkHashable(v); err != nil {
			return nil, p.errorf("%v", err)
		}
	}
	return append(s, rest...), nil
}

// checkHashable refuses keys Python could not hash (lists, dicts, sets).
func checkHashable(v any) error {
	switch t := v.(type) {
	case List, Dict, Set:
		return errors.New("unhashable key")
	case Tuple:
		for _, e := range t {
			if err := checkHashable(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// number parses an optionally signed int or float literal.
func (p *serpentParser) number() (any, error) {
	neg := false
	for p.peek() == '-' || p.peek() == '+' {
		if p.s[p.pos] == '-' {
			neg = !neg
		}
		p.pos++
	}
	p.skipSpace()
	start := p.pos
	isFloat := false
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c >= '0' && c <= '9':
		case c == '.' || c == 'e' || c == 'E':
			isFloat = true
		case (c == '+' || c == '-') && (p.s[p.pos-1] == 'e' || p.s[p.pos-1] == 'E'):
		case c == 'j' || c == 'J':
			return nil, p.errorf("complex numbers are not supported")
		default:
			goto done
		}
		p.pos++
	}
done:
	lit := p.s[start:p.pos]
	if lit == "" {
		return nil, p.errorf("expected a number")
	}
	if isFloat {
		return p.float(lit, neg)
	}
	return p.integer(lit, neg)
}

func (p *serpentParser) float(lit string, neg bool) (any, error) {
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) { // 1e30000 is how serpent writes inf
		return nil, p.errorf("bad float %q", lit)
	}
	if neg {
		f = -f
	}
	return f, nil
}

func (p *serpentParser) integer(lit string, neg bool) (any, error) {
	if len(lit) > 1 && lit[0] == '0' && strings.Trim(lit, "0") != "" {
		return nil, p.errorf("leading zeros in %q", lit)
	}
	if len(lit) > maxIntDigits {
		return nil, p.errorf("int longer than %d digits", maxIntDigits)
	}
	if neg {
		lit = "-" + lit
	}
	if n, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return n, nil
	}
	b, ok := new(big.Int).SetString(lit, 10)
	if !ok {
		return nil, p.errorf("bad int %q", lit)
	}
	return b, nil
}
