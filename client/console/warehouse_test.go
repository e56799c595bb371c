package console

import (
	"testing"

	"github.com/stockmesh/stockmesh/client/remote"
)

func TestMatchWarehouse(t *testing.T) {
	ws := []remote.Warehouse{{ID: "MAD-1", Name: "Madrid", Local: true}, {ID: "BCN-1", Name: "Barcelona"},
		{ID: "VLC-1", Name: "Valencia"}, {ID: "VLC-2", Name: "Valencia"}, {ID: "SEV-1", Name: "Sevilla"}}
	tests := []struct {
		name      string
		text      string
		want      string   // the id found, "" for none
		close     []string // the ids suggested
		ambiguous bool
	}{
		{name: "id", text: "BCN-1", want: "BCN-1"},
		{name: "id in another case", text: "bcn-1", want: "BCN-1"},
		{name: "name", text: "Barcelona", want: "BCN-1"},
		{name: "name in another case, with spaces", text: "  sevilla ", want: "SEV-1"},
		{name: "a name two warehouses share", text: "Valencia", close: []string{"VLC-1", "VLC-2"}, ambiguous: true},
		{name: "an id in another case stays exact", text: "vlc-2", want: "VLC-2"},
		{name: "a typo", text: "Barcelna", close: []string{"BCN-1"}},
		{name: "part of a name", text: "Sev", close: []string{"SEV-1"}},
		{name: "nothing close", text: "Zaragoza"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := matchWarehouse(ws, tt.text)
			if m.ok != (tt.want != "") || m.found.ID != tt.want {
				t.Fatalf("found %q (ok %v), want %q", m.found.ID, m.ok, tt.want)
			}
			var close []string
			for _, w := range m.close {
				close = append(close, w.ID)
			}
			if len(close) != len(tt.close) || m.ambiguous != tt.ambiguous {
				t.Fatalf("suggested %v (ambiguous %v), want %v (%v)", close, m.ambiguous, tt.close, tt.ambiguous)
			}
			for i := range close {
				if close[i] != tt.close[i] {
					t.Fatalf("suggested %v, want %v", close, tt.close)
				}
			}
		})
	}
}

func TestWarehouseLabels(t *testing.T) {
	ws := []remote.Warehouse{{ID: "VLC-1", Name: "Valencia"}, {ID: "BCN-1", Name: "BCN-1"}, {ID: "SEV-1", Name: "Sevilla"}}
	tests := []struct {
		name string
		lang Lang
		ws   []remote.Warehouse
		want string
	}{
		{name: "one", ws: ws[:1], want: "VLC-1 (Valencia)"},
		{name: "a name that is the id", ws: ws[1:2], want: "BCN-1"},
		{name: "three in English", ws: ws, want: "VLC-1 (Valencia), BCN-1 or SEV-1 (Sevilla)"},
		{name: "two in Spanish", lang: Spanish, ws: ws[:2], want: "VLC-1 (Valencia) o BCN-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := labels(NewPrinter(tt.lang), tt.ws); got != tt.want {
				t.Fatalf("labels = %q, want %q", got, tt.want)
			}
		})
	}
}
