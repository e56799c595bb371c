package store

import (
	"fmt"
	"strings"
)

// The reseal pass's phases after the transfers and the transfer requests
// (requestPhase): the cursor's origin names the phase. Transfer requests,
// reservations and stocktakes are walked by rowid (seq); the
// lines of stocktakes, a table without rowids, by their key, written
// after linesPhase in the origin as "stocktake id\x00sku".
const (
	reservationPhase = "\x7freservations"
	stocktakePhase   = "\x7fstocktakes"
	linesPhase       = "\x7flines:"
)

// inTables reports whether the pass's cursor origin is past the change
// log: log origins are warehouse ids, which never begin with \x7f.
func inTables(origin string) bool { return strings.HasPrefix(origin, "\x7f") }

// resealPromises runs the pass's phases after the transfers, reading at
// most limit rows in all, and advances st: transfer requests' notes,
// actors and reasons, reservations' references, stocktakes' notes, then
// who counted each line; at the end it reseals every token's name and
// marks the pass done.
func (b *batch) resealPromises(st *sealState, limit int) (int, error) {
	done := 0
	for limit-done > 0 && !st.done {
		var n int
		var err error
		switch {
		case st.origin == requestPhase:
			n, err = b.resealRequests(st, limit-done)
		case st.origin == reservationPhase:
			n, err = b.resealColumn(st, limit-done, "reservations", "reference", reservationAD, stocktakePhase)
		case st.origin == stocktakePhase:
			n, err = b.resealColumn(st, limit-done, "stocktakes", "note", stocktakeNoteAD, linesPhase)
		case strings.HasPrefix(st.origin, linesPhase):
			n, err = b.resealLines(st, limit-done)
		default:
			return done, nil // an earlier phase
		}
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// resealColumn reseals column of table, a sealed value bound by ad to the
// row's id, in the rows after the rowid st.seq, reading at most limit
// rows; at the end it moves on to phase next.
func (b *batch) resealColumn(st *sealState, limit int, table, column string, ad func(string) string, next string) (int, error) {
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT rowid, id, `+column+` FROM `+table+`
		WHERE rowid > ? ORDER BY rowid LIMIT ?`, st.seq, limit)
	if err != nil {
		return 0, fmt.Errorf("reading %s to reseal: %w", table, err)
	}
	type row struct {
		rowid     int64
		id, value string
	}
	var todo []row
	n := 0
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.rowid, &r.id, &r.value); err != nil {
			rows.Close()
			return 0, err
		}
		n, st.seq = n+1, r.rowid
		if b.stale(r.value) {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range todo {
		clear, err := b.s.openField(r.value, ad(r.id), column+" of "+r.id)
		if err != nil {
			return 0, err
		}
		b.wrote = true
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE `+table+` SET `+column+` = ? WHERE rowid = ?`,
			b.sealIf(clear, ad(r.id)), r.rowid); err != nil {
			return 0, fmt.Errorf("resealing %s %s: %w", table, r.id, err)
		}
	}
	if n < limit {
		st.origin, st.seq = next, 0
	}
	return n, nil
}

// resealLines reseals who counted each stocktake line after the cursor in
// st.origin, reading at most limit lines; at the end it reseals every
// token's name and marks the pass done.
func (b *batch) resealLines(st *sealState, limit int) (int, error) {
	id, sku, _ := strings.Cut(strings.TrimPrefix(st.origin, linesPhase), "\x00")
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT stocktake_id, sku, counted_by FROM stocktake_lines
		WHERE (stocktake_id, sku) > (?, ?) ORDER BY stocktake_id, sku LIMIT ?`, id, sku, limit)
	if err != nil {
		return 0, fmt.Errorf("reading stocktake lines to reseal: %w", err)
	}
	type line struct{ id, sku, by string }
	var todo []line
	n := 0
	for rows.Next() {
		var l line
		var by *string
		if err := rows.Scan(&l.id, &l.sku, &by); err != nil {
			rows.Close()
			return 0, err
		}
		n, id, sku = n+1, l.id, l.sku
		if by != nil && b.stale(*by) {
			l.by = *by
			todo = append(todo, l)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, l := range todo {
		clear, err := b.s.openField(l.by, lineAD(l.id, l.sku), "counter of "+l.sku+" in stocktake "+l.id)
		if err != nil {
			return 0, err
		}
		b.wrote = true
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE stocktake_lines SET counted_by = ? WHERE stocktake_id = ? AND sku = ?`,
			b.sealIf(clear, lineAD(l.id, l.sku)), l.id, l.sku); err != nil {
			return 0, fmt.Errorf("resealing a line of stocktake %s: %w", l.id, err)
		}
	}
	st.origin = linesPhase + id + "\x00" + sku
	if n < limit {
		st.done = true
		return n, b.resealTokens()
	}
	return n, nil
}
