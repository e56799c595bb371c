// Package netwatch tells subscribers (networkChanged) which warehouses of
// the network changed as this node knows them: online or offline,
// departed, how far behind, the seq of its replica (and so its digest)
// and any problem with it. The changes come from three places: the node's
// stream of committed entries (Advance, as a feed.HeadFollower: a log
// moved), the replicator's refusals (Poke: a replica problem recorded),
// and the membership protocol's state, which nothing pushes, sampled
// while anyone watches. A Watcher coalesces them: at most one event per
// warehouse each Every, and a subscriber that falls behind gets each
// warehouse once (feed.Latest), so a busy network never floods a page.
package netwatch

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/feed"
)

// Every is the least time between two events of one warehouse, and how
// often a Watcher samples the membership state while anyone watches.
const Every = 250 * time.Millisecond

// Sampler returns, per warehouse id, a fingerprint of what the membership
// protocol knows of it (online, departed, behind…); a Watcher reports a
// warehouse whose fingerprint changed. It must not block.
type Sampler func() map[string]string

// Watcher gathers the warehouses whose state changed and hands them to
// its watchers (see the package comment). Its zero value is not usable;
// use New.
type Watcher struct {
	latest *feed.Latest[string]

	mu     sync.Mutex
	sample Sampler
	dirty  map[string]struct{}
	seen   map[string]string
}

// New returns a Watcher without watchers or sampler.
func New() *Watcher {
	id := func(s string) string { return s }
	return &Watcher{latest: feed.NewLatest(id, func(s string) (string, string) { return s, s }),
		dirty: map[string]struct{}{}, seen: map[string]string{}}
}

// SetSampler sets where the Watcher reads the membership state.
func (w *Watcher) SetSampler(s Sampler) {
	w.mu.Lock()
	w.sample = s
	w.mu.Unlock()
}

// Advance notes that origin's log reached seq (feed.HeadFollower); it
// never blocks, and costs nothing while nobody watches.
func (w *Watcher) Advance(origin string, _ int64) { w.Poke(origin) }

var _ feed.HeadFollower = (*Watcher)(nil)

// Poke notes that something of warehouse id changed (a replica problem
// recorded); it never blocks.
func (w *Watcher) Poke(id string) {
	if w.latest.Watchers() == 0 {
		return
	}
	w.mu.Lock()
	w.dirty[id] = struct{}{}
	w.mu.Unlock()
}

// Watch returns the ids of the warehouses that change from now on, each
// at most once per Every, until ctx is done, when the channel is closed.
func (w *Watcher) Watch(ctx context.Context) <-chan string { return w.latest.Watch(ctx, "") }

// Watchers returns the number of open watches.
func (w *Watcher) Watchers() int { return w.latest.Watchers() }

// Run hands the changed warehouses to the watchers every Every until ctx
// is done; it returns nil then.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for _, id := range w.changed() {
			w.latest.Publish(id)
		}
	}
}

// changed returns, in order, the warehouses noted or whose sampled state
// changed since the last call, and forgets them; none while nobody
// watches (a later watcher reads the state first anyway).
func (w *Watcher) changed() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.latest.Watchers() == 0 {
		clear(w.dirty)
		return nil
	}
	if w.sample != nil {
		for id, fp := range w.sample() {
			if old, ok := w.seen[id]; !ok || old != fp {
				w.seen[id] = fp
				w.dirty[id] = struct{}{}
			}
		}
	}
	out := slices.Sorted(maps.Keys(w.dirty))
	clear(w.dirty)
	return out
}
