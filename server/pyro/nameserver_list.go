package pyro

import "sort"

// filter selects name server entries for list and remove.
type filter func(name string, e nsEntry) bool

// nsFilter builds the one filter list accepts; more than one is a ValueError.
func nsFilter(prefix, regex, all, anyOf any) (filter, error) {
	n := 0
	for _, v := range []any{prefix, regex, all, anyOf} {
		if v != nil {
			n++
		}
	}
	if n > 1 {
		return nil, pyErrorf(pyValueError, "you can only filter on one thing at a time")
	}
	switch {
	case prefix != nil:
		p, ok := prefix.(string)
		if !ok {
			return nil, pyErrorf(pyTypeError, "prefix must be a str")
		}
		return func(name string, _ nsEntry) bool { return len(name) >= len(p) && name[:len(p)] == p }, nil
	case regex != nil:
		return regexFilter(regex)
	case all != nil:
		return metaFilter("metadata_all", all, true)
	case anyOf != nil:
		return metaFilter("metadata_any", anyOf, false)
	}
	return func(string, nsEntry) bool { return true }, nil
}

func regexFilter(v any) (filter, error) {
	s, ok := v.(string)
	if !ok {
		return nil, pyErrorf(pyTypeError, "regex must be a str")
	}
	re, err := anchoredRegexp(s)
	if err != nil {
		return nil, err
	}
	return func(name string, _ nsEntry) bool { return re.MatchString(name) }, nil
}

// metaFilter matches entries having all (or any) of the given tags.
func metaFilter(field string, v any, all bool) (filter, error) {
	want, err := metadataArg(field, v)
	if err != nil {
		return nil, err
	}
	return func(_ string, e nsEntry) bool {
		have := map[string]bool{}
		for _, m := range e.metadata {
			have[m] = true
		}
		hits := 0
		for _, w := range want {
			if have[w] {
				hits++
			}
		}
		if all {
			return hits == len(want)
		}
		return hits > 0
	}, nil
}

func (ns *nameServer) list(prefix, regex, all, anyOf any, withMeta bool) (any, error) {
	f, err := nsFilter(prefix, regex, all, anyOf)
	if err != nil {
		return nil, err
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	out := Dict{}
	for _, name := range sortedNames(ns.entries) {
		e := ns.entries[name]
		if !f(name, e) {
			continue
		}
		if withMeta {
			out = append(out, Pair{name, Tuple{e.uri.String(), strList(e.metadata)}})
		} else {
			out = append(out, Pair{name, e.uri.String()})
		}
	}
	return out, nil
}

// remove deletes one name, or every name matching prefix or regex, never
// the name server's own entry; it returns how many it removed.
func (ns *nameServer) remove(name, prefix, regex any) (any, error) {
	if n, ok := name.(string); ok && n != "" && n != NameServerName {
		ns.mu.Lock()
		defer ns.mu.Unlock()
		if _, exists := ns.entries[n]; exists {
			delete(ns.entries, n)
			return int64(1), nil
		}
		return int64(0), nil
	}
	if truthy(prefix) == truthy(regex) {
		return int64(0), nil
	}
	f, err := nsFilter(prefix, regex, nil, nil)
	if err != nil {
		return nil, err
	}
	ns.mu.Lock()
	defer ns.mu.Unlock()
	removed := int64(0)
	for n, e := range ns.entries {
		if n != NameServerName && f(n, e) {
			delete(ns.entries, n)
			removed++
		}
	}
	return removed, nil
}

func sortedNames(m map[string]nsEntry) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
