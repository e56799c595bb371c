package transfer

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// batchWait is how long a lookup waits for others to join its batch: the
// rows of a GraphQL list resolve their fields at once, so the transfers
// of a page of movements are asked for within it.
const batchWait = 500 * time.Microsecond

// batchTimeout bounds a batch's job.
const batchTimeout = 10 * time.Second

// batcher coalesces concurrent lookups of transfers by id into one
// TransfersByID job of at most stock.MaxPageSize ids, as gqlgen's
// dataloader example does per request: a page of 500 movements costs one
// job for their transfers instead of one each. Each caller is authorized
// and its id validated before it joins, so one caller cannot fail or
// read for another; the batch then reads as the node.
type batcher struct {
	read func(ctx context.Context, ids []string) ([]stock.Transfer, error)
	wait time.Duration // 0: batchWait

	mu      sync.Mutex
	pending map[string][]chan lookup
}

// lookup is one id's answer.
type lookup struct {
	t   *stock.Transfer
	err error
}

// get returns the transfer with id as this node knows it, NOT_FOUND when
// it knows none, read in a batch with the lookups made meanwhile.
func (b *batcher) get(ctx context.Context, id string) (*stock.Transfer, error) {
	if err := stock.Authorize(ctx, auth.RoleViewer); err != nil {
		return nil, err
	}
	ref := stock.TransferRef{ID: id}
	if err := ref.Normalize(); err != nil {
		return nil, err
	}
	ch := make(chan lookup, 1)
	b.mu.Lock()
	if b.pending == nil {
		b.pending = map[string][]chan lookup{}
	}
	first := len(b.pending) == 0
	b.pending[ref.ID] = append(b.pending[ref.ID], ch)
	var full map[string][]chan lookup // a full page, taken here so that no later lookup joins it
	if len(b.pending) >= stock.MaxPageSize {
		full, b.pending = b.pending, nil
	}
	b.mu.Unlock()
	switch {
	case full != nil:
		go b.answer(full)
	case first:
		time.AfterFunc(cmp.Or(b.wait, batchWait), b.flush)
	}
	select {
	case r := <-ch:
		return r.t, r.err
	case <-ctx.Done():
		return nil, stock.Errorf(stock.CodeUnavailable, "looking up transfer %s: %v", ref.ID, ctx.Err())
	}
}

// flush reads the transfers waiting in one job and answers their callers.
func (b *batcher) flush() {
	b.mu.Lock()
	p := b.pending
	b.pending = nil
	b.mu.Unlock()
	b.answer(p)
}

// answer reads the transfers of p in one job and answers their callers.
func (b *batcher) answer(p map[string][]chan lookup) {
	if len(p) == 0 {
		return
	}
	ids := make([]string, 0, len(p))
	for id := range p {
		ids = append(ids, id)
	}
	ctx, cancel := context.WithTimeout(auth.AsNode(context.Background()), batchTimeout)
	defer cancel()
	ts, err := b.read(ctx, ids)
	found := make(map[string]*stock.Transfer, len(ts))
	for i := range ts {
		found[ts[i].ID] = &ts[i]
	}
	for id, chs := range p {
		r := lookup{t: found[id], err: err}
		if err == nil && r.t == nil {
			r.err = stock.Errorf(stock.CodeNotFound, "transfer %s not found on this node (a transfer just sent may not have reached it yet)", id)
		}
		for _, ch := range chs {
			ch <- r
		}
	}
}
