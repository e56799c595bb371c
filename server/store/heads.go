package store

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// This file keeps the signed heads of every log the node holds, and the
// keys they are signed with (see server/trust). The writer signs the head
// of the local log once per committed batch that appended to it; a
// replica stores the head each verified run ended at, so that it can
// serve the run on with its proof (catching up through any member).

// createHeads creates the table of heads: the digest (stock.LogDigest, in
// hexadecimal) of origin's log up to seq and its origin's signature. sig
// is NULL for a digest this node computed itself from entries it held
// before logs were signed, kept so that it is not computed again.
const createHeads = `CREATE TABLE IF NOT EXISTS log_heads (
	origin TEXT NOT NULL,
	seq INTEGER NOT NULL,
	digest TEXT NOT NULL,
	sig BLOB,
	PRIMARY KEY (origin, seq)
) WITHOUT ROWID`

// createLogKeys creates the table of each warehouse's log-signing key, as
// first proved by its binding (stock.KeyBinding, JSON): a key is never
// replaced.
const createLogKeys = `CREATE TABLE IF NOT EXISTS log_keys (
	origin TEXT PRIMARY KEY,
	key BLOB NOT NULL,
	binding BLOB NOT NULL
)`

// createProblems creates the table of replica problems (stock.ReplicaProblem).
const createProblems = `CREATE TABLE IF NOT EXISTS replica_problems (
	origin TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	served_by TEXT NOT NULL,
	since INTEGER NOT NULL,
	detail TEXT NOT NULL
)`

// querier is a connection, transaction or pool to read with.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// selectLogRange is selectLog bounded above: the entries of an origin's
// log after one seq up to another.
var selectLogRange = strings.Replace(selectLog, "l.seq > ? ORDER BY", "l.seq > ? AND l.seq <= ? ORDER BY", 1)

// chainAt returns the digest of origin's log up to seq as this node holds
// it: from the nearest head at or below seq, chaining the entries after it.
func (s *Store) chainAt(ctx context.Context, q querier, origin string, seq int64) (digestState, error) {
	var st digestState
	var digest string
	err := q.QueryRowContext(ctx, `SELECT seq, digest FROM log_heads WHERE origin = ? AND seq <= ?
		ORDER BY seq DESC LIMIT 1`, origin, seq).Scan(&st.seq, &digest)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		st = digestState{}
	case err != nil:
		return st, fmt.Errorf("reading the heads of %s: %w", origin, err)
	default:
		if st.sum, err = parseDigest(digest); err != nil {
			return st, err
		}
	}
	if st.seq == seq {
		return st, nil
	}
	d := stock.ResumeDigest(st.sum)
	rows, err := q.QueryContext(ctx, selectLogRange, origin, st.seq, seq, seq-st.seq)
	if err != nil {
		return st, fmt.Errorf("reading the log of %s: %w", origin, err)
	}
	defer rows.Close()
	for rows.Next() {
		e := stock.LogEntry{Origin: origin}
		if err := s.scanEntry(rows, &e); err != nil {
			return st, fmt.Errorf("reading a log entry of %s: %w", origin, err)
		}
		if err := d.Add(&e); err != nil {
			return st, err
		}
		st.seq, st.at = e.Seq, e.At.UnixNano()
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	st.sum = d.Sum()
	return st, nil
}

