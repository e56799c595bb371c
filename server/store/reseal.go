package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// createSealing creates the state of the background reseal pass, in the
// database so that it commits (and rolls back) with the rows it resealed:
// the key the pass seals with, whether it went through every row, and
// where it stands (the ledger's rowid, then the change log's key), and
// the last movement when it began (later ones are sealed with its key or a
// newer one, which begins a new pass), so that writes never outrun it. A
// missing row is a database never resealed: one created before sealing,
// whose clear values the first pass seals.
const createSealing = `CREATE TABLE IF NOT EXISTS sealing (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	key INTEGER NOT NULL,
	done INTEGER NOT NULL,
	movement INTEGER NOT NULL,
	until INTEGER NOT NULL,
	origin TEXT NOT NULL,
	seq INTEGER NOT NULL,
	scope INTEGER NOT NULL DEFAULT 0
)`

// sealScope numbers what the reseal pass goes through: a database whose
// last pass had a lower scope (it was resealed before transfers were
// sealed: scope 0; before reservations and stocktakes were: 1; before
// transfer requests were: 2) is resealed again from its start, which
// seals what that older version stored in clear.
const sealScope = 3

// sealState is the row of the sealing table.
type sealState struct {
	key      int64
	done     bool
	movement int64 // rowid of the last movement the pass went through
	until    int64 // rowid of the last movement when the pass began
	origin   string
	seq      int64 // the last change log entry the pass went through
	scope    int64 // sealScope of the version that began the pass
}

// initSealing creates the sealing table and checks that the keys open
// what the database holds: a data folder restored without its keys
// folder is refused rather than given new keys.
func (s *Store) initSealing(ctx context.Context) error {
	if _, err := s.wdb.ExecContext(ctx, createSealing); err != nil {
		return fmt.Errorf("creating the sealing state: %w", err)
	}
	for _, c := range []struct{ table, column, def string }{
		{"audit_log", "actor_hash", "BLOB"}, {"sealing", "scope", "INTEGER NOT NULL DEFAULT 0"},
	} {
		var has int
		err := s.wdb.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info(?) WHERE name = ?`, c.table, c.column).Scan(&has)
		if err == nil && has == 0 {
			_, err = s.wdb.ExecContext(ctx, `ALTER TABLE `+c.table+` ADD COLUMN `+c.column+` `+c.def)
		}
		if err != nil {
			return fmt.Errorf("adding %s.%s: %w", c.table, c.column, err)
		}
	}
	for _, q := range []string{
		`SELECT warehouse_id, seq, reference, '' FROM movements WHERE reference_hash IS NOT NULL ORDER BY id DESC LIMIT 1`,
		`SELECT warehouse_id, seq, '', actor FROM movements WHERE actor_hash IS NOT NULL ORDER BY id DESC LIMIT 1`,
	} {
		var m stock.Movement
		err := s.wdb.QueryRowContext(ctx, q).Scan(&m.Warehouse, &m.Seq, &m.Reference, &m.Actor)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return fmt.Errorf("checking the keys of data at rest: %w", err)
		}
		if err := s.openMovement(&m); err != nil {
			return fmt.Errorf("the keys in %s do not open what the database holds (%w): "+
				"restore that folder from the same backup as the database", sealing.Dir, err)
		}
	}
	return nil
}

// rotateKeys makes a new key current; this batch keeps sealing with the
// one it began with, the next batches use the new one.
func (b *batch) rotateKeys(*stock.Empty) (*stock.KeyRotation, error) {
	id, err := b.s.keys.Rotate()
	if err != nil {
		return nil, err
	}
	b.s.log.Info("new key for data at rest", "key", id)
	return &stock.KeyRotation{Key: int64(id)}, nil
}

// reseal runs one batch of the reseal pass: at most r.Limit rows of, in
// turn, the movements, the change log's entries, the audit log, the
// transfers, the transfer requests, the reservations, the stocktakes and
// their lines (see resealPromises), whose sealed values use another key
// than the current one or are clear. Once a pass went through every row (committed by an
// earlier batch), it deletes the files of the keys no value uses any more.
func (b *batch) reseal(r *stock.ResealRequest) (*stock.ResealReport, error) {
	st, err := b.sealState()
	if err != nil {
		return nil, err
	}
	cur := b.sealer.ID()
	if st.key != int64(cur) || st.scope != sealScope {
		st = sealState{key: int64(cur), scope: sealScope}
		err := b.wc.conn.QueryRowContext(b.ctx, `SELECT COALESCE(MAX(id), 0) FROM movements`).Scan(&st.until)
		if err != nil {
			return nil, err
		}
	}
	rep := &stock.ResealReport{Key: int64(cur)}
	if st.done {
		if b.sealDone {
			return rep, nil // done in this batch, not yet committed
		}
		gone, err := b.s.keys.Retire(cur)
		for _, id := range gone {
			rep.Retired = append(rep.Retired, int64(id))
		}
		rep.Done = err == nil
		return rep, err
	}
	if rep.Resealed, err = b.resealMovements(&st, r.Limit); err != nil {
		return nil, err
	}
	if rep.Resealed < r.Limit && !inTables(st.origin) {
		n, err := b.resealEntries(&st, r.Limit-rep.Resealed)
		if err != nil {
			return nil, err
		}
		rep.Resealed += n
	}
	if rep.Resealed < r.Limit && st.origin == auditPhase {
		n, err := b.resealAudit(&st, r.Limit-rep.Resealed)
		if err != nil {
			return nil, err
		}
		rep.Resealed += n
	}
	if rep.Resealed < r.Limit && st.origin == transferPhase {
		n, err := b.resealTransfers(&st, r.Limit-rep.Resealed)
		if err != nil {
			return nil, err
		}
		rep.Resealed += n
	}
	n, err := b.resealPromises(&st, r.Limit-rep.Resealed)
	if err != nil {
		return nil, err
	}
	rep.Resealed += n
	b.sealDone = st.done
	return rep, b.saveSealState(st)
}

// sealState reads the pass's state in the batch's transaction.
func (b *batch) sealState() (sealState, error) {
	var st sealState
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT key, done, movement, until, origin, seq, scope FROM sealing WHERE id = 1`).
		Scan(&st.key, &st.done, &st.movement, &st.until, &st.origin, &st.seq, &st.scope)
	if errors.Is(err, sql.ErrNoRows) {
		return sealState{key: -1}, nil
	}
	return st, err
}

