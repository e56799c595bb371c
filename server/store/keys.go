package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Idempotency keys are unique per warehouse. A unique index over them,
// kept row by row, dirtied one index page per keyed movement in every
// group commit: clients' keys arrive in no order. So the writer keeps the
// keys recorded since the last flush in memory (writerState.keys) and
// writes them to the key table (ent's IdempotencyKey) in sorted bulk, in
// the transaction of the batch that reaches flushKeysAt of them, or moves
// the ledger flushSpan changes past the last flush. The warehouse's
// keys_seq, written in the same transaction, says every key of a movement
// up to it is in the table; on start the writer reads the keys of the
// movements after it back from the ledger (loadKeys). A lookup checks
// memory, then the table.
const (
	flushKeysAt = 1024
	flushSpan   = 8192
)

// keySeq returns the seq of the local warehouse's movement recorded with
// key, or 0 when there is none.
func (b *batch) keySeq(warehouse, key string) (int64, error) {
	if seq, ok := b.w.keys[key]; ok {
		return seq, nil
	}
	var seq int64
	err := b.queryRow(stKeySeq, []any{warehouse, key}, &seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return seq, err
}

// flushKeys writes the keys in memory to the key table, sorted, and moves
// keys_seq to the last change, when there are enough of them or the ledger
// moved far enough since the last flush. Memory forgets them only once the
// batch commits (writerState.committed).
func (b *batch) flushKeys() error {
	w := b.w
	if w.local == nil || (len(w.keys) < flushKeysAt && w.seq-w.keysSeq < flushSpan) {
		return nil
	}
	if len(w.keys) > 0 {
		rows := make([]keyRow, 0, len(w.keys))
		for k, seq := range w.keys {
			rows = append(rows, keyRow{k, seq})
		}
		slices.SortFunc(rows, func(a, b keyRow) int { return cmp.Compare(a.key, b.key) })
		list, err := json.Marshal(rows)
		if err != nil {
			return fmt.Errorf("encoding idempotency keys: %w", err)
		}
		b.wrote = true
		if err := b.exec(stInsertKeys, w.local.ID, list); err != nil {
			return fmt.Errorf("inserting %d idempotency keys: %w", len(rows), err)
		}
	}
	b.wrote = true
	if err := b.exec(stSetKeysSeq, w.seq, w.local.ID); err != nil {
		return fmt.Errorf("moving keys_seq: %w", err)
	}
	w.keysSeq, w.flushed = w.seq, true
	return nil
}

// keyRow is one key of a flush, encoded as the pair [key, seq].
type keyRow struct {
	key string
	seq int64
}

// MarshalJSON encodes r as [key, seq].
func (r keyRow) MarshalJSON() ([]byte, error) { return json.Marshal([2]any{r.key, r.seq}) }

// loadKeys reads into memory the keys of the local warehouse's movements
// after keys_seq, those not yet flushed to the key table.
func (s *Store) loadKeys(ctx context.Context, warehouse string, keysSeq int64) error {
	rows, err := s.wdb.QueryContext(ctx, `SELECT idempotency_key, seq FROM movements
		WHERE warehouse_id = ? AND seq > ? AND idempotency_key IS NOT NULL`, warehouse, keysSeq)
	if err != nil {
		return fmt.Errorf("loading idempotency keys of %s: %w", warehouse, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var seq int64
		if err := rows.Scan(&key, &seq); err != nil {
			return fmt.Errorf("loading idempotency keys of %s: %w", warehouse, err)
		}
		s.w.keys[key] = seq
	}
	s.w.keysSeq = keysSeq
	return rows.Err()
}