// parseDigest decodes a digest stored in hexadecimal.
func parseDigest(s string) ([32]byte, error) {
	var sum [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(sum) {
		return sum, fmt.Errorf("a stored log digest %q is not one", s)
	}
	copy(sum[:], b)
	return sum, nil
}

// signHead signs the head of the local log the batch appended to, and
// stores it in the batch's transaction: once per batch, whatever the
// number of entries, since each entry commits to the one before it.
func (b *batch) signHead() error {
	if !signing || b.s.signer == nil || b.w.local == nil {
		return nil
	}
	id := b.w.local.ID
	var d *stock.LogDigest
	seq := b.w.chain.seq
	for _, c := range b.changes {
		if c.e.Origin != id || c.e.Type == stock.EntryRun {
			continue
		}
		if d == nil {
			if before := c.e.Seq - 1; b.w.chain.seq != before {
				// Not in step (a restored history adopted, a database from
				// before the log): the digest so far, from the log.
				st, err := b.s.chainAt(b.ctx, b.wc.conn, id, before)
				if err != nil {
					return err
				}
				b.w.chain = st
			}
			d = stock.ResumeDigest(b.w.chain.sum)
		}
		d.AddEncoded(c.data)
		seq = c.e.Seq
	}
	if d == nil {
		return nil
	}
	b.w.chain = digestState{seq: seq, sum: d.Sum()}
	h := trust.SignHead(b.s.signer, id, b.w.local.Epoch, seq, d.String())
	return b.insertHead(id, &h)
}

// insertHead stores a head of origin's log in the batch's transaction.
func (b *batch) insertHead(origin string, h *stock.SignedHead) error {
	b.wrote = true
	if err := b.exec(stInsertHead, origin, h.Seq, h.Digest, h.Sig); err != nil {
		return fmt.Errorf("storing the head of %s at %d: %w", origin, h.Seq, err)
	}
	return nil
}

// signExisting signs the head of the local log at start when the last
// entry has no signed head: a log written before logs were signed (its
// whole chain is then covered by one signature), or one whose last batch
// was signed by no one.
func (s *Store) signExisting(ctx context.Context) error {
	if !signing || s.signer == nil || s.w.local == nil {
		return nil
	}
	id := s.w.local.ID
	last, err := lastSeq(ctx, s.wdb, id)
	if err != nil || last == 0 {
		return err
	}
	st, err := s.chainAt(ctx, s.wdb, id, last)
	if err != nil {
		return err
	}
	s.w.chain = st
	var signed bool
	err = s.wdb.QueryRowContext(ctx, `SELECT sig IS NOT NULL FROM log_heads WHERE origin = ? AND seq = ?`, id, last).Scan(&signed)
	if err == nil && signed {
		return nil
	}
	h := trust.SignHead(s.signer, id, s.w.local.Epoch, last, st.hex())
	if _, err := s.wdb.ExecContext(ctx, `INSERT OR REPLACE INTO log_heads (origin, seq, digest, sig) VALUES (?, ?, ?, ?)`,
		id, h.Seq, h.Digest, h.Sig); err != nil {
		return fmt.Errorf("signing the head of %s's log: %w", id, err)
	}
	s.log.Info("signed the head of this warehouse's log", "id", id, "seq", last)
	return nil
}

// ownBinding returns the binding of this node's log-signing key to its
// warehouse, made once from its TLS certificate and key.
func (s *Store) ownBinding() (*stock.KeyBinding, error) {
	if b := s.binding.Load(); b != nil {
		return b, nil
	}
	local := s.local.Load()
	if local == nil || s.signer == nil {
		return nil, nil
	}
	f := pki.FilesIn(filepath.Join(s.dir, "tls"))
	b, err := trust.Bind(local.ID, s.signer.Public().(ed25519.PublicKey), f.Cert, f.Key)
	if err != nil {
		return nil, err
	}
	s.binding.Store(b)
	return b, nil
}

// roots returns the network CA this node verifies key bindings against.
func (s *Store) roots() (*x509.CertPool, error) {
	return pki.LoadCAPool(pki.FilesIn(filepath.Join(s.dir, "tls")).CACert)
}

// proof returns the proof of a page of origin's log after seq: the
// origin's key binding, the signed head the page ends at, and the head at
// after when held. It returns the seq the page must end at, 0 when no
// signed head follows after (the page then goes without one).
func (s *Store) proof(ctx context.Context, tx querier, origin string, after int64, limit int) (*stock.LogProof, int64, error) {
	p := &stock.LogProof{}
	head, err := s.signedHead(ctx, tx, `SELECT seq, digest, sig FROM log_heads WHERE origin = ? AND seq > ? AND seq <= ?
		AND sig IS NOT NULL ORDER BY seq DESC LIMIT 1`, origin, after, after+int64(limit))
	if err == nil && head == nil { // a run longer than a page: up to its head
		head, err = s.signedHead(ctx, tx, `SELECT seq, digest, sig FROM log_heads WHERE origin = ? AND seq > ?
			AND sig IS NOT NULL ORDER BY seq LIMIT 1`, origin, after)
	}
	if err != nil || head == nil {
		return nil, 0, err
	}
	p.Head = head
	if p.Anchor, err = s.signedHead(ctx, tx, `SELECT seq, digest, sig FROM log_heads WHERE origin = ? AND seq = ?
		AND sig IS NOT NULL`, origin, after); err != nil {
		return nil, 0, err
	}
	if origin == s.localID() {
		if p.Key, err = s.ownBinding(); err != nil { // no certificate yet: members refuse the page, and say why
			s.log.Warn("serving this warehouse's log without its key binding", "err", err)
			p.Key, err = nil, nil
		}
	} else {
		p.Key, err = s.storedBinding(ctx, tx, origin)
	}
	if err != nil {
		return nil, 0, err
	}
	return p, head.Seq, nil
}

// signedHead reads one signed head with query, nil when there is none.
func (s *Store) signedHead(ctx context.Context, q querier, query string, args ...any) (*stock.SignedHead, error) {
	h := &stock.SignedHead{}
	err := q.QueryRowContext(ctx, query, args...).Scan(&h.Seq, &h.Digest, &h.Sig)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading a signed head: %w", err)
	}
	return h, nil
}

// storedBinding returns the key binding of origin this node holds, nil for
// none.
func (s *Store) storedBinding(ctx context.Context, q querier, origin string) (*stock.KeyBinding, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT binding FROM log_keys WHERE origin = ?`, origin).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key of %s: %w", origin, err)
	}
	var b stock.KeyBinding
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("reading the key of %s: %w", origin, err)
	}
	return &b, nil
}
