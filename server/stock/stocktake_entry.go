package stock

// stocktakeStatusOf is the status each stocktake entry type leaves.
var stocktakeStatusOf = map[EntryType]StocktakeStatus{
	EntryStocktakeStarted: StocktakeOpen, EntryStocktakeCounted: StocktakeOpen,
	EntryStocktakeFinalized: StocktakeFinalized, EntryStocktakeCancelled: StocktakeCancelled,
}

// checkStocktake checks a stocktake entry's stocktake: the entry's own
// (its warehouse, an id of that warehouse, the one the entry makes when it
// starts it), the status its type leaves with the times of that status,
// and each line's sku and quantities by the API's rules; a line carries
// a count, its expected quantity, who and when together, only in a
// stocktake.counted entry, and never a price.
func (e *LogEntry) checkStocktake() error {
	s := e.Stocktake
	n, idOK := seqAfter(s.ID, e.Origin+":S")
	switch {
	case s.Warehouse != e.Origin:
		return InvalidEntry(e, "stocktake.warehouse", "is not the entry's origin")
	case !idOK || (e.Type == EntryStocktakeStarted && n != e.Seq):
		return InvalidEntry(e, "stocktake.id", "%.80q is not the stocktake id of %s its entry makes", s.ID, e.Origin)
	case s.Status != stocktakeStatusOf[e.Type]:
		return InvalidEntry(e, "stocktake.status", "%.40q is not the status a %s entry leaves", s.Status, e.Type)
	case (s.EndedAt != nil) == (s.Status == StocktakeOpen):
		return InvalidEntry(e, "stocktake.endedAt", "is set exactly when the stocktake ended")
	case (s.FinalizedAt != nil) != (s.Status == StocktakeFinalized):
		return InvalidEntry(e, "stocktake.finalizedAt", "is set exactly when the stocktake was finalized")
	case len(s.Lines) > 0 && e.Type != EntryStocktakeStarted && e.Type != EntryStocktakeCounted:
		return InvalidEntry(e, "stocktake.lines", "a %s entry carries no lines", e.Type)
	}
	err := exactText("note", s.Note, MaxNoteLen, false)
	if err == nil {
		err = checkTime("createdAt", s.CreatedAt)
	}
	for i := 0; err == nil && i < len(s.Lines); i++ {
		err = e.checkStocktakeLine(&s.Lines[i])
	}
	return asEntryError(e, "stocktake", err)
}

// checkStocktakeLine checks one line of a stocktake entry.
func (e *LogEntry) checkStocktakeLine(l *StocktakeLine) error {
	counted := e.Type == EntryStocktakeCounted
	switch {
	case l.Price != 0:
		return invalid("lines.price", "is read from the product, never logged")
	case (l.Counted != nil) != counted || (l.Expected != nil) != counted || (l.CountedAt != nil) != counted || (l.CountedBy != nil) != counted:
		return invalid("lines.counted", "a line carries its count, expected quantity, time and counter exactly in a %s entry", EntryStocktakeCounted)
	case l.SnapshotSeq < 0 || l.SnapshotSeq >= e.Seq:
		return invalid("lines.snapshotSeq", "%d is not a seq before the entry's", l.SnapshotSeq)
	}
	err := exactSKU(l.SKU)
	if err == nil {
		err = checkQuantity("lines.snapshot", l.Snapshot, 0, MaxStock)
	}
	if err == nil && counted {
		if err = checkQuantity("lines.counted", *l.Counted, 0, MaxStock); err == nil {
			err = checkQuantity("lines.expected", *l.Expected, 0, MaxStock)
		}
		if err == nil {
			err = checkTime("lines.countedAt", *l.CountedAt)
		}
		if err == nil {
			err = exactText("lines.countedBy", *l.CountedBy, MaxTokenNameLen, false)
		}
	}
	return err
}
