package console

import (
	"errors"
	"testing"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		name, in, want string
		bad            bool
	}{
		{name: "dot", in: "9.99", want: "9.99"},
		{name: "comma", in: "9,99", want: "9.99"},
		{name: "whole", in: "12", want: "12"},
		{name: "leading zeros", in: "007.50", want: "7.50"},
		{name: "no whole part", in: ".5", want: "0.5"},
		{name: "four decimals", in: " 0.1234 ", want: "0.1234"},
		{name: "five decimals", in: "0.12345", bad: true},
		{name: "negative", in: "-1", bad: true},
		{name: "letters", in: "abc", bad: true},
		{name: "thousands", in: "1,234.50", bad: true},
		{name: "empty", in: "", bad: true},
		{name: "lone point", in: ".", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePrice(tt.in)
			if tt.bad {
				if !errors.Is(err, ErrBadPrice) {
					t.Fatalf("ParsePrice(%q) = %q, %v; want ErrBadPrice", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePrice(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatNumbers(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{name: "int en small", got: FormatInt(English, 999), want: "999"},
		{name: "int en thousands", got: FormatInt(English, 1234567), want: "1,234,567"},
		{name: "int en negative", got: FormatInt(English, -1234), want: "-1,234"},
		{name: "int es four digits", got: FormatInt(Spanish, 1234), want: "1234"},
		{name: "int es five digits", got: FormatInt(Spanish, 12345), want: "12.345"},
		{name: "signed positive", got: FormatSigned(English, 5), want: "+5"},
		{name: "signed negative", got: FormatSigned(English, -3), want: "-3"},
		{name: "signed zero", got: FormatSigned(English, 0), want: "0"},
		{name: "price en", got: FormatPrice(English, "1234.5"), want: "1,234.50"},
		{name: "price es", got: FormatPrice(Spanish, "12345.5"), want: "12.345,50"},
		{name: "price whole", got: FormatPrice(English, "9"), want: "9.00"},
		{name: "price four decimals", got: FormatPrice(Spanish, "0.1234"), want: "0,1234"},
		{name: "price not decimal", got: FormatPrice(English, "n/a"), want: "n/a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
