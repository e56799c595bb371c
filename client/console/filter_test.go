package console

import (
	"flag"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
)

// TestFilterKinds: --kind takes one kind or several, comma-separated, in
// English or Spanish, transfers' and relocations too; an unknown one is a
// usage error that names it.
func TestFilterKinds(t *testing.T) {
	tests := []struct {
		arg     string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"sale", []string{api.KindSale}, ""},
		{"sale,return", []string{api.KindSale, api.KindReturn}, ""},
		{"venta, devolución", []string{api.KindSale, api.KindReturn}, ""},
		{"transfer_out", []string{api.KindTransferOut}, ""},
		{"transfer out,TRANSFER_IN", []string{api.KindTransferOut, api.KindTransferIn}, ""},
		{"salida por transferencia,entrada", []string{api.KindTransferOut, api.KindTransferIn}, ""},
		{"relocation", []string{api.KindRelocation}, ""},
		{"reubicación,venta", []string{api.KindRelocation, api.KindSale}, ""},
		{"sale,frob", nil, `"frob" is not a kind of movement; use purchase, sale, return, adjustment, transfer_out, transfer_in or relocation`},
	}
	for _, tc := range tests {
		t.Run(tc.arg, func(t *testing.T) {
			fs := flag.NewFlagSet("history", flag.ContinueOnError)
			ff := addFilterFlags(fs)
			if err := fs.Parse([]string{"--kind", tc.arg}); err != nil {
				t.Fatal(err)
			}
			f, err := ff.filter(NewPrinter(English))
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

// TestFilterDays: a day given as --to takes in the whole day in the local
// time zone, so that --from D --to D is day D; a time stays exact.
func TestFilterDays(t *testing.T) {
	day := func(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.Local) }
	exact := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name, from, to string
		lang           Lang
		wantFrom       time.Time
		wantTo         time.Time
		wantErr        string
	}{
		{name: "one day", from: "2026-12-07", to: "2026-12-07", wantFrom: day(2026, 12, 7), wantTo: day(2026, 12, 8)},
		{name: "to the end of a month", to: "2026-11-30", wantTo: day(2026, 12, 1)},
		{name: "to the end of a year", to: "2026-12-31", wantTo: day(2027, 1, 1)},
		{name: "an exact time", to: "2026-12-07T10:30:00Z", wantTo: exact},
		{name: "to before from", from: "2026-12-08", to: "2026-12-07", wantErr: "--to 2026-12-07 ends before --from 2026-12-08 begins"},
		{name: "not a day, in Spanish", from: "ayer", lang: Spanish, wantErr: `--from: "ayer" no es un día`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("history", flag.ContinueOnError)
			ff := addFilterFlags(fs)
			if err := fs.Parse([]string{"--from", tt.from, "--to", tt.to}); err != nil {
				t.Fatal(err)
			}
			f, err := ff.filter(NewPrinter(tt.lang))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("filter() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("filter(): %v", err)
			}
			if got := timeOrZero(f.From); !got.Equal(tt.wantFrom) {
				t.Errorf("from = %v, want %v", got, tt.wantFrom)
			}
			if got := timeOrZero(f.To); !got.Equal(tt.wantTo) {
				t.Errorf("to = %v, want %v", got, tt.wantTo)
			}
		})
	}
}

// timeOrZero returns *t, or the zero time for nil.
func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