// saveSealState stores the pass's state in the batch's transaction.
func (b *batch) saveSealState(st sealState) error {
	b.wrote = true
	_, err := b.wc.conn.ExecContext(b.ctx, `INSERT OR REPLACE INTO sealing (id, key, done, movement, until, origin, seq, scope)
		VALUES (1, ?, ?, ?, ?, ?, ?, ?)`, st.key, st.done, st.movement, st.until, st.origin, st.seq, st.scope)
	return err
}

// resealMovements reseals the movements after st.movement, reading at
// most limit rows, and advances st; it returns how many rows it read.
func (b *batch) resealMovements(st *sealState, limit int) (int, error) {
	if st.origin != "" || st.seq != 0 {
		return 0, nil // the pass is in the change log
	}
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT id, warehouse_id, seq, sku, kind, quantity, reference, note, actor,
		reference_hash IS NULL AND reference <> '', actor_hash IS NULL AND actor <> '',
		idempotency_key IS NOT NULL, substr(fingerprint, 1, 1) = ?, detail
		FROM movements WHERE id > ? AND id <= ? ORDER BY id LIMIT ?`, keyedPrefix, st.movement, st.until, limit)
	if err != nil {
		return 0, fmt.Errorf("reading movements to reseal: %w", err)
	}
	type row struct {
		id     int64
		m      stock.Movement
		keyed  bool // recorded under an idempotency key: it has a fingerprint
		detail sql.NullString
	}
	var todo []row
	n := 0
	for rows.Next() {
		var r row
		var noRefHash, noActorHash, keyedFP bool
		if err := rows.Scan(&r.id, &r.m.Warehouse, &r.m.Seq, &r.m.SKU, &r.m.Kind, &r.m.Quantity, &r.m.Reference,
			&r.m.Note, &r.m.Actor, &noRefHash, &noActorHash, &r.keyed, &keyedFP, &r.detail); err != nil {
			rows.Close()
			return 0, err
		}
		n, st.movement = n+1, r.id
		if b.stale(r.m.Reference, r.m.Note, r.m.Actor) || noRefHash || noActorHash || (r.keyed && !keyedFP) {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range todo {
		if err := b.s.openMovement(&r.m); err != nil {
			return 0, err
		}
		if err := openDetail(&r.m, r.detail); err != nil {
			return 0, err
		}
		sm := b.s.sealMovement(b.sealer, &r.m)
		fp := ""
		if r.keyed {
			fp = b.s.digest(recordedRequest(&r.m))
		}
		b.wrote = true
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE movements SET reference = ?, note = ?, actor = ?,
			reference_hash = ?, actor_hash = ?, fingerprint = ? WHERE id = ?`,
			sm.reference, sm.note, sm.actor, sm.referenceHash, sm.actorHash, fp, r.id); err != nil {
			return 0, fmt.Errorf("resealing movement %s:%d: %w", r.m.Warehouse, r.m.Seq, err)
		}
	}
	if n < limit {
		st.origin = "\x00" // the ledger is done: on to the change log, from its first key
	}
	return n, nil
}

