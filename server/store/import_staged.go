package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// createImportStaging creates the tables of staged imports (see
// stock.ImportCommit): import_rows keeps each row, as JSON, by import and
// index, from its chunk's staging until the import is applied; imports
// holds each accepted import, its cursor and counts. An import without a
// row in imports was never accepted (its client went away, or its commit
// was refused): its staged rows are dropped at the next start, or by a
// commit once staleStaging old. Both are this node's own, never
// replicated.
const createImportStaging = `CREATE TABLE IF NOT EXISTS import_rows (
	import_id TEXT NOT NULL,
	idx INTEGER NOT NULL,
	row TEXT NOT NULL,
	at INTEGER NOT NULL,
	PRIMARY KEY (import_id, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS imports (
	id TEXT NOT NULL PRIMARY KEY,
	warehouse_id TEXT NOT NULL,
	key TEXT,
	fingerprint TEXT NOT NULL,
	actor TEXT NOT NULL,
	total INTEGER NOT NULL,
	applied INTEGER NOT NULL,
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	unchanged INTEGER NOT NULL,
	done INTEGER NOT NULL,
	at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS imports_key ON imports (warehouse_id, key) WHERE key IS NOT NULL`

// stagedImport is a row of imports.
type stagedImport struct {
	id, warehouse, fingerprint, actor string
	key                               sql.NullString
	total                             int
	applied                           int
	result                            stock.ImportResult
	done                              bool
}

// progress returns where im stands.
func (im *stagedImport) progress() *stock.ImportProgress {
	return &stock.ImportProgress{ID: im.id, Applied: im.applied, Done: im.done, Result: im.result}
}

// stageImport keeps a chunk of an import's rows, replacing any staged
// under the same indexes: one statement for the chunk.
func (b *batch) stageImport(st *stock.ImportStage) (*stock.Empty, error) {
	if _, err := b.localWarehouse(); err != nil {
		return nil, err
	}
	rows, err := stock.EncodeValue(nil, st.Rows)
	if err != nil {
		return nil, fmt.Errorf("encoding staged rows: %w", err)
	}
	b.wrote = true
	_, err = b.wc.conn.ExecContext(b.ctx, `INSERT OR REPLACE INTO import_rows (import_id, idx, row, at)
		SELECT ?1, ?2 + key, value, ?4 FROM json_each(?3)`, st.ID, st.First, string(rows), b.now().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("staging rows of import %s: %w", st.ID, err)
	}
	return &stock.Empty{}, nil
}

// commitImport accepts the staged import c.ID: its rows must all be
// staged. With an idempotency key already used for the same rows, it
// answers that import's progress (its result once done) and drops the
// rows just staged; for other rows, INVALID_INPUT. Committing an accepted
// import again answers its progress.
func (b *batch) commitImport(c *stock.ImportCommit) (*stock.ImportProgress, error) {
	wh, err := b.writable()
	if err != nil {
		return nil, err
	}
	if im, err := b.stagedImport(c.ID); err != nil || im != nil {
		if im != nil {
			return im.progress(), nil
		}
		return nil, err
	}
	key, fp := storedKey(c.IdempotencyKey), b.s.digest([]byte("staged\x00"+c.Digest))
	if key != "" { // answered by key, staged again or not
		p, err := b.importOfKey(wh.ID, key, fp, c.IdempotencyKey)
		if err != nil || p != nil {
			if err == nil {
				err = b.dropStaged(c.ID)
			}
			return p, err
		}
	}
	if err := b.dropStale(); err != nil {
		return nil, err
	}
	if err := b.checkStaged(c); err != nil {
		return nil, err
	}
	im := &stagedImport{id: c.ID, warehouse: wh.ID, fingerprint: fp, total: c.Total,
		actor: b.sealer.Seal(b.meta.Actor, importActorAD(c.ID))}
	if key != "" {
		im.key = sql.NullString{String: key, Valid: true}
	}
	b.wrote = true
	_, err = b.wc.conn.ExecContext(b.ctx, `INSERT INTO imports (id, warehouse_id, key, fingerprint, actor,
		total, applied, created, updated, unchanged, done, at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, ?)`,
		im.id, im.warehouse, im.key, im.fingerprint, im.actor, im.total, b.now().UnixNano())
	if err != nil {
		return nil, fmt.Errorf("accepting import %s: %w", c.ID, err)
	}
	return im.progress(), nil
}

// staleStaging is how long the staged rows of an import never accepted
// are kept.
const staleStaging = time.Hour

