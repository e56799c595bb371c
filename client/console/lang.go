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

// catalogBlock is one catalog of messages and the block of numbers its
// constants take, first to last.
type catalogBlock struct {
	name        string
	first, last msg
	messages    func() map[msg][2]string
}

// catalogs lists every catalog a Printer holds; TestCatalogsComplete checks
// each against its block of numbers.
var catalogs = []catalogBlock{
	{"base", msgMenuTitle, msgUsage, catalog},
	{"guidance", msgPriceAmbiguous, msgWatchRetrying, guidanceCatalog},
	{"reports", msgWatchLow, msgChangeDeleted, reportCatalog},
	{"everyday", msgOr, msgLineDuplicate, everydayCatalog},
	{"reservations", msgReserved, msgOverReserved, reservationsCatalog},
	{"stocktake", msgStocktakeStarted, msgColCountedBy, stocktakeCatalog},
	{"lots", msgKindRelocation, msgBinAdded, lotsCatalog},
	{"replenishment", msgColMaxStock, msgFieldReason, replenishCatalog},
	{"usage", msgUsageMissing, msgUsageFile, usageCatalog},
}

// NewPrinter returns a Printer for lang.
func NewPrinter(lang Lang) Printer {
	cat := map[msg][2]string{}
	for _, c := range catalogs {
		maps.Copy(cat, c.messages())
	}
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
