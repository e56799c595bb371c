package console

import "testing"

// TestReportCatalogComplete: every report message has both languages, in
// a block of numbers no other catalog uses.
func TestReportCatalogComplete(t *testing.T) {
	cat := reportCatalog()
	for id := msgWatchLow; id <= msgChangeDeleted; id++ {
		if e, ok := cat[id]; !ok || e[English] == "" || e[Spanish] == "" {
			t.Errorf("report message %d lacks a translation: %q", id, e)
		}
	}
	if len(cat) != int(msgChangeDeleted-msgWatchLow+1) {
		t.Errorf("report catalog has %d entries, want %d", len(cat), msgChangeDeleted-msgWatchLow+1)
	}
	for id := range guidanceCatalog() {
		if _, clash := cat[id]; clash {
			t.Errorf("message %d is in both the guidance and the report catalogs", id)
		}
	}
	for id := range catalog() {
		if _, clash := cat[id]; clash {
			t.Errorf("message %d is in both the base and the report catalogs", id)
		}
	}
}
