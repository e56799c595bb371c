package stock

import (
	"errors"
	"testing"
)

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in   string
		want Price
		out  string // String() of the result
		bad  bool
	}{
		{in: "19.99", want: 199900, out: "19.99"},
		{in: "5", want: 50000, out: "5.00"},
		{in: "0", want: 0, out: "0.00"},
		{in: "0.015", want: 150, out: "0.015"},
		{in: "12.3400", want: 123400, out: "12.34"},
		{in: "1000000000000", want: MaxPrice, out: "1000000000000.00"},
		{in: "", bad: true},
		{in: "1.", bad: true},
		{in: ".5", bad: true},
		{in: "-1", bad: true},
		{in: "+1", bad: true},
		{in: "1e3", bad: true},
		{in: "12,50", bad: true},
		{in: "1.23456", bad: true},
		{in: "1.2.3", bad: true},
		{in: "1000000000000.01", bad: true},
		{in: "99999999999999", bad: true},
		{in: " 1", bad: true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			p, err := ParsePrice(c.in)
			if c.bad {
				if !errors.Is(err, ErrInvalidInput) {
					t.Fatalf("ParsePrice(%q) = %v, %v; want INVALID_INPUT", c.in, p, err)
				}
				return
			}
			if err != nil || p != c.want || p.String() != c.out {
				t.Fatalf("ParsePrice(%q) = %d (%s), %v; want %d (%s)", c.in, p, p, err, c.want, c.out)
			}
			var back Price
			if err := back.UnmarshalText([]byte(p.String())); err != nil || back != p {
				t.Fatalf("round trip of %s gave %d, %v", p, back, err)
			}
		})
	}
}
