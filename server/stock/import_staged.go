package stock

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
)

// ImportChunk is the most rows of an import one write job applies. An
// import of more rows is staged: its rows are kept by the database handler
// chunk by chunk, accepted in one write, then applied a chunk per write
// job, so that no job holds the writer for long (a chunk of 2,000 new
// products with stock takes it about 0.3 s) and other writes go in between.
const ImportChunk = 2000

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
// result, with other rows it is refused.
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

// The operations of a staged import.
var (
	OpImportStage  = Op[ImportStage, Empty]{"product.import.stage", ClassWrite, auth.RoleOperator}
	OpImportCommit = Op[ImportCommit, ImportProgress]{"product.import.commit", ClassWrite, auth.RoleOperator}
	OpImportApply  = Op[ImportApply, ImportProgress]{"product.import.apply", ClassWrite, auth.RoleOperator}
)

// importStaged stages im's rows a chunk per job, commits them in one job
// and applies them a chunk per job until done. Once committed, the import
// is applied to its end even when ctx ends (within importApplyTimeout).
func (s *Service) importStaged(ctx context.Context, im *ProductImport) (*ImportResult, error) {
	if err := Authorize(ctx, OpImportCommit.Role); err != nil {
		return nil, err
	}
	if err := im.Normalize(); err != nil {
		return nil, err
	}
	id := "imp-" + rand.Text()
	h := sha256.New()
	for first := 0; first < len(im.Rows); first += ImportChunk {
		st := &ImportStage{ID: id, First: first, Rows: im.Rows[first:min(first+ImportChunk, len(im.Rows))]}
		if err := rowsDigest(h, st.Rows); err != nil {
			return nil, err
		}
		if _, err := call(ctx, s, OpImportStage, st); err != nil {
			return nil, fmt.Errorf("staging lines %d to %d: %w", st.Rows[0].Line, st.Rows[len(st.Rows)-1].Line, err)
		}
	}
	p, err := call(ctx, s, OpImportCommit, &ImportCommit{ID: id, Total: len(im.Rows),
		Digest: hex.EncodeToString(h.Sum(nil)), IdempotencyKey: im.IdempotencyKey})
	if err != nil {
		return nil, err
	}
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), importApplyTimeout)
	defer cancel()
	for !p.Done {
		if p, err = call(actx, s, OpImportApply, &ImportApply{ID: p.ID}); err != nil {
			return nil, fmt.Errorf("applying an accepted import (it resumes when sent again with its key, or at the next start): %w", err)
		}
	}
	return &p.Result, nil
}

// rowsDigest adds rows to h, as an import's digest: a chunk's rows as
// EncodeValue writes them.
func rowsDigest(h interface{ Write([]byte) (int, error) }, rows []ImportRow) error {
	b, err := EncodeValue(nil, rows)
	if err != nil {
		return fmt.Errorf("digesting an import: %w", err)
	}
	h.Write(b)
	return nil
}
