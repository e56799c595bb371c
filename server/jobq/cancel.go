package jobq

import (
	"context"
	"sync"
)

// classCancel, in a request's class byte, asks the worker to drop the read job with the request's id
// from the same client: its caller left (its ctx was cancelled, not its deadline passed). A read not yet
// taken by an executor is skipped; one running has its ctx cancelled, which interrupts SQLite. Writes
// are never cancelled: the caller of a write must be able to learn its outcome.
const classCancel byte = 0xCA

// maxMarked bounds the cancellations kept for jobs not taken yet; a cancellation that arrives after its
// job finished would otherwise stay for ever. Past it they are all forgotten (those jobs then run until
// their deadline, as before cancellation existed).
const maxMarked = 4096

// cancels tracks the cancellations of read jobs for the executors. It is safe for concurrent use.
type cancels struct {
	mu      sync.Mutex
	marked  map[string]struct{}           // cancelled before an executor took them
	running map[string]context.CancelFunc // being executed
}

// newCancels returns an empty cancels.
func newCancels() *cancels {
	return &cancels{marked: map[string]struct{}{}, running: map[string]context.CancelFunc{}}
}

// jobKey names a job by its client's routing id and its id.
func jobKey(route, head []byte) string {
	return string(route) + "\x00" + string(head[:8])
}

// cancel cancels the job key: at once if it runs, else when an executor takes it.
func (c *cancels) cancel(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if stop, ok := c.running[key]; ok {
		stop()
		return
	}
	if len(c.marked) >= maxMarked {
		clear(c.marked)
	}
	c.marked[key] = struct{}{}
}

// start records that the job key runs under stop, or reports true when it was cancelled already.
func (c *cancels) start(key string, stop context.CancelFunc) (cancelled bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.marked[key]; ok {
		delete(c.marked, key)
		return true
	}
	c.running[key] = stop
	return false
}

// done forgets the job key once it has run.
func (c *cancels) done(key string) {
	c.mu.Lock()
	delete(c.running, key)
	c.mu.Unlock()
}
