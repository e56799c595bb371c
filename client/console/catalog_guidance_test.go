package console

import (
	"regexp"
	"testing"
)

// TestGuidanceCatalogComplete: every guidance message has both languages,
// with the same formatting verbs in the same order, and none shares a
// number with catalog's messages.
func TestGuidanceCatalogComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	cat := guidanceCatalog()
	for id := msgPriceAmbiguous; id <= msgWatchRetrying; id++ {
		e, ok := cat[id]
		if !ok || e[English] == "" || e[Spanish] == "" {
			t.Errorf("message %d lacks a translation: %q", id, e)
			continue
		}
		if en, es := verbs.FindAllString(e[English], -1), verbs.FindAllString(e[Spanish], -1); len(en) != len(es) {
			t.Errorf("message %d: verbs %v in English, %v in Spanish", id, en, es)
		}
		if _, clash := catalog()[id]; clash {
			t.Errorf("message %d is in both catalogs", id)
		}
	}
	if len(cat) != int(msgWatchRetrying-msgPriceAmbiguous+1) {
		t.Errorf("guidance catalog has %d entries, want %d", len(cat), msgWatchRetrying-msgPriceAmbiguous+1)
	}
}
