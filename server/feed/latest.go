package feed

import (
	"context"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Latest fans out the updates of things with an id and two warehouses
// (transfers, transfer requests) to watchers of either warehouse.
// Publish never blocks and drops nothing: a watcher that falls behind
// keeps, for each thing that changed meanwhile, its latest state, once (as
// Backlog keeps each sku once), so what it holds is bounded by the things
// that changed while it lagged, never by the updates.
type Latest[T any] struct {
	id      func(T) string
	parties func(T) (from, to string)

	mu   sync.Mutex
	subs map[*latestWatcher[T]]struct{}
}

// latestWatcher is one Watch call: the updates waiting for it, in order,
// at most one per id.
type latestWatcher[T any] struct {
	warehouse string // "" for every one
	wake      chan struct{}

	mu      sync.Mutex
	queue   []T
	pending map[string]int // id → its index in queue
}

// NewLatest returns a Latest without watchers, telling things apart by id
// and a watcher's warehouse by parties.
func NewLatest[T any](id func(T) string, parties func(T) (from, to string)) *Latest[T] {
	return &Latest[T]{id: id, parties: parties, subs: map[*latestWatcher[T]]struct{}{}}
}

// Watch returns the updates of things from or to warehouse ("" for all)
// published from now on, until ctx is done, when the channel is closed.
func (l *Latest[T]) Watch(ctx context.Context, warehouse string) <-chan T {
	w := &latestWatcher[T]{warehouse: warehouse, wake: make(chan struct{}, 1), pending: map[string]int{}}
	l.mu.Lock()
	l.subs[w] = struct{}{}
	l.mu.Unlock()
	out := make(chan T)
	go func() {
		defer close(out)
		defer func() {
			l.mu.Lock()
			delete(l.subs, w)
			l.mu.Unlock()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.wake:
			}
			for _, t := range w.take() {
				select {
				case <-ctx.Done():
					return
				case out <- t:
				}
			}
		}
	}()
	return out
}

// Publish hands t to every watcher it concerns.
func (l *Latest[T]) Publish(t T) {
	from, to := l.parties(t)
	l.mu.Lock()
	defer l.mu.Unlock()
	for w := range l.subs {
		if w.warehouse != "" && w.warehouse != from && w.warehouse != to {
			continue
		}
		w.put(l.id(t), t)
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// Watchers returns the number of open watches.
func (l *Latest[T]) Watchers() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.subs)
}

// put queues t, replacing a waiting update of the same id.
func (w *latestWatcher[T]) put(id string, t T) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if i, ok := w.pending[id]; ok {
		w.queue[i] = t
		return
	}
	w.pending[id] = len(w.queue)
	w.queue = append(w.queue, t)
}

// take returns the waiting updates and forgets them.
func (w *latestWatcher[T]) take() []T {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	clear(w.pending)
	return q
}

// Rereads holds the keys (ids, mostly) of things committed entries
// changed, to read again as this node knows them once applied (which
// merges both sides' facts): each once, in the order first noted. Its
// zero value is not usable; use NewRereads.
type Rereads[K comparable] struct {
	mu   sync.Mutex
	ids  []K
	seen map[K]struct{}
	wake chan struct{}
}

// NewRereads returns an empty Rereads.
func NewRereads[K comparable]() *Rereads[K] {
	return &Rereads[K]{seen: map[K]struct{}{}, wake: make(chan struct{}, 1)}
}

// Note adds ids not already waiting and wakes Follow.
func (r *Rereads[K]) Note(ids ...K) {
	r.mu.Lock()
	for _, id := range ids {
		if _, ok := r.seen[id]; !ok {
			r.seen[id] = struct{}{}
			r.ids = append(r.ids, id)
		}
	}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take returns the ids waiting, in the order noted, and forgets them.
func (r *Rereads[K]) take() []K {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.ids
	r.ids = nil
	clear(r.seen)
	return out
}

// Follow reads again, a page of ids at a time, what r noted, and
// publishes it, until ctx is done. A read that fails is tried again,
// after a growing wait, with every id not yet published: no update is
// lost while the database handler is busy or restarting.
func Follow[K comparable, T any](ctx context.Context, r *Rereads[K], read func(context.Context, []K) ([]T, error), publish func(T)) error {
	retry := backoff.Backoff{First: 100 * time.Millisecond, Max: 5 * time.Second, Jitter: 0.2}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.wake:
		}
		ids := r.take()
		for len(ids) > 0 {
			page := ids[:min(len(ids), stock.MaxPageSize)]
			got, err := read(ctx, page)
			if err != nil {
				r.Note(ids...) // after the ones noted meanwhile, read with them
				if retry.Wait(ctx) != nil {
					return nil
				}
				break
			}
			retry.Reset()
			for _, t := range got {
				publish(t)
			}
			ids = ids[len(page):]
		}
	}
}
