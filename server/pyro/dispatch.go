package pyro

import (
	"context"
	"fmt"
	"strings"
)

// object is what a daemon serves under one object id: a fixed method table.
type object interface {
	// methods lists the callable method names sent as handshake metadata.
	methods() []string
	// invoke runs method with positional args and keyword kwargs. A *PyError
	// reaches the client as that exception; any other error as an internal one.
	invoke(ctx context.Context, method string, args []any, kwargs Dict) (any, error)
}

// call is one decoded INVOKE: object id, method, positional and keyword args.
type call struct {
	Object string
	Method string
	Args   []any
	Kwargs Dict
}

// decodeCall parses an INVOKE payload: a serpent 4-tuple or a json object.
func decodeCall(ser uint16, data []byte) (call, error) {
	v, err := decodeValue(ser, data)
	if err != nil {
		return call{}, err
	}
	var c call
	var args, kwargs any
	var ok bool
	if d, ok := v.(Dict); ok && ser == SerializerJSON {
		c.Object, _ = d.Str("object")
		c.Method, _ = d.Str("method")
		args, _ = d.Get("params")
		kwargs, _ = d.Get("kwargs")
	} else if t, ok := items(v); ok && len(t) == 4 {
		c.Object, _ = t[0].(string)
		c.Method, _ = t[1].(string)
		args, kwargs = t[2], t[3]
	}
	if c.Object == "" || c.Method == "" {
		return call{}, fmt.Errorf("%w: malformed call", ErrSerializer)
	}
	if c.Args, ok = items(args); !ok && args != nil {
		return call{}, fmt.Errorf("%w: call arguments are not a sequence", ErrSerializer)
	}
	if kwargs != nil {
		if c.Kwargs, ok = kwargs.(Dict); !ok {
			return call{}, fmt.Errorf("%w: keyword arguments are not a dict", ErrSerializer)
		}
	}
	return c, nil
}

// param is one parameter of a remote method, optional when it has a default.
type param struct {
	name     string
	optional bool
	def      any
}

// bind matches positional and keyword args to params the way Python does
// and returns one value per param, with defaults filled in.
func bind(method string, params []param, args []any, kwargs Dict) ([]any, error) {
	if len(args) > len(params) {
		return nil, pyErrorf(pyTypeError, "%s() takes %d positional arguments but %d were given", method, len(params), len(args))
	}
	out := make([]any, len(params))
	set := make([]bool, len(params))
	for i, a := range args {
		out[i], set[i] = a, true
	}
	for _, kw := range kwargs {
		name, _ := kw.Key.(string)
		i := paramIndex(params, name)
		switch {
		case i < 0:
			return nil, pyErrorf(pyTypeError, "%s() got an unexpected keyword argument '%s'", method, name)
		case set[i]:
			return nil, pyErrorf(pyTypeError, "%s() got multiple values for argument '%s'", method, name)
		}
		out[i], set[i] = kw.Value, true
	}
	var missing []string
	for i, p := range params {
		switch {
		case set[i]:
		case p.optional:
			out[i] = p.def
		default:
			missing = append(missing, "'"+p.name+"'")
		}
	}
	if len(missing) > 0 {
		return nil, pyErrorf(pyTypeError, "%s() missing %d required argument(s): %s", method, len(missing), strings.Join(missing, ", "))
	}
	return out, nil
}

func paramIndex(params []param, name string) int {
	for i, p := range params {
		if p.name == name {
			return i
		}
	}
	return -1
}

// metadata is the handshake / get_metadata dict for o.
func metadata(o object) Dict {
	ms := List{}
	for _, m := range o.methods() {
		ms = append(ms, m)
	}
	return Dict{{"methods", ms}, {"oneway", List{}}, {"attrs", List{}}}
}

// hasMethod reports whether o's method table has name.
func hasMethod(o object, name string) bool {
	for _, m := range o.methods() {
		if m == name {
			return true
		}
	}
	return false
}