// stale reports whether a non-empty value of vs is clear or sealed with
// another key than the batch's.
func (b *batch) stale(vs ...string) bool {
	for _, v := range vs {
		if v == "" {
			continue
		}
		if id, ok := sealing.KeyOf(v); !ok || id != b.sealer.ID() {
			return true
		}
	}
	return false
}

// resealEntries reseals the actors of product entries, and the fields of
// transfer, reservation, stocktake and transfer request entries, of the
// change log after (st.origin, st.seq), reading
// at most limit entries, and advances st; at the end it moves on to the
// audit log.
func (b *batch) resealEntries(st *sealState, limit int) (int, error) {
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT origin, seq, data FROM change_log
		WHERE (origin, seq) > (?, ?) AND data IS NOT NULL ORDER BY origin, seq LIMIT ?`, st.origin, st.seq, limit)
	if err != nil {
		return 0, fmt.Errorf("reading log entries to reseal: %w", err)
	}
	type stale struct {
		e    stock.LogEntry
		data []byte
	}
	var todo []stale
	n := 0
	for rows.Next() {
		var t stale
		if err := rows.Scan(&st.origin, &st.seq, &t.data); err != nil {
			rows.Close()
			return 0, err
		}
		n++
		if !b.staleEntry(t.data) {
			continue // already sealed with the current key: nothing to open
		}
		if err := b.s.decodeEntry(t.data, &t.e); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for i := range todo {
		e := &todo[i].e
		stored, err := b.storedData(e, todo[i].data)
		if err != nil {
			return 0, err
		}
		b.wrote = true
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE change_log SET data = ? WHERE origin = ? AND seq = ?`,
			stored, e.Origin, e.Seq); err != nil {
			return 0, fmt.Errorf("resealing log entry %s:%d: %w", e.Origin, e.Seq, err)
		}
	}
	if n < limit {
		st.origin, st.seq = auditPhase, 0
	}
	return n, nil
}

// auditPhase is the origin of the pass's cursor once it went through the
// change log: seq is then the last audit log entry it went through.
const auditPhase = "\x7faudit"

// resealAudit reseals the actors and subjects of the audit log after
// st.seq, reading at most limit entries; at the end it moves on to the
// transfers table.
func (b *batch) resealAudit(st *sealState, limit int) (int, error) {
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT id, at, actor, subject, actor_hash IS NULL AND actor <> ''
		FROM audit_log WHERE id > ? ORDER BY id LIMIT ?`, st.seq, limit)
	if err != nil {
		return 0, fmt.Errorf("reading audit entries to reseal: %w", err)
	}
	type row struct {
		id, at         int64
		actor, subject string
	}
	var todo []row
	n := 0
	for rows.Next() {
		var r row
		var noHash bool
		if err := rows.Scan(&r.id, &r.at, &r.actor, &r.subject, &noHash); err != nil {
			rows.Close()
			return 0, err
		}
		n, st.seq = n+1, r.id
		if b.stale(r.actor, r.subject) || noHash {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range todo {
		e := stock.AuditEntry{Actor: r.actor, Subject: r.subject}
		if err := b.s.openAudit(stock.AuditPos{At: r.at, Source: 1, N: r.id}, &e); err != nil {
			return 0, err
		}
		b.wrote = true
		actor, subject, hash := b.sealAudit(r.at, e.Actor, e.Subject)
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE audit_log SET actor = ?, subject = ?, actor_hash = ? WHERE id = ?`,
			actor, subject, hash, r.id); err != nil {
			return 0, fmt.Errorf("resealing audit entry %d: %w", r.id, err)
		}
	}
	if n < limit {
		st.origin, st.seq = transferPhase, 0
	}
	return n, nil
}

