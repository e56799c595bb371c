package pyro

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrJSON reports a json payload this package cannot decode or a value it
// cannot encode as json.
var ErrJSON = errors.New("pyro: invalid json data")

// parseJSON decodes one json document into the value model: objects become
// Dict (in order), arrays List, numbers int64, *big.Int or float64.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := jsonValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrJSON)
	}
	return v, nil
}

func jsonValue(dec *json.Decoder, depth int) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrJSON, err)
	}
	switch t := tok.(type) {
	case json.Delim:
		if depth >= maxNesting {
			return nil, fmt.Errorf("%w: nesting deeper than %d", ErrJSON, maxNesting)
		}
		if t == '[' {
			return jsonArray(dec, depth+1)
		}
		return jsonObject(dec, depth+1)
	case json.Number:
		return jsonNumber(t)
	default:
		return t, nil // nil, bool or string
	}
}

func jsonArray(dec *json.Decoder, depth int) (any, error) {
	l := List{}
	for dec.More() {
		v, err := jsonValue(dec, depth)
		if err != nil {
			return nil, err
		}
		l = append(l, v)
	}
	_, err := dec.Token() // ']'
	return l, err
}

func jsonObject(dec *json.Decoder, depth int) (any, error) {
	d := Dict{}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrJSON, err)
		}
		v, err := jsonValue(dec, depth)
		if err != nil {
			return nil, err
		}
		d = append(d, Pair{k, v})
	}
	_, err := dec.Token() // '}'
	return d, err
}

func jsonNumber(n json.Number) (any, error) {
	s := n.String()
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: bad number %s", ErrJSON, s)
		}
		return f, nil
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, nil
	}
	if len(s) > maxIntDigits {
		return nil, fmt.Errorf("%w: int longer than %d digits", ErrJSON, maxIntDigits)
	}
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%w: bad number %s", ErrJSON, s)
	}
	return b, nil
}

// encodeJSON writes v the way Python's json module does with Pyro's
// settings: ", " and ": " separators, non-ASCII kept as UTF-8. Tuples and
// sets become arrays; dict keys must be strings or ints.
func encodeJSON(v any) ([]byte, error) {
	var b strings.Builder
	if err := writeJSON(&b, v, 0); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func writeJSON(b *strings.Builder, v any, depth int) error {
	if depth > maxNesting {
		return fmt.Errorf("%w: nesting deeper than %d", ErrJSON, maxNesting)
	}
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case *big.Int:
		b.WriteString(t.String())
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return fmt.Errorf("%w: %v is not json", ErrJSON, t)
		}
		b.WriteString(floatRepr(t))
	case string:
		writeJSONString(b, t)
	case Tuple:
		return writeJSONArray(b, t, depth)
	case List:
		return writeJSONArray(b, t, depth)
	case []any:
		return writeJSONArray(b, t, depth)
	case Set:
		return writeJSONArray(b, t, depth)
	case Dict:
		return writeJSONObject(b, t, depth)
	case URI:
		return writeJSON(b, t.classDict(), depth)
	default:
		return fmt.Errorf("%w: cannot encode %T", ErrJSON, v)
	}
	return nil
}

func writeJSONArray(b *strings.Builder, s []any, depth int) error {
	b.WriteByte('[')
	for i, e := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if err := writeJSON(b, e, depth+1); err != nil {
			return err
		}
	}
	b.WriteByte(']')
	return nil
}

func writeJSONObject(b *strings.Builder, d Dict, depth int) error {
	b.WriteByte('{')
	for i, p := range d {
		if i > 0 {
			b.WriteString(", ")
		}
		switch k := p.Key.(type) {
		case string:
			writeJSONString(b, k)
		case int64:
			writeJSONString(b, strconv.FormatInt(k, 10))
		case int:
			writeJSONString(b, strconv.Itoa(k))
		default:
			return fmt.Errorf("%w: dict key of type %T", ErrJSON, p.Key)
		}
		b.WriteString(": ")
		if err := writeJSON(b, p.Value, depth+1); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// writeJSONString quotes s, escaping only what JSON requires.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(b, `\u%04x`, r)
		case r == utf8.RuneError:
			b.WriteString("\ufffd")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
