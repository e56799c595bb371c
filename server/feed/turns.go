package feed

import "time"

// turnTimeout is the longest a subscription keeps its turn while its reader
// does not come back for the next event.
const turnTimeout = 2 * time.Millisecond

// turns bounds how many subscriptions hand events to their readers at once.
//
// A subscription takes a turn when it offers an event and keeps it while it
// waits to offer the next one, that is while its reader (gqlgen's goroutine
// for the subscription) works on the previous event. It gives the turn back
// when it has nothing more to offer, or when its reader has not come back
// within turnTimeout (a slow peer, a stuck socket). So when one commit fans
// out to a thousand subscriptions, only a few readers marshal and write at a
// time, and the goroutines that serve writers never wait behind a thousand
// runnable ones; and a stuck reader holds up the others for turnTimeout at most.
type turns chan struct{}

// turn is one subscription's use of turns; it belongs to the subscription's
// delivery goroutine.
type turn struct {
	pool  turns
	held  bool
	timer *time.Timer
}

// newTurn returns a turn of pool, not held, with its timer stopped.
func newTurn(pool turns) *turn {
	t := &turn{pool: pool, timer: time.NewTimer(time.Hour)}
	t.timer.Stop()
	return t
}

// take waits for a turn unless one is held; it returns false if done closes first.
func (t *turn) take(done <-chan struct{}) bool {
	if t.held {
		return true
	}
	select {
	case t.pool <- struct{}{}:
		t.held = true
		return true
	case <-done:
		return false
	}
}

// give returns the turn if one is held.
func (t *turn) give() {
	if t.held {
		<-t.pool
		t.held = false
	}
}

// offer sends v on out during a turn, keeping the turn once v is taken (the
// reader now works on it). It gives the turn up if out does not take v
// within turnTimeout and then waits without one. It returns false if done
// closes first. A reader already waiting takes v without the timer being armed.
func offer[T any](out chan<- T, v T, done <-chan struct{}, t *turn) bool {
	if !t.take(done) {
		return false
	}
	select {
	case out <- v:
		return true
	case <-done:
		return false
	default:
	}
	t.timer.Reset(turnTimeout)
	select {
	case out <- v:
		t.timer.Stop()
		return true
	case <-done:
		t.timer.Stop()
		return false
	case <-t.timer.C:
	}
	t.give()
	select {
	case out <- v:
		return true
	case <-done:
		return false
	}
}
