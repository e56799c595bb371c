package scalar

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestUnmarshalInt(t *testing.T) {
	cases := []struct {
		name string
		in   any
		want int64
		msg  string // the error's message; "" when accepted
	}{
		{"literal", int64(5), 5, ""},
		{"variable", json.Number("5"), 5, ""},
		{"negative", json.Number("-7"), -7, ""},
		{"decoded float", 12.0, 12, ""},
		{"largest", json.Number("2147483647"), 1<<31 - 1, ""},
		{"smallest", int64(-1 << 31), -1 << 31, ""},
		{"string", "5", 0, `Int: "5" is a string, not an integer`},
		{"fraction", json.Number("5.5"), 0, "Int: 5.5 is not an integer"},
		{"fraction of zero", json.Number("5.0"), 0, "Int: 5.0 is not an integer"},
		{"exponent", json.Number("1e3"), 0, "Int: 1e3 is not an integer"},
		{"decoded fraction", 0.25, 0, "Int: 0.25 is not an integer"},
		{"beyond 32 bits", json.Number("2147483648"), 0, "Int: 2147483648 is out of range (-2147483648 to 2147483647)"},
		{"literal beyond 32 bits", int64(1 << 40), 0, "Int: 1099511627776 is out of range (-2147483648 to 2147483647)"},
		{"beyond 64 bits", json.Number("99999999999999999999"), 0, "Int: 99999999999999999999 is out of range (-2147483648 to 2147483647)"},
		{"decoded beyond 32 bits", 1e10, 0, "Int: 1e+10 is out of range (-2147483648 to 2147483647)"},
		{"boolean", true, 0, "Int: must be an integer, not a bool"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := UnmarshalInt(c.in)
			switch {
			case c.msg == "" && (err != nil || got != c.want):
				t.Fatalf("UnmarshalInt(%#v) = %d, %v; want %d", c.in, got, err, c.want)
			case c.msg != "" && (err == nil || err.Error() != c.msg || !errors.Is(err, stock.ErrInvalidInput)):
				t.Fatalf("UnmarshalInt(%#v) = %d, %v; want INVALID_INPUT %q", c.in, got, err, c.msg)
			}
		})
	}
}

func TestUnmarshalTime(t *testing.T) {
	cases := []struct {
		name string
		in   any
		ok   bool
	}{
		{"RFC 3339", "2026-11-23T10:15:00Z", true},
		{"with nanoseconds and zone", "2026-11-23T10:15:00.123456789+01:00", true},
		{"a date alone", "2026-11-23", false},
		{"a word", "yesterday", false},
		{"a number", json.Number("1700000000"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := UnmarshalTime(c.in)
			if c.ok != (err == nil) || (err != nil && !errors.Is(err, stock.ErrInvalidInput)) {
				t.Fatalf("UnmarshalTime(%#v) = %v, want ok=%v", c.in, err, c.ok)
			}
		})
	}
}

func TestUnmarshalID(t *testing.T) {
	tests := []struct {
		in      any
		want    string
		wantErr bool
	}{
		{"MAD-1", "MAD-1", false},
		{nil, "", false},
		{int64(42), "42", false},
		{json.Number("7"), "7", false},
		{json.Number("7.5"), "", true},
		{true, "", true},
		{3.5, "", true},
	}
	for _, tt := range tests {
		got, err := UnmarshalID(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("UnmarshalID(%#v) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
