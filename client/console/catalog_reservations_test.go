package console

import (
	"regexp"
	"testing"
)

// TestReservationsCatalogComplete: every reservation message has both
// languages, with the same formatting verbs, and none shares a number
// with another catalog's messages.
func TestReservationsCatalogComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	cat := reservationsCatalog()
	others := []map[msg][2]string{catalog(), guidanceCatalog(), reportCatalog(), everydayCatalog()}
	for id := msgReserved; id <= msgOverReserved; id++ {
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
	if len(cat) != int(msgOverReserved-msgReserved+1) {
		t.Errorf("reservations catalog has %d entries, want %d", len(cat), msgOverReserved-msgReserved+1)
	}
}

// TestParseExpiry: the durations reserve --expires takes.
func TestParseExpiry(t *testing.T) {
	cases := []struct {
		in   string
		secs int64
		ok   bool
	}{
		{"2h", 7200, true}, {"90m", 5400, true}, {"1d", 86400, true}, {"45s", 45, true},
		{"0s", 0, false}, {"500ms", 0, false}, {"-1h", 0, false}, {"0d", 0, false}, {"soon", 0, false}, {"", 0, false},
	}
	for _, c := range cases {
		d, ok := parseExpiry(c.in)
		if ok != c.ok || (ok && int64(d.Seconds()) != c.secs) {
			t.Errorf("parseExpiry(%q) = %v, %v; want %ds, %v", c.in, d, ok, c.secs, c.ok)
		}
	}
}

// TestStocktakeCatalogComplete: every stocktake message has both
// languages, with the same formatting verbs, and none shares a number
// with another catalog's messages.
func TestStocktakeCatalogComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	cat := stocktakeCatalog()
	others := []map[msg][2]string{catalog(), guidanceCatalog(), reportCatalog(), everydayCatalog(), reservationsCatalog()}
	for id := msgStocktakeStarted; id <= msgColCountedBy; id++ {
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
	if len(cat) != int(msgColCountedBy-msgStocktakeStarted+1) {
		t.Errorf("stocktake catalog has %d entries, want %d", len(cat), msgColCountedBy-msgStocktakeStarted+1)
	}
}
