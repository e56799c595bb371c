package jobq

import (
	"sync"
)

// mailbox queues outgoing envelopes for the goroutine that owns a socket. Any goroutine may post; posting
// into an empty mailbox wakes the owner, so bursts cost one wake-up.
type mailbox struct {
	mu     sync.Mutex
	queue  []envelope
	closed bool
	wake   func() // wakes the owner; set before the owner starts, never changed
}

// newMailbox returns an empty, open mailbox.
func newMailbox() *mailbox {
	return &mailbox{wake: func() {}}
}

// post queues e; it reports false, queuing nothing, once the mailbox is closed.
func (m *mailbox) post(e envelope) bool {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false
	}
	wasEmpty := len(m.queue) == 0
	m.queue = append(m.queue, e)
	m.mu.Unlock()
	if wasEmpty {
		m.signal()
	}
	return true
}

// postAll queues es in order; it reports false, queuing nothing, once the mailbox is closed.
func (m *mailbox) postAll(es []envelope) bool {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return false
	}
	wasEmpty := len(m.queue) == 0
	m.queue = append(m.queue, es...)
	m.mu.Unlock()
	if wasEmpty && len(es) > 0 {
		m.signal()
	}
	return true
}

// signal wakes the owner; it never blocks.
func (m *mailbox) signal() { m.wake() }

// empty reports whether nothing is queued.
func (m *mailbox) empty() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.queue) == 0
}

// take returns everything queued and keeps spare (emptied) as the next queue, so two buffers alternate.
func (m *mailbox) take(spare []envelope) []envelope {
	m.mu.Lock()
	q := m.queue
	m.queue = spare[:0]
	m.mu.Unlock()
	return q
}

// close refuses further posts and returns what is still queued.
func (m *mailbox) close() []envelope {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	q := m.queue
	m.queue = nil
	return q
}

// recycle clears q's references so payloads can be collected, and returns it for reuse by take.
func recycle(q []envelope) []envelope {
	clear(q)
	return q[:0]
}
