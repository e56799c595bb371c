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

// keeps reports whether the outcome of the job running is recorded: its
// operation is resolved by record and the job has a key.
func (b *batch) keeps(h handler) bool {
	return b.meta.Key != "" && (h.resolve == byRecord || h.resolve == byRecordOrUnknown)
}

// changesSoFar returns how many rows the writer's connection changed so
// far (SQLite's total_changes()), for a job whose outcome is recorded; 0
// for the others, which need not know.
func (b *batch) changesSoFar(h handler) int64 {
	if !b.keeps(h) {
		return 0
	}
	var n int64
	if err := b.wc.conn.QueryRowContext(b.ctx, `SELECT total_changes()`).Scan(&n); err != nil {
		return -1 // unknown: the reply is recorded
	}
	return n
}

// recordOutcome records reply, the answer of the job running, when its
// operation is resolved by record, the job has a key and it changed a
// row since before (changesSoFar before it ran). A job that changed
// nothing (a restart confirming its warehouse, a reseal with nothing to
// reseal) writes no record, so that a node starts on a full disk: its
// reply is kept in memory (noopReplies), and after a restart of the
// writer no record answers the same as running it again. It
// runs in the job's savepoint, so the record commits exactly when the job
// does.
func (b *batch) recordOutcome(h handler, reply []byte, before int64) error {
	if !b.keeps(h) {
		return nil
	}
	if before >= 0 && b.changesSoFar(h) == before {
		b.s.w.noops.add(b.meta.Key, reply)
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
	if reply, ok := b.s.w.noops.get(q.Key); ok {
		return &stock.Outcome{Applied: true, Reply: reply}, nil
	}
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

// maxNoops bounds the replies of jobs that changed nothing kept in memory.
const maxNoops = 1024

// noopReplies keeps the replies of the latest jobs whose outcome is
// recorded but that changed nothing, by job key, the oldest dropped first.
type noopReplies struct {
	byKey map[string][]byte
	order []string
}

// add keeps reply as the outcome of the job key.
func (n *noopReplies) add(key string, reply []byte) {
	if n.byKey == nil {
		n.byKey = map[string][]byte{}
	}
	if _, ok := n.byKey[key]; !ok {
		n.order = append(n.order, key)
	}
	n.byKey[key] = reply
	if len(n.order) > maxNoops {
		delete(n.byKey, n.order[0])
		n.order = n.order[1:]
	}
}

// get returns the reply kept for the job key.
func (n *noopReplies) get(key string) ([]byte, bool) {
	r, ok := n.byKey[key]
	return r, ok
}
