package console

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/client/remote"
	"github.com/stockmesh/stockmesh/internal/api"
)

// A movement with a reference is recorded once by default. Its idempotency
// key is derived from what makes it the same movement (kind, sku, quantity
// and reference), so that running `move sale A1 3 --ref ORD-7` again (after
// a timeout, or by mistake) reaches the node as the same request: the node
// returns the first result and applies nothing. The console tells the two
// apart by the movement's seq, and refuses the repeat in scripts
// (--allow-repeat records it again, under a random key) and asks before
// recording it again in the menu.

// errRepeated reports that a movement with a reference was already
// recorded, so nothing was applied. First is that movement; nil when the
// first one had another note (the node refused the key for a different
// request).
type errRepeated struct {
	in    remote.NewMovement
	first *remote.Movement
}

// Error says what was not applied again.
func (e *errRepeated) Error() string {
	return fmt.Sprintf("console: %s of %d %s with reference %s already recorded", e.in.Kind, e.in.Quantity, e.in.SKU, deref(e.in.Reference))
}

// refKeyPrefix starts every derived key, so that it can be told from
// random ones and from keys scripts choose.
const refKeyPrefix = "ref1-"

// refKey returns the idempotency key of a movement with a reference: the
// same for the same kind, sku, quantity and reference, whatever its note.
func refKey(in remote.NewMovement) string {
	h := sha256.New()
	for _, s := range []string{in.Kind, in.SKU, strconv.Itoa(in.Quantity), deref(in.Reference)} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return refKeyPrefix + hex.EncodeToString(h.Sum(nil)[:16])
}

// recordOnce records in. A movement with a reference and no key of its own
// is sent under refKey; when the node answers with a movement it already
// held, or refuses the key because the first one had another note, the
// result is an *errRepeated and nothing was applied. Any other movement is
// recorded as it is (a random key when it has none).
func (a *app) recordOnce(ctx context.Context, c *remote.Client, in remote.NewMovement) (*remote.Movement, error) {
	if in.Reference == nil || in.IdempotencyKey != "" {
		return c.RecordMovement(ctx, in)
	}
	in.IdempotencyKey = refKey(in)
	// The newest movement of the sku in the node's own warehouse, where
	// the movement goes: seqs are numbered per warehouse, and a listing
	// without a warehouse spans every one the node holds.
	local, err := c.LocalWarehouse(ctx)
	if err != nil {
		return nil, err
	}
	last, err := c.Movements(ctx, remote.MovementFilter{SKU: in.SKU, Warehouse: local.ID}, 1)
	if err != nil {
		return nil, err
	}
	m, err := c.RecordMovement(ctx, in)
	var re *remote.Error
	switch {
	case errors.As(err, &re) && re.Code == api.CodeInvalidInput && strings.Contains(re.Message, in.IdempotencyKey):
		return nil, &errRepeated{in: in}
	case err != nil:
		return nil, err
	case len(last) > 0 && movementSeq(m.ID) <= movementSeq(last[0].ID):
		return nil, &errRepeated{in: in, first: m}
	}
	return m, nil
}

// movementSeq returns the seq of a movement id such as "MAD-1:42", or -1.
func movementSeq(id string) int64 {
	i := strings.LastIndexByte(id, ':')
	if i < 0 {
		return -1
	}
	n, err := strconv.ParseInt(id[i+1:], 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// repeatedSentence says, in p's language, that e was not applied again and
// how to record it anyway.
func repeatedSentence(p Printer, e *errRepeated) string {
	return p.T(msgRepeatRefused, repeatedWhat(p, e)...)
}

// repeatedWhat returns the arguments of the repeat messages: kind, units,
// sku, reference, and which movement it was (or that it had another note).
func repeatedWhat(p Printer, e *errRepeated) []any {
	which := p.T(msgRepeatOtherNote)
	if e.first != nil {
		which = e.first.ID + ", " + FormatTime(e.first.CreatedAt, time.Now())
	}
	return []any{kindName(p, e.in.Kind), FormatInt(p.Lang(), abs(e.in.Quantity)), e.in.SKU, deref(e.in.Reference), which}
}

// abs returns |n|.
func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
