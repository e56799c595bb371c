package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/stockmesh/stockmesh/server/stock"
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
// batch commits (writerState.committed sees keysSeq reach seq).
func (b *batch) flushKeys() error {
	w := b.w
	if w.local == nil || (len(w.keys) < flushKeysAt && w.seq-w.keysSeq < flushSpan) {
		return nil
	}
	if len(w.keys) > 0 {
		if err := b.exec(stInsertKeys, w.local.ID, keyList(w.keys)); err != nil {
			return fmt.Errorf("inserting %d idempotency keys: %w", len(w.keys), err)
		}
	}
	if err := b.exec(stSetKeysSeq, w.seq, w.local.ID); err != nil {
		return fmt.Errorf("moving keys_seq: %w", err)
	}
	w.keysSeq = w.seq
	return nil
}

// keyList encodes keys as the JSON array of [key, seq] pairs stInsertKeys
// reads, sorted by key. It is a string so that SQLite reads it as JSON
// text, not as a blob.
func keyList(keys map[string]int64) string {
	sorted := slices.Sorted(maps.Keys(keys))
	b := make([]byte, 0, 2+len(sorted)*32)
	b = append(b, '[')
	for i, k := range sorted {
		if i > 0 {
			b = append(b, ',')
		}
		b = stock.AppendJSONString(append(b, '['), k)
		b = append(strconv.AppendInt(append(b, ','), keys[k], 10), ']')
	}
	return string(append(b, ']'))
}

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
		s.w.noteKey(key)
	}
	s.w.keysSeq = keysSeq
	if err := rows.Err(); err != nil {
		return fmt.Errorf("loading idempotency keys of %s: %w", warehouse, err)
	}
	return s.findClearKeys(ctx, warehouse)
}
