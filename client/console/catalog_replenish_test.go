package console

import (
	"regexp"
	"testing"
)

// TestReplenishCatalogComplete: every replenishment message has both
// languages, with the same formatting verbs, and none shares a number
// with another catalog's messages.
func TestReplenishCatalogComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	cat := replenishCatalog()
	others := []map[msg][2]string{catalog(), guidanceCatalog(), reportCatalog(), everydayCatalog(), reservationsCatalog(), stocktakeCatalog()}
	for id := msgColMaxStock; id <= msgRequestDeclinedSaid; id++ {
		e, ok := cat[id]
		if !ok || e[English] == "" || e[Spanish] == "" {
			t.Errorf("message %d lacks a translation: %q", id, e)
			continue
		}
		if en, es := verbs.FindAllString(e[English], -1), verbs.FindAllString(e[Spanish], -1); len(en) != len(es) {
			t.Errorf("message %d: verbs %v in English, %v in Spanish", id, en, es)
		}
		for _, o := range others {
			if _, clash := o[id]; clash {
				t.Errorf("message %d is in two catalogs", id)
			}
		}
	}
	if len(cat) != int(msgRequestDeclinedSaid-msgColMaxStock+1) {
		t.Errorf("the catalog has %d messages, the constants %d", len(cat), msgRequestDeclinedSaid-msgColMaxStock+1)
	}
}
