package stock

import (
	"fmt"
	"strconv"
	"strings"
)

// PriceScale is the number of decimal places a Price keeps exactly.
const PriceScale = 4

// MaxPrice is the largest price accepted: one trillion units.
const MaxPrice Price = 1_000_000_000_000 * 10_000

// Price is an exact, non-negative amount of money in ten-thousandths of a
// currency unit. It is written and read as a decimal string ("19.99").
type Price int64

// ParsePrice parses a decimal string with at most PriceScale decimals, such
// as "19.99", "5" or "0.0150". Signs, exponents and separators are refused.
func ParsePrice(s string) (Price, error) {
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > PriceScale || !digits(whole) || !digits(frac) {
		return 0, violated(Violation{Field: "price", Rule: RuleDecimal, Value: s, Max: PriceScale},
			"%q is not a decimal amount like 19.99 (at most %d decimals)", s, PriceScale)
	}
	if len(whole) > 13 {
		return 0, violated(Violation{Field: "price", Rule: RuleTooLarge, Value: s}, "%q is too large", s)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac+strings.Repeat("0", PriceScale-len(frac)), 10, 64)
	}
	p := Price(w*10_000 + f)
	if p > MaxPrice {
		return 0, violated(Violation{Field: "price", Rule: RuleTooLarge, Value: s}, "%q is too large", s)
	}
	return p, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String formats p with at least two decimals and no trailing zeros beyond
// them: 19.99, 5.00, 0.015.
func (p Price) String() string {
	s := fmt.Sprintf("%d.%04d", int64(p)/10_000, int64(p)%10_000)
	for strings.HasSuffix(s, "0") && len(s)-strings.IndexByte(s, '.') > 3 {
		s = s[:len(s)-1]
	}
	return s
}

// MarshalText writes the decimal string.
func (p Price) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText parses a decimal string with ParsePrice.
func (p *Price) UnmarshalText(b []byte) error {
	v, err := ParsePrice(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
