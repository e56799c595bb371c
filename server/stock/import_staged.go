package stock

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"slices"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// ImportChunk is the most rows of an import one write job applies. An
// import of more rows is staged: its rows are kept by the database handler
// chunk by chunk, accepted in one write, then applied a chunk per write
// job, so that no job holds the writer for long and other writes go in
// between (make bench's import part: 100,000 lines beside a writer that
// waited at most 0.7 s). A chunk of 1,000 rather than 2,000 also kept the
// node's memory over a 100,000-line import under 100 MiB (94 against 106).
const ImportChunk = 1000

// importApplyTimeout bounds applying an accepted import once its request
// is gone: what is accepted is applied even when the client stops waiting.
const importApplyTimeout = 10 * time.Minute

// ImportStage is a chunk of a staged import's rows: the rows of indexes
// First to First+len(Rows)-1 of the import ID. Staged rows change nothing
// until the import is committed; staging the same chunk again replaces it.
type ImportStage struct {
	ID    string      `json:"id"`
	First int         `json:"first"`
	Rows  []ImportRow `json:"rows"`
}

// Normalize validates the chunk's rows (see ProductImport.Check).
func (st *ImportStage) Normalize() error {
	var err error
	if st.ID, err = text("id", st.ID, MaxKeyLen, true); err != nil {
		return err
	}
	if st.First < 0 {
		return invalid("first", "must not be negative")
	}
	return (&ProductImport{Rows: st.Rows}).Normalize()
}

