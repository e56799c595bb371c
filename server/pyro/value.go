package pyro

// The value model shared by both serializers. A decoded Python value is one
// of: nil (None), bool, int64, *big.Int (ints beyond int64), float64,
// string, Tuple, List, Set, Dict or URI (emitted only). Encoders also accept
// int for convenience.

// Tuple is a Python tuple (a json list on the wire).
type Tuple []any

// List is a Python list.
type List []any

// Set is a Python set (a json list on the wire).
type Set []any

// Pair is one key and value of a Dict.
type Pair struct {
	Key   any
	Value any
}

// Dict is a Python dict in insertion order; keys are any hashable value the
// parser produced (usually strings).
type Dict []Pair

// Get returns the value under the string key k and whether it is present.
func (d Dict) Get(k string) (any, bool) {
	for _, p := range d {
		if s, ok := p.Key.(string); ok && s == k {
			return p.Value, true
		}
	}
	return nil, false
}

// Str returns the value under k when it is a string.
func (d Dict) Str(k string) (string, bool) {
	v, ok := d.Get(k)
	s, isStr := v.(string)
	return s, ok && isStr
}

// items returns the elements of a Python sequence (tuple, list or set) and
// whether v is one.
func items(v any) ([]any, bool) {
	switch s := v.(type) {
	case Tuple:
		return s, true
	case List:
		return s, true
	case Set:
		return s, true
	}
	return nil, false
}
