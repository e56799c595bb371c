package store

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// startStocktake starts a stocktake of the local warehouse: its lines
// snapshot the stock of the skus it names (none: every live product) at
// the seq its stocktake.started entry takes. A sku already in another open
// stocktake is refused, naming it.
func (b *batch) startStocktake(in *stock.StartStocktakeInput) (*stock.Stocktake, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	lines, err := b.snapshot(wh.ID, in.SKUs)
	if err != nil {
		return nil, err
	}
	if err := b.checkNotOpen(wh.ID, lines, in.SKUs == nil); err != nil {
		return nil, err
	}
	seq, now := b.w.nextSeq(), b.now()
	st := &stock.Stocktake{ID: stock.StocktakeID(wh.ID, seq), Warehouse: wh.ID, Status: stock.StocktakeOpen,
		Note: in.Note, CreatedAt: now, Lines: lines}
	if err := b.insertStocktake(st, seq); err != nil {
		return nil, err
	}
	if err := b.appendLog(&stock.LogEntry{Origin: wh.ID, Seq: seq, At: now, Type: stock.EntryStocktakeStarted,
		Stocktake: st, Actor: b.meta.Actor}); err != nil {
		return nil, err
	}
	return b.s.readStocktake(b.ctx, b.wc.conn, st.ID)
}

// snapshot returns a line per sku with its stock now (skus nil: every
// live product of warehouse wh, by sku); an unknown sku is NOT_FOUND.
func (b *batch) snapshot(wh string, skus []string) ([]stock.StocktakeLine, error) {
	lines := []stock.StocktakeLine{}
	if skus != nil {
		for _, sku := range skus {
			p, err := b.stockOf(sku)
			if err != nil {
				return nil, err
			}
			lines = append(lines, stock.StocktakeLine{SKU: sku, Snapshot: p.quantity})
		}
		return lines, nil
	}
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT sku, quantity FROM products
		WHERE warehouse_id = ? AND deleted_at IS NULL ORDER BY sku`, wh)
	if err != nil {
		return nil, fmt.Errorf("reading the stock to count: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l stock.StocktakeLine
		if err := rows.Scan(&l.SKU, &l.Snapshot); err != nil {
			return nil, err
		}
		lines = append(lines, l)
	}
	return lines, rows.Err()
}

// checkNotOpen refuses lines of which a sku is in an open stocktake of
// warehouse wh already (every sku, when all: a stocktake of every product
// while another is open), naming the first one.
func (b *batch) checkNotOpen(wh string, lines []stock.StocktakeLine, all bool) error {
	skus := make([]string, len(lines))
	for i := range lines {
		skus[i] = lines[i].SKU
	}
	list, _ := json.Marshal(skus)
	var sku, id string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT sku, stocktake_id FROM stocktake_lines
		WHERE warehouse_id = ?1 AND open = 1 AND (?2 OR sku IN (SELECT value FROM json_each(?3))) LIMIT 1`,
		wh, all, string(list)).Scan(&sku, &id)
	switch {
	case err == nil:
		return stock.Errorf(stock.CodeInvalidInput, "skus: %s is already in open stocktake %s; finalize or cancel it first", sku, id)
	case isNoRows(err):
		return nil
	}
	return fmt.Errorf("checking open stocktakes: %w", err)
}

// insertStocktake stores a new stocktake and its lines, their snapshots
// taken at seq.
func (b *batch) insertStocktake(st *stock.Stocktake, seq int64) error {
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO stocktakes (id, warehouse_id, status, note, created_at, seq)
		VALUES (?, ?, ?, ?, ?, ?)`, st.ID, st.Warehouse, string(st.Status), b.sealIf(st.Note, stocktakeNoteAD(st.ID)),
		st.CreatedAt.UnixNano(), seq); err != nil {
		return fmt.Errorf("storing stocktake %s: %w", st.ID, err)
	}
	rows := make([][2]any, len(st.Lines))
	for i, l := range st.Lines {
		rows[i] = [2]any{l.SKU, l.Snapshot}
	}
	list, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO stocktake_lines (stocktake_id, warehouse_id, sku, snapshot, snapshot_seq, open)
		SELECT ?1, ?2, value ->> 0, value ->> 1, ?3, ?4 FROM json_each(?5)`,
		st.ID, st.Warehouse, seq, st.Status == stock.StocktakeOpen, string(list)); err != nil {
		return fmt.Errorf("storing the lines of stocktake %s: %w", st.ID, err)
	}
	return nil
}

