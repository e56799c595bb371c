package pyro

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// NameServerName is the object id and registered name of a Pyro4 name server.
const NameServerName = "Pyro.NameServer"

// nsEntry is one registration: the URI as registered and its metadata.
type nsEntry struct {
	uri      URI
	metadata []string
}

// nameServer is a Pyro4-compatible name server object: a flat, in-memory
// map from names to URIs with metadata tags, safe for concurrent use.
type nameServer struct {
	mu      sync.Mutex
	entries map[string]nsEntry
}

var _ object = (*nameServer)(nil)

// newNameServer returns a name server that has registered itself at self.
func newNameServer(self URI) *nameServer {
	return &nameServer{entries: map[string]nsEntry{
		NameServerName: {uri: self, metadata: []string{"class:Pyro4.naming.NameServer"}},
	}}
}

func (ns *nameServer) methods() []string {
	return []string{"count", "list", "lookup", "ping", "register", "remove", "set_metadata"}
}

// nsParams returns the parameters of a name server method.
func nsParams(method string) ([]param, bool) {
	opt := func(name string) param { return param{name: name, optional: true} }
	switch method {
	case "lookup":
		return []param{{name: "name"}, {name: "return_metadata", optional: true, def: false}}, true
	case "register":
		return []param{{name: "name"}, {name: "uri"}, {name: "safe", optional: true, def: false}, opt("metadata")}, true
	case "remove":
		return []param{opt("name"), opt("prefix"), opt("regex")}, true
	case "list":
		return []param{opt("prefix"), opt("regex"), opt("metadata_all"), opt("metadata_any"),
			{name: "return_metadata", optional: true, def: false}}, true
	case "set_metadata":
		return []param{{name: "name"}, {name: "metadata"}}, true
	case "count", "ping":
		return nil, true
	}
	return nil, false
}

func (ns *nameServer) invoke(_ context.Context, method string, args []any, kwargs Dict) (any, error) {
	params, ok := nsParams(method)
	if !ok {
		return nil, pyErrorf(pyAttributeError, "remote object '%s' has no exposed attribute or method '%s'", NameServerName, method)
	}
	a, err := bind(method, params, args, kwargs)
	if err != nil {
		return nil, err
	}
	switch method {
	case "lookup":
		return ns.lookup(a[0], truthy(a[1]))
	case "register":
		return nil, ns.register(a[0], a[1], truthy(a[2]), a[3])
	case "remove":
		return ns.remove(a[0], a[1], a[2])
	case "list":
		return ns.list(a[0], a[1], a[2], a[3], truthy(a[4]))
	case "set_metadata":
		return nil, ns.setMetadata(a[0], a[1])
	case "count":
		ns.mu.Lock()
		defer ns.mu.Unlock()
		return int64(len(ns.entries)), nil
	}
	return nil, nil // ping
}

// Register records name → uri, overwriting any earlier entry.
func (ns *nameServer) Register(name string, uri URI) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.entries[name] = nsEntry{uri: uri}
}

func (ns *nameServer) lookup(rawName any, withMeta bool) (any, error) {
	name, ok := rawName.(string)
	if !ok {
		return nil, pyErrorf(pyTypeError, "name must be a str")
	}
	ns.mu.Lock()
	e, ok := ns.entries[name]
	ns.mu.Unlock()
	if !ok {
		return nil, pyErrorf(pyNamingError, "unknown name: %s", name)
	}
	if withMeta {
		return Tuple{e.uri, strList(e.metadata)}, nil
	}
	return e.uri, nil
}

func (ns *nameServer) register(rawName, rawURI any, safe bool, rawMeta any) error {
	uri, err := uriFromValue(rawURI)
	if err != nil {
		return pyErrorf(pyPyroError, "invalid uri")
	}
	name, ok := rawName.(string)
	if !ok || name == "" {
		return pyErrorf(pyTypeError, "name must be a str")
	}
	meta, err := metadataArg("metadata", rawMeta)
	if err != nil {
		return err
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	if _, exists := ns.entries[name]; exists && safe {
		return pyErrorf(pyNamingError, "name already registered: %s", name)
	}
	ns.entries[name] = nsEntry{uri: uri, metadata: meta}
	return nil
}

func (ns *nameServer) setMetadata(rawName, rawMeta any) error {
	name, ok := rawName.(string)
	if !ok {
		return pyErrorf(pyTypeError, "name must be a str")
	}
	meta, err := metadataArg("metadata", rawMeta)
	if err != nil {
		return err
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	e, ok := ns.entries[name]
	if !ok {
		return pyErrorf(pyNamingError, "unknown name: %s", name)
	}
	e.metadata = meta
	ns.entries[name] = e
	return nil
}

// metadataArg checks a metadata argument: None or an iterable of strings
// (not a str). The result is sorted and without duplicates.
func metadataArg(field string, v any) ([]string, error) {
	if v == nil {
		return nil, nil
	}
	if _, isStr := v.(string); isStr {
		return nil, pyErrorf(pyTypeError, "%s should not be a str, but another iterable (set, list, etc)", field)
	}
	elems, ok := items(v)
	if !ok {
		return nil, pyErrorf(pyTypeError, "%s must be an iterable of str", field)
	}
	seen := map[string]bool{}
	for _, e := range elems {
		s, ok := e.(string)
		if !ok {
			return nil, pyErrorf(pyTypeError, "%s must be an iterable of str", field)
		}
		seen[s] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out, nil
}

func strList(ss []string) List {
	l := make(List, len(ss))
	for i, s := range ss {
		l[i] = s
	}
	return l
}

// truthy is Python's truth value for the simple types flags arrive as.
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case int64:
		return t != 0
	case string:
		return t != ""
	}
	return true
}

// anchoredRegexp compiles a Python re.match pattern (anchored at the start).
func anchoredRegexp(pattern string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(`^(?:` + pattern + `)`)
	if err != nil {
		return nil, pyErrorf(pyNamingError, "invalid regex: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}
