package peer

import (
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Watcher tells long-polling sync requests that a log advanced. The node's
// event pump calls Advance for every committed entry it sees; Wait returns
// once an origin's log passes a seq. Events can be lost on their way to the
// pump (the feed fills such gaps itself), so waiters also look at the log
// again every recheck: news is late at worst by that much, never missed.
type Watcher struct {
	mu    sync.Mutex
	heads map[string]int64
	gen   uint64        // advances so far, of any log
	moved chan struct{} // closed and replaced on every advance
	waits int           // calls of Wait under way
}

// recheck bounds how long a waiter trusts the watcher alone.
const recheck = time.Second

// NewWatcher returns a Watcher that has seen nothing.
func NewWatcher() *Watcher {
	return &Watcher{heads: map[string]int64{}, moved: make(chan struct{})}
}

// Advance records that origin's log reached seq.
func (w *Watcher) Advance(origin string, seq int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if seq <= w.heads[origin] {
		return
	}
	w.heads[origin] = seq
	w.gen++
	close(w.moved)
	w.moved = make(chan struct{})
}

// Wait returns when origin's log is known to have passed after, when
// recheck has passed (the caller reads the log again), or when ctx is
// done.
func (w *Watcher) Wait(ctx context.Context, origin string, after int64) {
	t := time.NewTimer(recheck)
	defer t.Stop()
	w.mu.Lock()
	w.waits++
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.waits--
		w.mu.Unlock()
	}()
	for {
		w.mu.Lock()
		head, moved := w.heads[origin], w.moved
		w.mu.Unlock()
		if head > after {
			return
		}
		select {
		case <-moved:
		case <-t.C:
			return
		case <-ctx.Done():
			return
		}
	}
}

// waiting returns how many calls of Wait are under way.
func (w *Watcher) waiting() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.waits
}

// Head returns the highest seq of origin's log the watcher has seen.
func (w *Watcher) Head(origin string) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.heads[origin]
}

// Gen returns how many times any log advanced: a heads long poll waits for
// it to move.
func (w *Watcher) Gen() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.gen
}

// WaitGen returns when any log advanced past generation gen, or when ctx
// is done.
func (w *Watcher) WaitGen(ctx context.Context, gen uint64) {
	for {
		w.mu.Lock()
		cur, moved := w.gen, w.moved
		w.mu.Unlock()
		if cur != gen {
			return
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return
		}
	}
}

// Heads returns the highest seq of every log the watcher has seen move
// since the node started, and the generation they are at.
func (w *Watcher) Heads() ([]stock.Head, uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]stock.Head, 0, len(w.heads))
	for origin, seq := range w.heads {
		out = append(out, stock.Head{Origin: origin, LastSeq: seq})
	}
	return out, w.gen
}

// WaitBeyond returns when some log moved past generation gen beyond what
// have says the caller holds (a log not in have counts as held to 0), or
// when ctx is done: a follower is not woken by the runs it handed this
// node itself.
func (w *Watcher) WaitBeyond(ctx context.Context, gen uint64, have map[string]int64) {
	for {
		w.mu.Lock()
		cur, moved := w.gen, w.moved
		beyond := false
		if cur != gen {
			for origin, seq := range w.heads {
				if seq > have[origin] {
					beyond = true
					break
				}
			}
		}
		w.mu.Unlock()
		if beyond {
			return
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return
		}
	}
}