// ownStocktake returns the open stocktake id of the local warehouse for a
// change; another warehouse's is FORBIDDEN, one that ended INVALID_INPUT
// (ended returns it instead, for a repeated finalize or cancel).
func (b *batch) ownStocktake(id string, ended func(*stock.Stocktake) (*stock.Stocktake, error)) (*stock.Stocktake, bool, error) {
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, false, err
	}
	st, err := b.s.scanStocktake(b.wc.conn.QueryRowContext(b.ctx, `SELECT `+stocktakeColumns+` FROM stocktakes WHERE id = ?`, id))
	switch {
	case isNoRows(err):
		return nil, false, stocktakeNotFound(id)
	case err != nil:
		return nil, false, err
	case st.Warehouse != wh.ID:
		e := stock.Errorf(stock.CodeForbidden, "stocktake %s belongs to %s: only its node can change it", id, st.Warehouse)
		e.Elsewhere = &stock.Elsewhere{Warehouse: st.Warehouse}
		return nil, false, e
	case st.Status == stock.StocktakeOpen:
		return st, true, nil
	case ended != nil:
		st, err = ended(st)
		return st, false, err
	}
	return nil, false, stock.Errorf(stock.CodeInvalidInput, "stocktake %s is %s: it can no longer be counted", id, stocktakeWord(st.Status))
}

// stocktakeWord names an ended stocktake's status in a message.
func stocktakeWord(s stock.StocktakeStatus) string {
	if s == stock.StocktakeCancelled {
		return "cancelled"
	}
	return "finalized"
}

// recordCount records one count of a line of an open stocktake.
func (b *batch) recordCount(in *stock.RecordCountInput) (*stock.StocktakeLine, error) {
	c, err := b.recordCounts(&stock.CountsInput{Stocktake: in.Stocktake, Rows: []stock.CountRow{{SKU: in.SKU, Counted: in.Counted}}})
	if err != nil {
		return nil, err
	}
	return &c.Lines[0], nil
}

// recordCounts records counts of lines of an open stocktake, all in one
// stocktake.counted entry, in the job's savepoint: a row refused (a sku
// not live, or in another open stocktake) records none. Each line's
// expected quantity is its stock now: its snapshot plus the movements
// since. A sku not on the sheet is added with its snapshot taken now; a
// later count of a line replaces the earlier one.
func (b *batch) recordCounts(in *stock.CountsInput) (*stock.Counted, error) {
	st, _, err := b.ownStocktake(in.Stocktake, nil)
	if err != nil {
		return nil, err
	}
	seq, now := b.w.nextSeq(), b.now()
	byRow := make(map[string]int, len(in.Rows))
	var lines []stock.StocktakeLine
	for _, r := range in.Rows {
		l, err := b.countLine(st, r, seq, now)
		if err != nil {
			var e *stock.Error
			if r.Line > 0 && errors.As(err, &e) {
				return nil, stock.Errorf(e.Code, "line %d: %s", r.Line, e.Message)
			}
			return nil, err
		}
		if i, ok := byRow[l.SKU]; ok {
			lines[i] = l
			continue
		}
		byRow[l.SKU] = len(lines)
		lines = append(lines, l)
	}
	entry := *st
	entry.Lines = lines
	if err := b.appendLog(&stock.LogEntry{Origin: st.Warehouse, Seq: seq, At: now, Type: stock.EntryStocktakeCounted,
		Stocktake: &entry, Actor: b.meta.Actor}); err != nil {
		return nil, err
	}
	out := &stock.Counted{Lines: make([]stock.StocktakeLine, len(lines))}
	for i, l := range lines {
		var price int64
		_ = b.wc.conn.QueryRowContext(b.ctx, `SELECT price FROM products WHERE warehouse_id = ? AND sku = ? AND deleted_at IS NULL`,
			st.Warehouse, l.SKU).Scan(&price)
		l.Price = stock.Price(price)
		out.Lines[i] = l
	}
	return out, nil
}

