package feed

import "sync"

// subscriber buffers the events of one subscription and delivers them from
// its own goroutine (run) through send.
//
// Events first go to queue, a FIFO bounded by limit. When queue is full the
// subscriber switches to catch-up mode: every new event, queue full or not,
// is merged into backlog, one entry per key kept in the order keys first
// fell behind. Delivery empties queue before backlog, so the events of one
// key stay in commit order, and nothing enters queue again until backlog is
// empty, so no key waits behind a steady stream of others.
type subscriber struct {
	filter Filter
	// send hands one event to the subscription during a turn (see turns),
	// blocking until it is taken or done is closed; it returns false when
	// the subscription is over.
	send func(e Event, done <-chan struct{}, t *turn) bool
	turn *turn
	wake chan struct{} // capacity 1: "something was pushed"

	mu      sync.Mutex
	limit   int
	queue   []Event
	backlog Backlog
}

func newSubscriber(f Filter, limit int, pool turns, send func(Event, <-chan struct{}, *turn) bool) *subscriber {
	if limit < 1 {
		limit = 1
	}
	return &subscriber{
		filter: f,
		send:   send,
		turn:   newTurn(pool),
		wake:   make(chan struct{}, 1),
		limit:  limit,
	}
}

// push buffers e and wakes the delivery goroutine. It never blocks on the
// reader. It reports whether e switched the subscriber into catch-up mode.
func (s *subscriber) push(e Event) (fellBehind bool) {
	s.mu.Lock()
	fellBehind = s.add(e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return fellBehind
}

// add buffers e, reporting whether it switched the subscriber into catch-up
// mode; s.mu must be held.
func (s *subscriber) add(e Event) (fellBehind bool) {
	waiting := s.backlog.Len()
	if waiting == 0 && len(s.queue) < s.limit {
		s.queue = append(s.queue, e)
		return false
	}
	s.backlog.Add(e)
	return waiting == 0
}

// next takes the oldest buffered event, reporting false when none is buffered.
func (s *subscriber) next() (Event, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) > 0 {
		e := s.queue[0]
		s.queue[0] = Event{}
		s.queue = s.queue[1:]
		if len(s.queue) == 0 {
			s.queue = nil // let the drained backing array go
		}
		return e, true
	}
	return s.backlog.Next()
}

// run delivers buffered events through send until done is closed or send
// returns false, then calls leave.
func (s *subscriber) run(done <-chan struct{}, leave func()) {
	defer leave()
	defer s.turn.give()
	for {
		e, ok := s.next()
		if !ok {
			s.turn.give()
			select {
			case <-s.wake:
				continue
			case <-done:
				return
			}
		}
		if !s.send(e, done, s.turn) {
			return
		}
	}
}
