package feed

import (
	"context"
	"sync"
)

// Shared is one subscription execution serving many subscribers: the
// websocket transport runs a subscription once per group of subscribers
// that asked the same thing (gqlws groups), and the subscription's resolver
// binds its filter and conversion to the Shared the transport put in its
// context (see Share). The transport then reads the group's events from
// Events, hands each to the resolver's stream with Emit and executes it
// once for every member. Its methods other than Emit are safe for
// concurrent use; Events and Emit belong to the group's goroutine.
type Shared struct {
	mu     sync.Mutex
	hub    *Hub
	events <-chan Event
	emit   func(Event) bool
	extra  int64 // members beyond the first, counted by the hub
}

type sharedKey struct{}

// WithShared returns a context carrying a new, unbound Shared for the
// subscription executed with it.
func WithShared(ctx context.Context) (context.Context, *Shared) {
	s := &Shared{}
	return context.WithValue(ctx, sharedKey{}, s), s
}

// Share binds the subscription executed with ctx to the Shared in ctx, if
// any: the Shared then receives the events f selects from hub (buffered and
// merged as Watch does for the group as a whole), and each event it emits
// is converted and handed to the returned channel, from which the
// subscription's executor reads it. It reports false, binding nothing, when
// ctx carries no Shared or one already bound.
func Share[T any](ctx context.Context, hub *Hub, f Filter, buffer int, convert func(Event) (T, bool)) (<-chan T, bool) {
	s, ok := ctx.Value(sharedKey{}).(*Shared)
	if !ok {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.emit != nil {
		return nil, false
	}
	out := make(chan T, 1)
	s.hub = hub
	s.events = Watch(ctx, hub, f, buffer, func(e Event) (Event, bool) { return e, true })
	s.emit = func(e Event) bool {
		v, ok := convert(e)
		if !ok {
			return false
		}
		select {
		case out <- v:
			return true
		default: // the executor has not read the previous one: a misuse, and nothing is lost by skipping
			return false
		}
	}
	return out, true
}

// Bound reports whether a resolver bound the Shared.
func (s *Shared) Bound() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.emit != nil
}

// Events returns the group's events; the channel closes when the context
// the subscription was executed with is done or the hub closes.
func (s *Shared) Events() <-chan Event { return s.events }

// Emit converts e and hands it to the subscription's stream, reporting
// false when the subscription skips it. The caller must read the stream's
// next response before emitting again.
func (s *Shared) Emit(e Event) bool { return s.emit(e) }

// SetMembers tells the hub how many subscribers the Shared serves, so that
// Hub.Subscribers counts them all rather than the one hub subscription.
func (s *Shared) SetMembers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hub == nil {
		return
	}
	extra := int64(max(n, 1) - 1)
	s.hub.extra.Add(extra - s.extra)
	s.extra = extra
}