// resealTokens reseals the name of every token (a node has few).
func (b *batch) resealTokens() error {
	rows, err := b.client().Token.Query().All(b.ctx)
	if err != nil {
		return fmt.Errorf("reading tokens to reseal: %w", err)
	}
	for _, r := range rows {
		if !b.stale(r.Name) {
			continue
		}
		t, err := b.s.tokenOf(r)
		if err != nil {
			return err
		}
		if err := r.Update().SetName(b.sealer.Seal(t.Name, tokenAD(r.Hash))).Exec(b.ctx); err != nil {
			return fmt.Errorf("resealing token %d: %w", r.ID, err)
		}
		b.wrote = true
	}
	return nil
}

// staleEntry reports whether the stored data of a product, transfer,
// reservation, stocktake or transfer request entry holds a sealed field
// clear or sealed with another key than the batch's.
func (b *batch) staleEntry(data []byte) bool {
	var raw stock.LogEntry
	if err := stock.DecodeValue(data, &raw); err != nil {
		return true
	}
	if t := raw.Transfer; t != nil && b.stale(t.Reference, t.Note, t.Actor, t.Fingerprint) {
		return true
	}
	for _, f := range entryPromiseFields(&raw) {
		if b.stale(*f.v) {
			return true
		}
	}
	return b.stale(raw.Actor)
}

// transferPhase is the origin of the pass's cursor once it went through
// the audit log: seq is then the rowid of the last transfer it went
// through.
const transferPhase = "\x7ftransfers"

// resealTransfers reseals the reference, note and actor of the transfers
// after the rowid st.seq, and keys an unkeyed fingerprint, reading at most
// limit rows; at the end it moves on to the transfer requests.
func (b *batch) resealTransfers(st *sealState, limit int) (int, error) {
	rows, err := b.wc.conn.QueryContext(b.ctx, `SELECT rowid, reference, note, actor, cancel_requested_by, cancelled_by,
		idempotency_key IS NOT NULL AND substr(fingerprint, 1, 1) <> ?, `+transferColumns+`
		FROM transfers WHERE rowid > ? ORDER BY rowid LIMIT ?`, keyedPrefix, st.seq, limit)
	if err != nil {
		return 0, fmt.Errorf("reading transfers to reseal: %w", err)
	}
	type row struct {
		id             int64
		t              *stock.Transfer
		stale, unkeyed bool
	}
	var todo []row
	n := 0
	for rows.Next() {
		var r row
		var ref, note, actor, requestedBy, cancelledBy string
		r.t, err = b.s.scanTransfer(rowFunc(func(dest ...any) error {
			return rows.Scan(append([]any{&r.id, &ref, &note, &actor, &requestedBy, &cancelledBy, &r.unkeyed}, dest...)...)
		}))
		r.stale = b.stale(ref, note, actor, requestedBy, cancelledBy)
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("reading transfers to reseal: %w", err)
		}
		n, st.seq = n+1, r.id
		if r.stale || r.unkeyed {
			todo = append(todo, r)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range todo {
		row := sealTransferRow(b.sealer, r.t)
		b.wrote = true
		if _, err := b.wc.conn.ExecContext(b.ctx, `UPDATE transfers SET reference = ?, note = ?, actor = ?,
			cancel_requested_by = ?, cancelled_by = ?, fingerprint = ? WHERE rowid = ?`, row.reference, row.note, row.actor,
			row.cancelRequestedBy, row.cancelledBy, b.s.transferFingerprint(transferInputOf(r.t)), r.id); err != nil {
			return 0, fmt.Errorf("resealing transfer %s: %w", r.t.ID, err)
		}
	}
	if n < limit {
		st.origin, st.seq = requestPhase, 0
	}
	return n, nil
}

// rowFunc is a rowScanner made of a function.
type rowFunc func(dest ...any) error

// Scan calls f.
func (f rowFunc) Scan(dest ...any) error { return f(dest...) }
