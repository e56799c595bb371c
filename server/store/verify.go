package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// verifyRun checks a run of origin's log before anything of it is
// applied: the origin's key (pinned at first sight from a binding the
// network's CA vouches for), the signature of the head the run ends at,
// and that the entries after last, chained onto this node's digest at
// last, reach that head's digest. It returns the seq up to which the run
// may be applied, or why it is refused. A fork (two validly signed
// histories) is told from an altered run by the serving node's head at
// last (the proof's Anchor).
//
// problem is the kind of problem recorded for origin ("" for none).
func (b *batch) verifyRun(in *stock.ChangeBatch, origin string, last int64, problem stock.ReplicaProblemKind) (int64, *stock.Rejection, error) {
	reject := func(r stock.RejectReason, format string, args ...any) (int64, *stock.Rejection, error) {
		return 0, &stock.Rejection{Reason: r, Detail: fmt.Sprintf(format, args...)}, nil
	}
	if problem == stock.ProblemFork {
		return reject(stock.RejectFork, "%s signed two histories; its log is not applied until an admin resolves the fork", origin)
	}
	p := in.Proof
	if p == nil || p.Head == nil {
		return reject(stock.RejectSignature, "the run carries no signed head")
	}
	key, rej, err := b.originKey(origin, p.Key)
	if err != nil || rej != nil {
		return 0, rej, err
	}
	if !trust.VerifyHead(key, origin, in.Epoch, p.Head) {
		return reject(stock.RejectSignature, "the head at %d is not signed by %s's key", p.Head.Seq, origin)
	}
	base, err := b.s.chainAt(b.ctx, b.wc.conn, origin, last)
	if err != nil {
		return 0, nil, err
	}
	if a := p.Anchor; a != nil && a.Seq > 0 && a.Seq <= last && trust.VerifyHead(key, origin, in.Epoch, a) {
		if fork, err := b.s.forkAt(b.ctx, b.wc.conn, origin, a); err != nil || fork != "" {
			return 0, &stock.Rejection{Reason: stock.RejectFork, Detail: fork}, err
		}
	}
	if p.Head.Seq <= last { // nothing new: the head must be one of ours
		if fork, err := b.s.forkAt(b.ctx, b.wc.conn, origin, p.Head); err != nil || fork != "" {
			return 0, &stock.Rejection{Reason: stock.RejectFork, Detail: fork}, err
		}
		return last, nil, nil
	}
	d := stock.ResumeDigest(base.sum)
	seq := last
	for i := range in.Entries {
		e := &in.Entries[i]
		if e.Seq <= seq {
			continue
		}
		if e.Seq != seq+1 {
			return reject(stock.RejectChain, "the run of %s continues at %d here, not %d", origin, seq+1, e.Seq)
		}
		if err := d.Add(e); err != nil {
			return 0, nil, err
		}
		if seq = e.Seq; seq == p.Head.Seq {
			break
		}
	}
	switch {
	case seq != p.Head.Seq:
		return reject(stock.RejectChain, "the run ends at %d, before its signed head at %d", seq, p.Head.Seq)
	case d.String() != p.Head.Digest:
		return reject(stock.RejectChain, "entries %d to %d do not hash to the signed head's digest", last+1, seq)
	}
	return seq, nil, nil
}

// originKey returns origin's log-signing key: the one this node pinned, or
// the one binding proves (then pinned in the batch's transaction).
func (b *batch) originKey(origin string, binding *stock.KeyBinding) (ed25519.PublicKey, *stock.Rejection, error) {
	var key []byte
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT key FROM log_keys WHERE origin = ?`, origin).Scan(&key)
	if err == nil {
		return key, nil, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("reading the key of %s: %w", origin, err)
	}
	if binding == nil {
		return nil, &stock.Rejection{Reason: stock.RejectSignature, Detail: "no key of " + origin + " is known and the run names none"}, nil
	}
	roots, err := b.s.roots()
	if err != nil {
		return nil, nil, fmt.Errorf("loading the network CA to verify %s's key: %w", origin, err)
	}
	pub, err := trust.VerifyBinding(binding, origin, roots)
	if err != nil {
		return nil, &stock.Rejection{Reason: stock.RejectSignature, Detail: err.Error()}, nil
	}
	raw, err := json.Marshal(binding)
	if err != nil {
		return nil, nil, err
	}
	b.wrote = true
	if _, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO log_keys (origin, key, binding) VALUES (?, ?, ?)`, origin, []byte(pub), raw); err != nil {
		return nil, nil, fmt.Errorf("pinning the key of %s: %w", origin, err)
	}
	return pub, nil, nil
}

