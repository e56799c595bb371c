package store

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/internal/sealing"
	"github.com/stockmesh/stockmesh/server/stock"
)

// resolution says how the writer answers a job.outcome query about a job
// of an operation whose reply was lost (see stock.Outcome).
type resolution uint8

const (
	// byRecord: the job's reply is recorded in job_outcomes, in its
	// transaction; no record means the job changed nothing.
	byRecord resolution = iota
	// byLog: a change of the local warehouse whose reply is rebuilt from
	// the log entries the job appended (stock.ReplyFromLog); none means
	// it changed nothing.
	byLog
	// byRecordOrUnknown: recorded as byRecord, but the operation also acts
	// outside the database (key files), so no record means the writer
	// cannot tell.
	byRecordOrUnknown
	// unresolved: job.outcome itself, which changes nothing.
	unresolved
)

// createOutcomes creates the recorded replies of the write jobs that are
// not resolved by the change log, keyed by job key; a reply is sealed
// (bound to its job key, see outcomeAD), as it may hold sealed values (a
// token's name). Rows older than outcomeKeep are deleted as others are
// recorded.
const createOutcomes = `CREATE TABLE IF NOT EXISTS job_outcomes (
	job TEXT NOT NULL PRIMARY KEY,
	at INTEGER NOT NULL,
	reply TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS job_outcomes_at ON job_outcomes (at)`

// outcomeKeep is how long a recorded reply is kept: far longer than a
// caller waits to resolve a lost reply (stock.Service.ResolveWithin).
const outcomeKeep = time.Hour

// outcomeWindow is how many of the latest local changes an outcome query
// searches for its job: far more than a node appends while a client waits
// for a reply.
const outcomeWindow = 1 << 20

// outcomeAD is what a recorded reply is sealed to.
func outcomeAD(key string) string { return "job:" + key }

// recordOutcome records reply, the answer of the job running, when its
// operation is resolved by record and the job has a key; it runs in the
// job's savepoint, so the record commits exactly when the job does.
func (b *batch) recordOutcome(h handler, reply []byte) error {
	if b.meta.Key == "" || (h.resolve != byRecord && h.resolve != byRecordOrUnknown) {
		return nil
	}
	at := b.now().UnixNano()
	sealed := b.sealer.Seal(string(reply), outcomeAD(b.meta.Key))
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT OR REPLACE INTO job_outcomes (job, at, reply) VALUES (?, ?, ?)`,
		b.meta.Key, at, sealed); err != nil {
		return fmt.Errorf("recording the outcome of %s job %s: %w", b.meta.Op, b.meta.Key, err)
	}
	if _, err := b.wc.conn.ExecContext(b.ctx, `DELETE FROM job_outcomes WHERE at < ?`,
		at-int64(outcomeKeep)); err != nil {
		return fmt.Errorf("deleting old job outcomes: %w", err)
	}
	return nil
}

// outcome answers whether the job with q.Key, of operation q.Op, was
// applied: its recorded reply, or the local changes it appended, or, for
// an operation that acts outside the database and left no record, that
// the writer cannot tell. It runs in the writer, after every job sent
// before it.
func (b *batch) outcome(q *stock.OutcomeQuery) (*stock.Outcome, error) {
	if o, err := b.recorded(q.Key); o != nil || err != nil {
		return o, err
	}
	if h, ok := b.s.ops[q.Op]; ok && h.resolve != byLog {
		return &stock.Outcome{Unknown: h.resolve == byRecordOrUnknown}, nil
	}
	wh, err := b.localWarehouse()
	if err != nil {
		return nil, err
	}
	o := &stock.Outcome{Origin: wh.ID}
	err = b.wc.conn.QueryRowContext(b.ctx, `SELECT COALESCE(MIN(seq), 0), COUNT(*) FROM change_log
		WHERE origin = ? AND seq > ? AND job = ?`, wh.ID, b.w.seq-outcomeWindow, q.Key).Scan(&o.Seq, &o.Count)
	if err != nil {
		return nil, fmt.Errorf("looking up job %s: %w", q.Key, err)
	}
	o.Applied = o.Count > 0
	return o, nil
}

// recorded returns the outcome of the job with key from its recorded
// reply, nil when there is none. A reply sealed with a key since retired
// is an unknown outcome.
func (b *batch) recorded(key string) (*stock.Outcome, error) {
	var sealed string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT reply FROM job_outcomes WHERE job = ?`, key).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("looking up the outcome of job %s: %w", key, err)
	}
	reply, err := b.s.keys.Open(sealed, outcomeAD(key))
	if errors.Is(err, sealing.ErrUnknownKey) {
		return &stock.Outcome{Unknown: true}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opening the outcome of job %s: %w", key, err)
	}
	return &stock.Outcome{Applied: true, Reply: []byte(reply)}, nil
}
