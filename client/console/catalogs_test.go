package console

import (
	"regexp"
	"testing"
)

// TestCatalogsComplete: every message of every catalog has both languages,
// with the same formatting verbs, each catalog holds exactly its block of
// numbers, and no number is in two catalogs.
func TestCatalogsComplete(t *testing.T) {
	verbs := regexp.MustCompile(`%[a-z]`)
	owner := map[msg]string{}
	for _, c := range catalogs {
		t.Run(c.name, func(t *testing.T) {
			cat := c.messages()
			for id := c.first; id <= c.last; id++ {
				e, ok := cat[id]
				if !ok || e[English] == "" || e[Spanish] == "" {
					t.Errorf("message %d lacks a translation: %q", id, e)
					continue
				}
				if en, es := verbs.FindAllString(e[English], -1), verbs.FindAllString(e[Spanish], -1); len(en) != len(es) {
					t.Errorf("message %d: verbs %v in English, %v in Spanish", id, en, es)
				}
			}
			if len(cat) != int(c.last-c.first+1) {
				t.Errorf("the catalog has %d messages, its constants %d", len(cat), c.last-c.first+1)
			}
			for id := range cat {
				if other, clash := owner[id]; clash {
					t.Errorf("message %d is in the %s catalog too", id, other)
				}
				owner[id] = c.name
			}
		})
	}
}
