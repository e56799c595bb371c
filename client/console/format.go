package console

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// ErrBadPrice reports text that is not a non-negative decimal with at most
// four decimals.
var ErrBadPrice = errors.New("console: not a price")

// ErrAmbiguousPrice reports a price written with a separator the language
// does not read as its decimal mark where it could be misread: a
// thousands separator without decimals ("1,000" or "1.500"), grouping in
// the wrong places, or the other language's decimal mark. Such a price is
// refused, never guessed.
var ErrAmbiguousPrice = errors.New("console: ambiguous price")

// ParsePrice reads a price typed by a person in lang's convention and
// returns it in the node's Decimal form ("9.99"): English writes "9.99",
// Spanish "9,99". Thousands may be grouped as FormatPrice shows them
// ("12,345.50", "12.345,50") when the price has decimals, so that a
// displayed price can be pasted back. The other separator without the
// decimal mark ("1,000" or "9,99" in English, "1.500" or "9.99" in
// Spanish), or grouping in the wrong places, gives ErrAmbiguousPrice;
// signs, letters and more than four decimals give ErrBadPrice.
func ParsePrice(lang Lang, s string) (string, error) {
	s = strings.TrimSpace(s)
	point, other := ".", ","
	if lang == Spanish {
		point, other = ",", "."
	}
	if s == "" || s == point || strings.Count(s, point) > 1 {
		return "", ErrBadPrice
	}
	whole, frac, hasPoint := strings.Cut(s, point)
	if strings.Contains(frac, other) || (strings.Contains(whole, other) && !hasPoint) {
		return "", ErrAmbiguousPrice
	}
	if strings.Contains(whole, other) {
		if !grouped(whole, other) {
			return "", ErrAmbiguousPrice
		}
		whole = strings.ReplaceAll(whole, other, "")
	}
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (frac != "" && !digits(frac)) || len(frac) > 4 {
		return "", ErrBadPrice
	}
	whole = strings.TrimLeft(whole, "0")
	if whole == "" {
		whole = "0"
	}
	if frac == "" {
		return whole, nil
	}
	return whole + "." + frac, nil
}

// grouped reports whether s is digits grouped by sep in threes from the
// right, as FormatInt writes them: 1 to 3 digits, then groups of 3.
func grouped(s, sep string) bool {
	parts := strings.Split(s, sep)
	if len(parts[0]) < 1 || len(parts[0]) > 3 || !digits(parts[0]) {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) != 3 || !digits(p) {
			return false
		}
	}
	return true
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ParseInt reads a whole number typed by a person; a leading + is allowed.
func ParseInt(s string) (int, error) {
	return strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(s), "+"))
}

// FormatInt writes n with the language's thousands separator: 12,345 in
// English, 12.345 in Spanish (which, like the RAE, leaves four-digit numbers
// such as 1234 ungrouped).
func FormatInt(lang Lang, n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	sep := ","
	if lang == Spanish {
		sep = "."
		if len(s) <= 4 {
			return sign + s
		}
	}
	return sign + group(s, sep)
}

// group inserts sep every three digits from the right.
func group(s, sep string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FormatSigned writes n with an explicit sign, such as +5 or -3.
func FormatSigned(lang Lang, n int) string {
	if n > 0 {
		return "+" + FormatInt(lang, n)
	}
	return FormatInt(lang, n)
}

// FormatPrice writes a Decimal string from the node with at least two
// decimals and the language's separators: 1,234.50 in English, 1234,50 in
// Spanish. Text that is not a decimal is returned unchanged.
func FormatPrice(lang Lang, dec string) string {
	whole, frac, _ := strings.Cut(dec, ".")
	n, err := strconv.Atoi(whole)
	if err != nil || (frac != "" && !digits(frac)) {
		return dec
	}
	for len(frac) < 2 {
		frac += "0"
	}
	point := "."
	if lang == Spanish {
		point = ","
	}
	return FormatInt(lang, n) + point + frac
}

// FormatTime writes t in local time, with the date only when it is not today.
func FormatTime(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t, now = t.Local(), now.Local()
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04")
}

// priceProblem says, in p's language, why s is not a price and how to
// write one.
func priceProblem(p Printer, s string, err error) string {
	if errors.Is(err, ErrAmbiguousPrice) {
		return p.T(msgPriceAmbiguous, s)
	}
	return p.T(msgBadPrice, s)
}