// problemKind returns the kind of the problem recorded for origin, "" for
// none.
func (b *batch) problemKind(origin string) (stock.ReplicaProblemKind, error) {
	var kind string
	err := b.wc.conn.QueryRowContext(b.ctx, `SELECT kind FROM replica_problems WHERE origin = ?`, origin).Scan(&kind)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return stock.ReplicaProblemKind(kind), err
}

// recordProblem records a problem with a replica and audits it: a fork
// stays until resolved; an unverifiable run replaces an older
// unverifiable one, never a fork.
func (b *batch) recordProblem(in *stock.ProblemReport) (*stock.Empty, error) {
	kind := in.Kind()
	b.wrote = true
	_, err := b.wc.conn.ExecContext(b.ctx, `INSERT INTO replica_problems (origin, kind, served_by, since, detail)
		VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (origin) DO UPDATE SET kind = ?2, served_by = ?3, since = ?4, detail = ?5
		WHERE replica_problems.kind <> 'FORK'`, in.Origin, string(kind), in.ServedBy, b.now().UnixNano(), in.Detail)
	if err != nil {
		return nil, fmt.Errorf("recording a problem with the replica of %s: %w", in.Origin, err)
	}
	action := "replica.rejected"
	if kind == stock.ProblemFork {
		action = "replica.fork"
	}
	detail := fmt.Sprintf("reason %s, served by %s: %s", in.Reason, in.ServedBy, in.Detail)
	return &stock.Empty{}, b.audit(action, in.Origin, detail)
}

// clearUnverifiable forgets an unverifiable run of origin once a run of it
// was verified and applied.
func (b *batch) clearUnverifiable(origin string) error {
	_, err := b.wc.conn.ExecContext(b.ctx, `DELETE FROM replica_problems WHERE origin = ? AND kind = 'UNVERIFIABLE'`, origin)
	return err
}

// problemOf returns the problem recorded for origin, nil for none.
func (s *Store) problemOf(ctx context.Context, q querier, origin string) (*stock.ReplicaProblem, error) {
	var p stock.ReplicaProblem
	var since int64
	err := q.QueryRowContext(ctx, `SELECT kind, served_by, since, detail FROM replica_problems WHERE origin = ?`, origin).
		Scan(&p.Kind, &p.ServedBy, &since, &p.Detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the problems of %s: %w", origin, err)
	}
	p.Since = time.Unix(0, since).UTC()
	return &p, nil
}

// checkHead compares a member's signed head of another warehouse's log
// with the history this node holds, on one snapshot: a head validly signed
// by the origin's pinned key whose digest differs from this node's at its
// seq proves that the origin signed two histories.
func (s *Store) checkHead(ctx context.Context, c *stock.HeadCheck) (*stock.HeadVerdict, error) {
	if c.Origin == s.localID() {
		return &stock.HeadVerdict{}, nil
	}
	tx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var key []byte
	err = tx.QueryRowContext(ctx, `SELECT key FROM log_keys WHERE origin = ?`, c.Origin).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return &stock.HeadVerdict{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the key of %s: %w", c.Origin, err)
	}
	var epoch string
	if err := tx.QueryRowContext(ctx, `SELECT epoch FROM warehouses WHERE id = ?`, c.Origin).Scan(&epoch); err != nil || epoch != c.Epoch {
		return &stock.HeadVerdict{}, nil // another epoch is a log begun again, refused as such when pulled
	}
	last, err := lastSeq(ctx, tx, c.Origin)
	if err != nil || c.Head.Seq > last || !trust.VerifyHead(key, c.Origin, c.Epoch, &c.Head) {
		return &stock.HeadVerdict{}, err
	}
	fork, err := s.forkAt(ctx, tx, c.Origin, &c.Head)
	if err != nil {
		return nil, err
	}
	return &stock.HeadVerdict{Fork: fork != "", Detail: fork}, nil
}

// forkAt compares h, a validly signed head of origin's log at a seq this
// node holds, with this node's digest there, and says how they differ
// ("" when they agree): the origin signed two histories.
func (s *Store) forkAt(ctx context.Context, q querier, origin string, h *stock.SignedHead) (string, error) {
	st, err := s.chainAt(ctx, q, origin, h.Seq)
	if err != nil || st.hex() == h.Digest {
		return "", err
	}
	return fmt.Sprintf("%s signed digest %s at %d, and this node holds digest %s there", origin, h.Digest, h.Seq, st.hex()), nil
}
