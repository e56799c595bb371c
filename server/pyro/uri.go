package pyro

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// ErrBadURI reports a Pyro URI that is not of the form PYRO:object@host:port.
var ErrBadURI = errors.New("pyro: invalid uri")

// URI is a Pyro object address, PYRO:object@host:port. It is sent to
// clients as a Pyro4.core.URI class dict, which they turn into a URI object.
type URI struct {
	Object string
	Host   string
	Port   int
}

// String formats u as PYRO:object@host:port, bracketing IPv6 hosts.
func (u URI) String() string {
	return "PYRO:" + u.Object + "@" + net.JoinHostPort(u.Host, strconv.Itoa(u.Port))
}

// classDict is the dict form Pyro4 serializers use for a URI.
func (u URI) classDict() Dict {
	return Dict{
		{"__class__", "Pyro4.core.URI"},
		{"state", Tuple{"PYRO", u.Object, nil, u.Host, int64(u.Port)}},
	}
}

// ParseURI parses "PYRO:object@host:port" (the protocol name in any case).
func ParseURI(s string) (URI, error) {
	proto, rest, ok := strings.Cut(s, ":")
	if !ok || !strings.EqualFold(proto, "PYRO") {
		return URI{}, fmt.Errorf("%w: %q", ErrBadURI, s)
	}
	at := strings.LastIndex(rest, "@")
	if at <= 0 {
		return URI{}, fmt.Errorf("%w: %q", ErrBadURI, s)
	}
	host, port, err := net.SplitHostPort(rest[at+1:])
	if err != nil || host == "" {
		return URI{}, fmt.Errorf("%w: %q", ErrBadURI, s)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return URI{}, fmt.Errorf("%w: bad port in %q", ErrBadURI, s)
	}
	return URI{Object: rest[:at], Host: host, Port: n}, nil
}

// uriFromValue accepts a URI as a string or as a Pyro4.core.URI class dict.
func uriFromValue(v any) (URI, error) {
	switch t := v.(type) {
	case string:
		return ParseURI(t)
	case Dict:
		return uriFromDict(t)
	}
	return URI{}, fmt.Errorf("%w: %T", ErrBadURI, v)
}

func uriFromDict(d Dict) (URI, error) {
	if cls, _ := d.Str("__class__"); cls != "Pyro4.core.URI" {
		return URI{}, fmt.Errorf("%w: class %q", ErrBadURI, cls)
	}
	st, _ := d.Get("state")
	f, ok := items(st)
	if !ok || len(f) != 5 {
		return URI{}, fmt.Errorf("%w: bad state", ErrBadURI)
	}
	proto, _ := f[0].(string)
	obj, _ := f[1].(string)
	host, _ := f[3].(string)
	port, _ := f[4].(int64)
	if !strings.EqualFold(proto, "PYRO") || obj == "" || host == "" || port <= 0 || port > 65535 {
		return URI{}, fmt.Errorf("%w: bad state", ErrBadURI)
	}
	return URI{Object: obj, Host: host, Port: int(port)}, nil
}