// countLine records the count r of stocktake st under the entry seq.
func (b *batch) countLine(st *stock.Stocktake, r stock.CountRow, seq int64, now time.Time) (stock.StocktakeLine, error) {
	p, err := b.stockOf(r.SKU)
	if err != nil {
		return stock.StocktakeLine{}, err
	}
	l := stock.StocktakeLine{SKU: r.SKU, Snapshot: p.quantity, SnapshotSeq: seq - 1}
	err = b.wc.conn.QueryRowContext(b.ctx, `SELECT snapshot, snapshot_seq FROM stocktake_lines WHERE stocktake_id = ? AND sku = ?`,
		st.ID, r.SKU).Scan(&l.Snapshot, &l.SnapshotSeq)
	switch {
	case isNoRows(err):
		if err := b.checkNotOpen(st.Warehouse, []stock.StocktakeLine{l}, false); err != nil {
			return l, err
		}
	case err != nil:
		return l, err
	}
	counted, expected, by, at := r.Counted, p.quantity, b.meta.Actor, now
	l.Counted, l.Expected, l.CountedBy, l.CountedAt = &counted, &expected, &by, &at
	b.wrote = true
	_, err = b.wc.conn.ExecContext(b.ctx, `INSERT INTO stocktake_lines (stocktake_id, warehouse_id, sku, snapshot, snapshot_seq,
		counted, expected, counted_at, counted_by, open) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)
		ON CONFLICT (stocktake_id, sku) DO UPDATE SET counted = ?6, expected = ?7, counted_at = ?8, counted_by = ?9`,
		st.ID, st.Warehouse, l.SKU, l.Snapshot, l.SnapshotSeq, counted, expected, at.UnixNano(), b.sealIf(by, lineAD(st.ID, l.SKU)))
	if err != nil {
		return l, fmt.Errorf("recording the count of %s: %w", l.SKU, err)
	}
	return l, nil
}

// finalizeStocktake posts one ADJUSTMENT per counted line whose variance
// is not zero (referencing the stocktake), applied to the stock as it is
// now, and marks the stocktake finalized, in the job's savepoint: an
// adjustment refused (the stock would go below zero) finalizes nothing.
// A variance value above in.AdminAbove needs an admin. Lines whose product
// was deleted since are left out.
func (b *batch) finalizeStocktake(in *stock.FinalizeInput) (*stock.Stocktake, error) {
	st, open, err := b.ownStocktake(in.ID, func(st *stock.Stocktake) (*stock.Stocktake, error) {
		if st.Status == stock.StocktakeCancelled {
			return nil, stock.Errorf(stock.CodeInvalidInput, "stocktake %s was cancelled: it cannot be finalized", st.ID)
		}
		return b.s.readStocktake(b.ctx, b.wc.conn, st.ID)
	})
	if err != nil || !open {
		return st, err
	}
	if st.Lines, err = b.s.readLines(b.ctx, b.wc.conn, st.ID); err != nil {
		return nil, err
	}
	value := stock.VarianceValueOf(st.Lines)
	if abs := max(value, -value); in.AdminAbove > 0 && abs > in.AdminAbove && !in.Admin {
		return nil, stock.Errorf(stock.CodeForbidden, "this needs the admin role: stocktake %s has a variance value of %s, above %s",
			st.ID, value, in.AdminAbove)
	}
	for _, l := range st.Lines {
		v := l.Variance()
		if v == nil || *v == 0 {
			continue
		}
		p, err := b.stockOf(l.SKU)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, err := b.move(p, movementInput{kind: stock.KindAdjustment, delta: *v, reference: st.ID,
			note: "stocktake " + st.ID, actor: b.meta.Actor}); err != nil {
			return nil, fmt.Errorf("adjusting %s by %d: %w", l.SKU, *v, err)
		}
	}
	now := b.now()
	st.Status, st.FinalizedAt, st.EndedAt, st.VarianceValue = stock.StocktakeFinalized, &now, &now, value
	return st, b.endStocktake(st, stock.EntryStocktakeFinalized, now)
}

