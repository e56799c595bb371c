package console

import (
	"fmt"
	"maps"
	"strings"
)

// Lang is a language of the catalog.
type Lang int

// The languages of the catalog.
const (
	English Lang = iota
	Spanish
)

// DetectLang picks the language: flag ("en" or "es") when set, else Spanish
// when LC_ALL, LC_MESSAGES or LANG (the first one set) starts with "es",
// else English.
func DetectLang(flag string, getenv func(string) string) (Lang, error) {
	switch strings.ToLower(flag) {
	case "es", "spanish", "español":
		return Spanish, nil
	case "en", "english":
		return English, nil
	case "":
	default:
		return English, fmt.Errorf("language %q: %w", flag, ErrUsage)
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "es") {
				return Spanish, nil
			}
			return English, nil
		}
	}
	return English, nil
}

// Printer renders catalog messages in one language.
type Printer struct {
	lang Lang
	cat  map[msg][2]string
}

// NewPrinter returns a Printer for lang.
func NewPrinter(lang Lang) Printer {
	cat := catalog()
	maps.Copy(cat, guidanceCatalog())
	maps.Copy(cat, reportCatalog())
	maps.Copy(cat, everydayCatalog())
	maps.Copy(cat, reservationsCatalog())
	maps.Copy(cat, stocktakeCatalog())
	maps.Copy(cat, usageCatalog())
	maps.Copy(cat, lotsCatalog())
	maps.Copy(cat, replenishCatalog())
	return Printer{lang: lang, cat: cat}
}

// Lang returns the printer's language.
func (p Printer) Lang() Lang { return p.lang }

// T returns message id in the printer's language, formatted with args.
func (p Printer) T(id msg, args ...any) string {
	e, ok := p.cat[id]
	if !ok {
		return fmt.Sprintf("!(%d)", id)
	}
	s := e[p.lang]
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}
