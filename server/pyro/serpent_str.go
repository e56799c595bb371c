package pyro

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// str parses a single- or double-quoted (not triple-quoted, not prefixed)
// Python string literal with Python's escapes.
func (p *serpentParser) str() (any, error) {
	quote := p.s[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.s) {
			return nil, p.errorf("unterminated string")
		}
		c := p.s[p.pos]
		switch {
		case c == quote:
			p.pos++
			return b.String(), nil
		case c == '\n' || c == '\r':
			return nil, p.errorf("newline in string")
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return nil, err
			}
		default:
			r, size := utf8.DecodeRuneInString(p.s[p.pos:])
			b.WriteRune(r)
			p.pos += size
		}
	}
}

// simpleEscape returns the character a one-letter escape stands for, or 0.
func simpleEscape(c byte) byte {
	switch c {
	case '\\', '\'', '"':
		return c
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'a':
		return '\a'
	case 'b':
		return '\b'
	case 'f':
		return '\f'
	case 'v':
		return '\v'
	}
	return 0
}

// escape decodes the escape sequence at p.pos (a backslash) into b.
func (p *serpentParser) escape(b *strings.Builder) error {
	if p.pos+1 >= len(p.s) {
		return p.errorf("unterminated escape")
	}
	c := p.s[p.pos+1]
	p.pos += 2
	if e := simpleEscape(c); e != 0 {
		b.WriteByte(e)
		return nil
	}
	switch {
	case c == '\n':
		return nil // line continuation inside a string
	case c >= '0' && c <= '7':
		p.pos--
		return p.hexRune(b, 0, 8, 3)
	case c == 'x':
		return p.hexRune(b, 2, 16, 2)
	case c == 'u':
		return p.hexRune(b, 4, 16, 4)
	case c == 'U':
		return p.hexRune(b, 8, 16, 8)
	default:
		// Python keeps unknown escapes as they are.
		b.WriteByte('\\')
		p.pos--
		return nil
	}
}

// hexRune reads exactly n digits of base (or 1..max octal digits when n is 0)
// and writes the code point.
func (p *serpentParser) hexRune(b *strings.Builder, n, base, max int) error {
	end := p.pos
	for end < len(p.s) && end-p.pos < max && isDigit(p.s[end], base) {
		end++
	}
	if (n > 0 && end-p.pos != n) || end == p.pos {
		return p.errorf("truncated escape")
	}
	v, err := strconv.ParseUint(p.s[p.pos:end], base, 32)
	if err != nil || v > utf8.MaxRune || (v >= 0xD800 && v <= 0xDFFF) {
		return p.errorf("bad escape %q", p.s[p.pos:end])
	}
	p.pos = end
	b.WriteRune(rune(v))
	return nil
}

func isDigit(c byte, base int) bool {
	switch {
	case c >= '0' && c <= '7':
		return true
	case base == 8:
		return false
	case c >= '8' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		return true
	}
	return false
}