// cancelStocktake cancels an open stocktake of the local warehouse;
// cancelling again returns it as it is, a finalized one is INVALID_INPUT.
func (b *batch) cancelStocktake(r *stock.StocktakeRef) (*stock.Stocktake, error) {
	st, open, err := b.ownStocktake(r.ID, func(st *stock.Stocktake) (*stock.Stocktake, error) {
		if st.Status == stock.StocktakeFinalized {
			return nil, stock.Errorf(stock.CodeInvalidInput, "stocktake %s was finalized: it cannot be cancelled", st.ID)
		}
		return b.s.readStocktake(b.ctx, b.wc.conn, st.ID)
	})
	if err != nil || !open {
		return st, err
	}
	now := b.now()
	st.Status, st.EndedAt = stock.StocktakeCancelled, &now
	if err := b.endStocktake(st, stock.EntryStocktakeCancelled, now); err != nil {
		return nil, err
	}
	return b.s.readStocktake(b.ctx, b.wc.conn, st.ID)
}

// endStocktake stores st's end and appends its entry (without lines).
func (b *batch) endStocktake(st *stock.Stocktake, typ stock.EntryType, now time.Time) error {
	lines := st.Lines
	st.Lines = nil
	defer func() { st.Lines = lines }()
	if err := b.storeEnd(st); err != nil {
		return err
	}
	return b.appendLog(&stock.LogEntry{Origin: st.Warehouse, Seq: b.w.nextSeq(), At: now, Type: typ, Stocktake: st, Actor: b.meta.Actor})
}

// storeEnd stores the status, times and value of an ended stocktake and
// closes its lines.
func (b *batch) storeEnd(st *stock.Stocktake) error {
	var finalized, ended any
	if st.FinalizedAt != nil {
		finalized = st.FinalizedAt.UnixNano()
	}
	if st.EndedAt != nil {
		ended = st.EndedAt.UnixNano()
	}
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE stocktakes SET status = ?, finalized_at = ?, ended_at = ?, variance_value = ?
		WHERE id = ?`, string(st.Status), finalized, ended, int64(st.VarianceValue), st.ID); err != nil {
		return fmt.Errorf("ending stocktake %s: %w", st.ID, err)
	}
	_, err := b.wc.conn.ExecContext(b.ctx, `UPDATE stocktake_lines SET open = 0 WHERE stocktake_id = ?`, st.ID)
	return err
}

// applyStocktake applies a stocktake entry of another warehouse to its
// replica here.
func (b *batch) applyStocktake(e *stock.LogEntry) error {
	st := e.Stocktake
	if e.Type == stock.EntryStocktakeStarted {
		if err := b.insertStocktake(st, e.Seq); err != nil {
			return err
		}
		return b.appendLog(e)
	}
	var status string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT status FROM stocktakes WHERE id = ?`, st.ID).Scan(&status)
	switch {
	case isNoRows(err):
		return stock.InvalidEntry(e, "stocktake.id", "changes stocktake %s, which the replica does not hold", st.ID)
	case err != nil:
		return err
	case status != string(stock.StocktakeOpen):
		return stock.InvalidEntry(e, "stocktake.status", "stocktake %s ended already (%s)", st.ID, status)
	}
	if e.Type == stock.EntryStocktakeCounted {
		for _, l := range st.Lines {
			b.wrote = true
			if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO stocktake_lines (stocktake_id, warehouse_id, sku, snapshot, snapshot_seq,
				counted, expected, counted_at, counted_by, open) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)
				ON CONFLICT (stocktake_id, sku) DO UPDATE SET counted = ?6, expected = ?7, counted_at = ?8, counted_by = ?9`,
				st.ID, st.Warehouse, l.SKU, l.Snapshot, l.SnapshotSeq, *l.Counted, *l.Expected, l.CountedAt.UnixNano(),
				b.sealIf(*l.CountedBy, lineAD(st.ID, l.SKU))); err != nil {
				return fmt.Errorf("applying a count of stocktake %s: %w", st.ID, err)
			}
		}
	} else if err := b.storeEnd(st); err != nil {
		return err
	}
	return b.appendLog(e)
}

// isNoRows reports whether err says a query found no row.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
