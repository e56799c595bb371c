package auth

import (
	"context"
	"sync"
)

// Sessions tracks the long-lived connections (websockets) opened with each
// token, so that revoking a token closes them. It is safe for concurrent
// use.
type Sessions struct {
	mu   sync.Mutex
	next uint64
	open map[string]map[uint64]context.CancelFunc
}

// NewSessions returns an empty Sessions.
func NewSessions() *Sessions { return &Sessions{open: map[string]map[uint64]context.CancelFunc{}} }

// Open returns a context derived from ctx that ends when the token p was
// authenticated by is revoked (Close) or expires, and tracks it until it
// ends. A principal without a token id (the node's own) gets ctx back.
func (s *Sessions) Open(ctx context.Context, p Principal) context.Context {
	if p.TokenID == "" {
		return ctx
	}
	var cancel context.CancelFunc
	if p.Expires.IsZero() {
		ctx, cancel = context.WithCancel(ctx)
	} else {
		ctx, cancel = context.WithDeadline(ctx, p.Expires)
	}
	s.mu.Lock()
	s.next++
	id := s.next
	if s.open[p.TokenID] == nil {
		s.open[p.TokenID] = map[uint64]context.CancelFunc{}
	}
	s.open[p.TokenID][id] = cancel
	s.mu.Unlock()
	context.AfterFunc(ctx, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.open[p.TokenID], id)
		if len(s.open[p.TokenID]) == 0 {
			delete(s.open, p.TokenID)
		}
	})
	return ctx
}

// Close ends every session opened with the token tokenID and returns how
// many there were.
func (s *Sessions) Close(tokenID string) int {
	s.mu.Lock()
	cancels := s.open[tokenID]
	delete(s.open, tokenID)
	s.mu.Unlock()
	for _, c := range cancels {
		c()
	}
	return len(cancels)
}

// Count returns the number of open sessions.
func (s *Sessions) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, m := range s.open {
		n += len(m)
	}
	return n
}