// dropStale deletes the staged rows of imports never accepted, staged
// more than staleStaging ago.
func (b *batch) dropStale() error {
	b.wrote = true
	_, err := b.wc.conn.ExecContext(b.ctx, `DELETE FROM import_rows WHERE at < ? AND import_id NOT IN
		(SELECT id FROM imports WHERE done = 0)`, b.now().Add(-staleStaging).UnixNano())
	if err != nil {
		return fmt.Errorf("dropping stale staged rows: %w", err)
	}
	return nil
}

// importKnown reports whether an import of the local warehouse was made
// with key: done, or accepted and being applied.
func (s *Store) importKnown(ctx context.Context, k *stock.ImportKey) (*stock.ImportKnown, error) {
	var n int
	key := storedKey(k.IdempotencyKey)
	err := s.rdb.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM import_keys WHERE warehouse_id = ?1 AND key = ?2)
		+ (SELECT count(*) FROM imports WHERE warehouse_id = ?1 AND key = ?2)`, s.localID(), key).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("looking up an import's idempotency key: %w", err)
	}
	return &stock.ImportKnown{Known: n > 0}, nil
}

// importActorAD is what the sealed actor of a staged import is bound to.
func importActorAD(id string) string { return "import:" + id + ":" + fieldActor }

// checkStaged returns INVALID_INPUT unless rows 0 to c.Total-1 of c.ID
// are staged.
func (b *batch) checkStaged(c *stock.ImportCommit) error {
	var n, last int
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT count(*), COALESCE(MAX(idx), -1) FROM import_rows
		WHERE import_id = ?`, c.ID).Scan(&n, &last)
	if err != nil {
		return fmt.Errorf("counting the staged rows of import %s: %w", c.ID, err)
	}
	if n != c.Total || last != c.Total-1 {
		return stock.Errorf(stock.CodeInvalidInput, "import %s has %d of its %d rows staged: nothing was imported", c.ID, n, c.Total)
	}
	return nil
}

// importOfKey returns the progress of the import of warehouse made with
// key (stored) when its rows' fingerprint is fp: its result when done, or
// where it stands; nil when the key was never used; INVALID_INPUT when it
// was used for other rows (sent is the key as the client sent it).
func (b *batch) importOfKey(warehouse, key, fp, sent string) (*stock.ImportProgress, error) {
	stored, first, err := b.keptImport(warehouse, key)
	if err == nil && first == nil {
		var im *stagedImport
		if im, err = b.stagedImportWhere(`warehouse_id = ? AND key = ? AND done = 0`, warehouse, key); im != nil {
			stored, first = im.fingerprint, im.progress()
		}
	}
	switch {
	case err != nil || first == nil:
		return nil, err
	case stored != fp:
		return nil, stock.Errorf(stock.CodeInvalidInput, "idempotency key %q was used for another import: nothing was imported", sent)
	}
	return first, nil
}

// keptImport returns the fingerprint and result kept with key (stored) by
// a finished import of warehouse; a nil result when there is none.
func (b *batch) keptImport(warehouse, key string) (string, *stock.ImportProgress, error) {
	var fp, result string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT fingerprint, result FROM import_keys WHERE warehouse_id = ? AND key = ?`,
		warehouse, key).Scan(&fp, &result)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", nil, nil
	case err != nil:
		return "", nil, fmt.Errorf("looking up an import's idempotency key: %w", err)
	}
	p := &stock.ImportProgress{Done: true}
	if err := json.Unmarshal([]byte(result), &p.Result); err != nil {
		return "", nil, fmt.Errorf("reading the result of an import: %w", err)
	}
	return fp, p, nil
}

// stagedImport returns the accepted import id, nil when there is none.
func (b *batch) stagedImport(id string) (*stagedImport, error) {
	return b.stagedImportWhere(`id = ?`, id)
}

// stagedImportWhere returns the accepted import that where selects, nil
// when there is none.
func (b *batch) stagedImportWhere(where string, args ...any) (*stagedImport, error) {
	im := &stagedImport{}
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT id, warehouse_id, key, fingerprint, actor, total, applied,
		created, updated, unchanged, done FROM imports WHERE `+where, args...).Scan(&im.id, &im.warehouse,
		&im.key, &im.fingerprint, &im.actor, &im.total, &im.applied, &im.result.Created, &im.result.Updated,
		&im.result.Unchanged, &im.done)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading an accepted import: %w", err)
	}
	return im, nil
}

// dropStaged deletes the staged rows of import id.
func (b *batch) dropStaged(id string) error {
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `DELETE FROM import_rows WHERE import_id = ?`, id); err != nil {
		return fmt.Errorf("dropping the staged rows of import %s: %w", id, err)
	}
	return nil
}

