package console

import (
	"errors"
	"strings"
	"testing"
)

func TestParsePrice(t *testing.T) {
	tests := []struct {
		name, in, want string
		lang           Lang
		err            error
	}{
		{name: "en point", in: "9.99", want: "9.99"},
		{name: "en whole", in: "12", want: "12"},
		{name: "en leading zeros", in: "007.50", want: "7.50"},
		{name: "en no whole part", in: ".5", want: "0.5"},
		{name: "en four decimals", in: " 0.1234 ", want: "0.1234"},
		{name: "en five decimals", in: "0.12345", err: ErrBadPrice},
		{name: "en negative", in: "-1", err: ErrBadPrice},
		{name: "en letters", in: "abc", err: ErrBadPrice},
		{name: "en empty", in: "", err: ErrBadPrice},
		{name: "en lone point", in: ".", err: ErrBadPrice},
		{name: "en two points", in: "1.000.50", err: ErrBadPrice},
		{name: "en thousands", in: "1,000", err: ErrAmbiguousPrice},
		{name: "en thousands and decimals, as shown", in: "12,345.50", want: "12345.50"},
		{name: "en millions and decimals", in: "1,234,567.5", want: "1234567.5"},
		{name: "en grouping in the wrong place", in: "12,34.50", err: ErrAmbiguousPrice},
		{name: "en grouping in the decimals", in: "1.234,5", err: ErrAmbiguousPrice},
		{name: "en leading separator", in: ",123.50", err: ErrAmbiguousPrice},
		{name: "en spanish decimal", in: "9,99", err: ErrAmbiguousPrice},
		{name: "es comma", lang: Spanish, in: "9,99", want: "9.99"},
		{name: "es whole", lang: Spanish, in: "1500", want: "1500"},
		{name: "es no whole part", lang: Spanish, in: ",5", want: "0.5"},
		{name: "es five decimals", lang: Spanish, in: "0,12345", err: ErrBadPrice},
		{name: "es thousands", lang: Spanish, in: "1.500", err: ErrAmbiguousPrice},
		{name: "es thousands and decimals, as shown", lang: Spanish, in: "12.345,50", want: "12345.50"},
		{name: "es four digits grouped", lang: Spanish, in: "1.234,50", want: "1234.50"},
		{name: "es grouping in the wrong place", lang: Spanish, in: "1.23,50", err: ErrAmbiguousPrice},
		{name: "es english decimal", lang: Spanish, in: "9.99", err: ErrAmbiguousPrice},
		{name: "es lone comma", lang: Spanish, in: ",", err: ErrBadPrice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePrice(tt.lang, tt.in)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("ParsePrice(%q) = %q, %v; want %v", tt.in, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParsePrice(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestPricePastesBack: a price as FormatPrice shows it is read back as the
// same amount, in both languages.
func TestPricePastesBack(t *testing.T) {
	for _, dec := range []string{"0.5", "9.99", "1234.5", "12345.5", "1234567.1234", "1000000"} {
		for _, lang := range []Lang{English, Spanish} {
			shown := FormatPrice(lang, dec)
			t.Run(shown, func(t *testing.T) {
				got, err := ParsePrice(lang, shown)
				if err != nil {
					t.Fatalf("ParsePrice(%q): %v", shown, err)
				}
				if amount(got) != amount(dec) {
					t.Fatalf("ParsePrice(%q) = %q, want %s", shown, got, dec)
				}
			})
		}
	}
}

// amount writes a decimal without trailing zeros in its fraction.
func amount(dec string) string {
	whole, frac, _ := strings.Cut(dec, ".")
	if frac = strings.TrimRight(frac, "0"); frac == "" {
		return whole
	}
	return whole + "." + frac
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