// ImportCommit accepts the staged import ID of Total rows in one write:
// from then on every row is applied, chunk by chunk (ImportApply), even
// across a restart of the database handler; before it, nothing is. Digest
// is the rows' digest (see rowsDigest), which an idempotency key is kept
// with: the same key with the same rows answers that import's progress or
// result (whether or not the rows were staged again), with other rows it
// is refused.
type ImportCommit struct {
	ID             string `json:"id"`
	Total          int    `json:"total"`
	Digest         string `json:"digest"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

// Normalize validates the commit.
func (c *ImportCommit) Normalize() error {
	var err error
	if c.ID, err = text("id", c.ID, MaxKeyLen, true); err != nil {
		return err
	}
	if c.Digest, err = text("digest", c.Digest, MaxKeyLen, true); err != nil {
		return err
	}
	if c.Total <= 0 {
		return invalid("total", "must be positive")
	}
	c.IdempotencyKey, err = text("idempotencyKey", c.IdempotencyKey, MaxKeyLen, false)
	return err
}

// ImportApply applies the next chunk of the accepted import ID.
type ImportApply struct {
	ID string `json:"id"`
}

// Normalize validates the import's id.
func (a *ImportApply) Normalize() error {
	var err error
	a.ID, err = text("id", a.ID, MaxKeyLen, true)
	return err
}

// ImportProgress is where an accepted import stands: ID is the import
// being applied (an earlier one's when its idempotency key was sent
// again), Applied its rows applied so far, and once Done, Result what it
// did.
type ImportProgress struct {
	ID      string       `json:"id"`
	Applied int          `json:"applied"`
	Done    bool         `json:"done"`
	Result  ImportResult `json:"result"`
}

// ImportKey names an import by its idempotency key.
type ImportKey struct {
	IdempotencyKey string `json:"idempotencyKey"`
}

// Normalize validates the key.
func (k *ImportKey) Normalize() error {
	var err error
	k.IdempotencyKey, err = text("idempotencyKey", k.IdempotencyKey, MaxKeyLen, true)
	return err
}

// ImportKnown says whether an import was made with a key: done, or
// accepted and being applied.
type ImportKnown struct {
	Known bool `json:"known"`
}

// The operations of a staged import.
var (
	OpImportKnown  = Op[ImportKey, ImportKnown]{"product.import.known", ClassLookup, auth.RoleOperator}
	OpImportStage  = Op[ImportStage, Empty]{"product.import.stage", ClassWrite, auth.RoleOperator}
	OpImportCommit = Op[ImportCommit, ImportProgress]{"product.import.commit", ClassWrite, auth.RoleOperator}
	OpImportApply  = Op[ImportApply, ImportProgress]{"product.import.apply", ClassWrite, auth.RoleOperator}
)

// Importer takes an import a row at a time, as a file is read: each row
// is validated as it comes (its fields, a sku on an earlier line too) and
// the valid ones are staged a chunk at a time once the import has more
// than ImportChunk rows, so that a large file is never held whole. Finish
// then applies it whole, or not at all when any line was bad. An Importer
// is used by one goroutine.
type Importer struct {
	s      *Service
	ctx    context.Context
	key    string
	dry    bool
	id     string
	digest hash.Hash
	seen   skuLines
	rows   []ImportRow // the rows not staged yet
	n      int         // valid rows so far
	bad    []LineError
	err    error // staging failed: Finish returns it
	// known: the key was used already, asked before the first chunk is
	// staged: the rows are only digested, and the commit answers by key.
	known, asked bool
}

// NewImporter returns an Importer of rows to apply as ctx's principal with
// idempotency key key (none when ""); one for a dry run only validates.
func (s *Service) NewImporter(ctx context.Context, key string, dryRun bool) *Importer {
	return &Importer{s: s, ctx: ctx, key: key, dry: dryRun, id: "imp-" + rand.Text(), digest: sha256.New(),
		seen: newSKULines()}
}

// Add validates r and takes it, or notes what is wrong with its line.
func (im *Importer) Add(r ImportRow) {
	if err := r.check(im.seen); err != nil {
		im.Refuse(LineErrorOf(r.Line, err))
		return
	}
	im.n++
	if len(im.bad) > 0 || im.err != nil || im.dry {
		return // nothing of it will be applied: keep no row
	}
	im.rows = append(im.rows, r)
	if len(im.rows) > ImportChunk {
		im.stage(ImportChunk)
	}
}

// Refuse notes what is wrong with a line the caller could not read.
func (im *Importer) Refuse(e LineError) {
	im.bad = append(im.bad, e)
	im.rows = nil
}

// Rows returns how many valid rows were added.
func (im *Importer) Rows() int { return im.n }

// stage stages the first n rows not staged yet; with a key already used
// (asked before the first chunk), it only digests them.
func (im *Importer) stage(n int) {
	if im.err != nil {
		return
	}
	if im.key != "" && !im.asked {
		im.asked = true
		k, err := call(im.ctx, im.s, OpImportKnown, &ImportKey{IdempotencyKey: im.key})
		im.known = err == nil && k.Known // else staged: the commit still answers by key
	}
	first := im.n - len(im.rows)
	st := &ImportStage{ID: im.id, First: first, Rows: im.rows[:n]}
	if im.err = rowsDigest(im.digest, st.Rows); im.err == nil && !im.known {
		if _, err := call(im.ctx, im.s, OpImportStage, st); err != nil {
			im.err = fmt.Errorf("staging lines %d to %d: %w", st.Rows[0].Line, st.Rows[n-1].Line, err)
		}
	}
	im.rows = append(im.rows[:0], im.rows[n:]...)
}

// Finish applies the import and returns its result; when a line was bad,
// it applies nothing and returns what is wrong with each bad line, in
// line order (a dry run returns them too, and a nil result). An import of
// up to ImportChunk rows is one write job; a larger one is committed in
// one write and then applied a chunk per write job: once committed, it is
// applied to its end even when the Importer's context ends (within
// importApplyTimeout), and across a restart of the database handler.
func (im *Importer) Finish() (*ImportResult, []LineError, error) {
	if len(im.bad) > 0 {
		slices.SortStableFunc(im.bad, func(a, b LineError) int { return a.Line - b.Line })
		return nil, im.bad, nil
	}
	if im.n == 0 {
		return nil, nil, invalid("rows", "the file has no products")
	}
	if im.dry {
		return nil, nil, nil
	}
	if im.n == len(im.rows) && im.n <= ImportChunk {
		res, err := call(im.ctx, im.s, OpProductImport, &ProductImport{Rows: im.rows, IdempotencyKey: im.key})
		return res, nil, err
	}
	for len(im.rows) > 0 {
		im.stage(min(ImportChunk, len(im.rows)))
	}
	if im.err != nil {
		return nil, nil, im.err
	}
	p, err := call(im.ctx, im.s, OpImportCommit, &ImportCommit{ID: im.id, Total: im.n,
		Digest: hex.EncodeToString(im.digest.Sum(nil)), IdempotencyKey: im.key})
	if err != nil {
		return nil, nil, err
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(im.ctx), importApplyTimeout)
	defer cancel()
	for !p.Done {
		if p, err = call(actx, im.s, OpImportApply, &ImportApply{ID: p.ID}); err != nil {
			return nil, nil, fmt.Errorf("applying an accepted import (it goes on when sent again with its key, or at the next start): %w", err)
		}
	}
	return &p.Result, nil, nil
}

// rowsDigest adds rows to h, as an import's digest: a chunk's rows as
// EncodeValue writes them.
func rowsDigest(h hash.Hash, rows []ImportRow) error {
	b, err := EncodeValue(nil, rows)
	if err != nil {
		return fmt.Errorf("digesting an import: %w", err)
	}
	h.Write(b)
	return nil
}
