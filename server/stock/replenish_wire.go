package stock

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"

	"github.com/stockmesh/stockmesh/server/replenish"
)

// A plan of a whole network is tens of thousands of suggestions naming
// the same few dozen warehouses, two reasons and a sku per run of them:
// as encoding/json writes a struct, 5 MB for 37,000 suggestions, a
// hundred milliseconds to write and read back. Its JSON is instead a
// table of the strings it names and one array per suggestion of their
// indexes, its quantity and its days of cover (null when nothing sold):
//
//	{"names":["P-1","BCN-1","MAD-1","BELOW_REORDER_POINT"],
//	 "suggestions":[[0,1,2,25,3,42.5,0.1]]}
//
// MarshalJSON and UnmarshalJSON are that encoding; EncodeValue and
// DecodeValue call them directly, sparing encoding/json's pass over the
// bytes to check them.

// errPlanJSON is the error of a plan's JSON that is not as MarshalJSON
// writes it.
var errPlanJSON = errors.New("stock: a replenishment plan's JSON is malformed")

// MarshalJSON returns p's JSON, the table of names and the array of each
// suggestion; an infinite or NaN days of cover is an error, as
// encoding/json's.
func (p ReplenishPlan) MarshalJSON() ([]byte, error) { return appendPlan(nil, &p) }

// appendPlan appends p's JSON (see MarshalJSON) to b.
func appendPlan(b []byte, p *ReplenishPlan) ([]byte, error) {
	if p.Suggestions == nil {
		return append(b, `{"names":[],"suggestions":null}`...), nil
	}
	index := map[string]int{}
	var names []string
	name := func(s string) int {
		i, ok := index[s]
		if !ok {
			i = len(names)
			index[s], names = i, append(names, s)
		}
		return i
	}
	rows := make([]byte, 0, 32*len(p.Suggestions))
	rows = append(rows, `"suggestions":[`...)
	for i := range p.Suggestions {
		s := &p.Suggestions[i]
		if i > 0 {
			rows = append(rows, ',')
		}
		rows = append(rows, '[')
		for _, n := range [...]int{name(s.SKU), name(s.From), name(s.To)} {
			rows = append(strconv.AppendInt(rows, int64(n), 10), ',')
		}
		rows = append(strconv.AppendInt(rows, s.Quantity, 10), ',')
		rows = append(strconv.AppendInt(rows, int64(name(string(s.Reason))), 10), ',')
		for j, d := range [...]*float64{s.FromDaysOfCover, s.ToDaysOfCover} {
			if j > 0 {
				rows = append(rows, ',')
			}
			switch {
			case d == nil:
				rows = append(rows, "null"...)
			case math.IsInf(*d, 0) || math.IsNaN(*d):
				return nil, &json.UnsupportedValueError{Str: strconv.FormatFloat(*d, 'g', -1, 64)}
			default:
				rows = strconv.AppendFloat(rows, *d, 'g', -1, 64)
			}
		}
		rows = append(rows, ']')
	}
	b = append(b, `{"names":[`...)
	for i, s := range names {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	b = append(append(b, "],"...), rows...)
	return append(b, "]}"...), nil
}

// UnmarshalJSON reads the JSON MarshalJSON writes into p.
func (p *ReplenishPlan) UnmarshalJSON(data []byte) error {
	d := decoder{b: data}
	var plan ReplenishPlan
	if !d.plan(&plan) || !d.end() {
		return errPlanJSON
	}
	*p = plan
	return nil
}

// plan reads a plan's JSON (see ReplenishPlan.MarshalJSON).
func (d *decoder) plan(p *ReplenishPlan) bool {
	var names []string
	var covers []float64 // the days of cover the suggestions point into, allocated a chunk at a time
	cover := func(dst **float64) bool {
		if d.literal("null") {
			return true
		}
		if len(covers) == cap(covers) {
			covers = make([]float64, 0, 1024)
		}
		covers = append(covers, 0)
		*dst = &covers[len(covers)-1]
		return d.float(*dst)
	}
	named := func(dst *string) bool {
		var n int64
		if !d.integer(&n) || n < 0 || n >= int64(len(names)) {
			return false
		}
		*dst = names[n]
		return true
	}
	suggestion := func() bool {
		p.Suggestions = append(p.Suggestions, replenish.Suggestion{})
		s := &p.Suggestions[len(p.Suggestions)-1]
		return d.consume('[') && named(&s.SKU) && d.consume(',') && named(&s.From) && d.consume(',') && named(&s.To) &&
			d.consume(',') && d.integer(&s.Quantity) && d.consume(',') && named((*string)(&s.Reason)) &&
			d.consume(',') && cover(&s.FromDaysOfCover) && d.consume(',') && cover(&s.ToDaysOfCover) && d.consume(']')
	}
	if !d.consume('{') || !d.key("names") || !d.array(func() bool {
		var s string
		ok := d.anyString(&s)
		names = append(names, s)
		return ok
	}) || !d.consume(',') || !d.key("suggestions") {
		return false
	}
	if !d.literal("null") {
		if !d.array(suggestion) {
			return false
		}
		if p.Suggestions == nil {
			p.Suggestions = []replenish.Suggestion{}
		}
	}
	return d.consume('}')
}

// key reads "name": in an object.
func (d *decoder) key(name string) bool {
	s, ok := d.str()
	return ok && string(s) == name && d.consume(':')
}

// literal reads the word lit (null).
func (d *decoder) literal(lit string) bool {
	d.space()
	if len(d.b)-d.i >= len(lit) && string(d.b[d.i:d.i+len(lit)]) == lit {
		d.i += len(lit)
		return true
	}
	return false
}

// anyString reads a string, with escapes or without.
func (d *decoder) anyString(dst *string) bool {
	save := d.i
	if d.into(dst) {
		return true
	}
	d.i = save
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return false
	}
	j := d.i + 1
	for ; j < len(d.b) && d.b[j] != '"'; j++ {
		if d.b[j] == '\\' {
			j++
		}
	}
	if j >= len(d.b) || json.Unmarshal(d.b[d.i:j+1], dst) != nil {
		return false
	}
	d.i = j + 1
	return true
}

// float reads a number in JSON's syntax as a float64.
func (d *decoder) float(dst *float64) bool {
	d.space()
	j := d.i
	for ; j < len(d.b); j++ {
		if c := d.b[j]; !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			break
		}
	}
	if !jsonNumber(d.b[d.i:j]) {
		return false
	}
	f, err := strconv.ParseFloat(string(d.b[d.i:j]), 64)
	if err != nil {
		return false
	}
	*dst, d.i = f, j
	return true
}

// jsonNumber reports whether b is a number in JSON's syntax:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	if n := digits(); n == 0 || n > 1 && b[i-n] == '0' {
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}
