package stock

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestCheckOwner: changes to the local warehouse (named or not) pass
// without a lookup; another warehouse is FORBIDDEN naming its node, by URL
// when known; an unknown one is NOT_FOUND; a failed lookup is returned.
func TestCheckOwner(t *testing.T) {
	local := &Warehouse{ID: "MAD-1", Local: true}
	held := map[string]*Warehouse{
		"BCN-1": {ID: "BCN-1", URL: "https://bcn.example:8443"},
		"VLC-1": {ID: "VLC-1"},
	}
	broken := errors.New("lookup failed")
	cases := []struct {
		name, id  string
		code      Code
		says      string
		elsewhere *Elsewhere
		err       error
	}{
		{name: "omitted", id: ""},
		{name: "local named", id: "MAD-1"},
		{name: "owned elsewhere, URL known", id: "BCN-1", code: CodeForbidden,
			says: "warehouse BCN-1 belongs to node https://bcn.example:8443; ", elsewhere: &Elsewhere{Warehouse: "BCN-1", Node: "https://bcn.example:8443"}},
		{name: "owned elsewhere, URL unknown", id: "VLC-1", code: CodeForbidden,
			says: "warehouse VLC-1 belongs to node of VLC-1; ", elsewhere: &Elsewhere{Warehouse: "VLC-1"}},
		{name: "not held", id: "NOPE-1", code: CodeNotFound, says: "warehouse NOPE-1 is not known", elsewhere: &Elsewhere{Warehouse: "NOPE-1"}},
		{name: "lookup fails", id: "ERR-1", err: broken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := CheckOwner(local, c.id, func(id string) (*Warehouse, error) {
				if id == local.ID || id == "" {
					t.Fatalf("looked up %q", id)
				}
				if id == "ERR-1" {
					return nil, broken
				}
				return held[id], nil
			})
			switch {
			case c.err != nil:
				if !errors.Is(err, c.err) {
					t.Errorf("got %v, want %v", err, c.err)
				}
			case c.code == "":
				if err != nil {
					t.Errorf("got %v, want nil", err)
				}
			case CodeOf(err) != c.code || !strings.Contains(err.Error(), c.says) || !reflect.DeepEqual(ElsewhereOf(err), c.elsewhere):
				t.Errorf("got %s %q %+v, want %s saying %q, %+v", CodeOf(err), err, ElsewhereOf(err), c.code, c.says, c.elsewhere)
			}
		})
	}
}
