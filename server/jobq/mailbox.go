package jobq

import (
	"sync"

	zmq "github.com/pebbe/zmq4"
)

// mailbox queues outgoing envelopes for the goroutine that owns a socket. Any goroutine may post; posting
// into an empty mailbox wakes the owner through the pump goroutine, so bursts cost one wake-up.
type mailbox struct {
	mu     sync.Mutex
	queue  []envelope
	closed bool
	wake   chan struct{} // capacity 1: a pending wake-up
}

// newMailbox returns an empty, open mailbox.
func newMailbox() *mailbox {
	return &mailbox{wake: make(chan struct{}, 1)}
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

// signal asks the pump to wake the owner; it never blocks.
func (m *mailbox) signal() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
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

// pump owns push: each signal on wake becomes one empty message to the owner's PULL socket. It returns,
// closing push, when quit is closed, and then closes done.
func pump(push *zmq.Socket, wake <-chan struct{}, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	defer push.Close()
	for {
		select {
		case <-quit:
			return
		case <-wake:
			// EAGAIN means the owner already has wake-ups waiting; dropping this one is harmless.
			_, _ = push.SendBytes(nil, zmq.DONTWAIT)
		}
	}
}
