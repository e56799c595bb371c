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

// ParsePrice reads a price typed by a person, such as "9.99", "9,99" or "12",
// and returns it in the node's Decimal form ("9.99"). Thousands separators,
// signs, and more than four decimals are refused with ErrBadPrice.
func ParsePrice(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.Count(s, ".")+strings.Count(s, ",") > 1 {
		return "", ErrBadPrice
	}
	s = strings.Replace(s, ",", ".", 1)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if !digits(whole) || (frac != "" && !digits(frac)) || len(frac) > 4 || s == "." {
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
