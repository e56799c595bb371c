package console

import (
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/client/remote"
)

// TestFilterKinds: --kind takes one kind or several, comma-separated, in
// English or Spanish; an unknown one is a usage error that names it.
func TestFilterKinds(t *testing.T) {
	tests := []struct {
		arg     string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"sale", []string{remote.KindSale}, ""},
		{"sale,return", []string{remote.KindSale, remote.KindReturn}, ""},
		{"venta, devolución", []string{remote.KindSale, remote.KindReturn}, ""},
		{"sale,frob", nil, `"frob" is not purchase`},
	}
	for _, tc := range tests {
		t.Run(tc.arg, func(t *testing.T) {
			fs := flag.NewFlagSet("history", flag.ContinueOnError)
			ff := addFilterFlags(fs)
			if err := fs.Parse([]string{"--kind", tc.arg}); err != nil {
				t.Fatal(err)
			}
			f, err := ff.filter()
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("filter() error = %v, want one containing %q", err, tc.wantErr)
				}
			case err != nil:
				t.Fatalf("filter(): %v", err)
			case !slices.Equal(f.Kinds, tc.want):
				t.Fatalf("kinds = %q, want %q", f.Kinds, tc.want)
			}
		})
	}
}