// applyImport applies the next stock.ImportChunk rows of the accepted
// import a.ID, as its actor, in the job's savepoint: a chunk applies whole
// or not at all, and the import's cursor moves with it. The last chunk
// keeps the result with the import's idempotency key and drops its rows.
func (b *batch) applyImport(a *stock.ImportApply) (*stock.ImportProgress, error) {
	wh, err := b.writable()
	if err != nil {
		return nil, err
	}
	im, err := b.stagedImport(a.ID)
	switch {
	case err != nil:
		return nil, err
	case im == nil || im.warehouse != wh.ID:
		return nil, stock.Errorf(stock.CodeNotFound, "import %s not found", a.ID)
	case im.done:
		return im.progress(), nil
	}
	rows, err := b.stagedRows(im)
	if err != nil {
		return nil, err
	}
	actor := b.meta.Actor
	defer func() { b.meta.Actor = actor }()
	if b.meta.Actor, err = b.s.keys.Open(im.actor, importActorAD(im.id)); err != nil {
		return nil, fmt.Errorf("reading the actor of import %s: %w", im.id, err)
	}
	if err := b.importRows(wh.ID, rows, &im.result); err != nil {
		return nil, err
	}
	im.applied += len(rows)
	if im.done = im.applied >= im.total; im.done {
		if err := b.finishImport(im); err != nil {
			return nil, err
		}
	}
	_, err = b.wc.conn.ExecContext(b.ctx, `UPDATE imports SET applied = ?, created = ?, updated = ?, unchanged = ?,
		done = ? WHERE id = ?`, im.applied, im.result.Created, im.result.Updated, im.result.Unchanged, im.done, im.id)
	if err != nil {
		return nil, fmt.Errorf("moving the cursor of import %s: %w", im.id, err)
	}
	return im.progress(), nil
}

// stagedRows reads the next chunk of im's rows, in one JSON array.
func (b *batch) stagedRows(im *stagedImport) ([]stock.ImportRow, error) {
	var list string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT json_group_array(json(row)) FROM (SELECT row FROM import_rows
		WHERE import_id = ? AND idx >= ? ORDER BY idx LIMIT ?)`, im.id, im.applied, stock.ImportChunk).Scan(&list)
	if err != nil {
		return nil, fmt.Errorf("reading the staged rows of import %s: %w", im.id, err)
	}
	var rows []stock.ImportRow
	if err := stock.DecodeValue([]byte(list), &rows); err != nil {
		return nil, fmt.Errorf("decoding the staged rows of import %s: %w", im.id, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("import %s: rows from %d of %d are missing", im.id, im.applied, im.total)
	}
	return rows, nil
}

// finishImport keeps im's result with its idempotency key and drops its
// staged rows.
func (b *batch) finishImport(im *stagedImport) error {
	if im.key.Valid {
		if err := b.keepImport(im.warehouse, im.key.String, im.fingerprint, &im.result); err != nil {
			return err
		}
	}
	return b.dropStaged(im.id)
}

// finishImports drops the rows of imports staged but never accepted and
// applies every accepted import to its end, a chunk per batch, before the
// store serves: an accepted import is applied whole across a restart. An
// import that cannot be applied (the warehouse left the network) is
// logged and left; the store opens anyway.
func (s *Store) finishImports(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, `DELETE FROM import_rows WHERE import_id NOT IN
		(SELECT id FROM imports WHERE done = 0)`); err != nil {
		return fmt.Errorf("dropping the rows of imports never accepted: %w", err)
	}
	rows, err := s.wdb.QueryContext(ctx, `SELECT id FROM imports WHERE done = 0 ORDER BY at`)
	if err != nil {
		return fmt.Errorf("reading the accepted imports: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return fmt.Errorf("reading the accepted imports: %w", err)
	}
	for _, id := range ids {
		if err := s.finishImport(id); err != nil {
			s.log.Error("an accepted import could not be applied at start", "import", id, "err", err)
		}
	}
	return nil
}

// finishImport applies the accepted import id to its end.
func (s *Store) finishImport(id string) error {
	job, err := stock.EncodeJob(stock.JobMeta{Op: stock.OpImportApply.Name}, &stock.ImportApply{ID: id})
	if err != nil {
		return err
	}
	for {
		p := &stock.ImportProgress{}
		if err := stock.DecodeReply(s.HandleWrites([][]byte{job})[0], p); err != nil {
			return fmt.Errorf("applying accepted import %s: %w", id, err)
		}
		if p.Done {
			s.log.Info("accepted import applied at start", "import", id, "rows", p.Applied)
			return nil
		}
	}
}
