package webpage

import (
	"strings"
	"testing"
)

func TestNewAsset(t *testing.T) {
	cases := []struct {
		name, file string
		wantType   string
		wantErr    bool
	}{
		{"script", "a.js", "text/javascript; charset=utf-8", false},
		{"styles", "a.css", "text/css; charset=utf-8", false},
		{"licences", "a.txt", "text/plain; charset=utf-8", false},
		{"icon", "a.svg", "image/svg+xml", false},
		{"unknown type", "a.exe", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := NewAsset("/x/", c.file, []byte("data"))
			if c.wantErr {
				if err == nil {
					t.Fatalf("NewAsset(%s) = %+v, want an error", c.file, a)
				}
				return
			}
			if err != nil || a.ContentType != c.wantType {
				t.Fatalf("NewAsset(%s) = %+v, %v; want type %s", c.file, a, err, c.wantType)
			}
			if !strings.HasPrefix(a.URL(), "/x/"+c.file+"?v=") || !strings.HasPrefix(a.SRI, "sha256-") {
				t.Errorf("URL %s, SRI %s", a.URL(), a.SRI)
			}
		})
	}
}
