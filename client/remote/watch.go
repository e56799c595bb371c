package remote

import (
	"context"
	"errors"
	"time"
)

// WatchEventKind says what a WatchEvent reports.
type WatchEventKind int

// The kinds of WatchEvent.
const (
	// WatchSnapshot carries the current products; it replaces whatever the
	// watcher showed before, and follows every (re)connection.
	WatchSnapshot WatchEventKind = iota + 1
	// WatchChange carries one committed stock change.
	WatchChange
	// WatchReconnecting reports a lost connection and the wait before the
	// next attempt.
	WatchReconnecting
	// WatchFailed reports an error that retrying cannot fix (a refused token,
	// an untrusted certificate); the watch ends after it.
	WatchFailed
)

// WatchEvent is one thing a Watch reports.
type WatchEvent struct {
	Kind     WatchEventKind
	Products []Product     // WatchSnapshot
	Change   StockChange   // WatchChange
	Err      error         // WatchReconnecting, WatchFailed
	Attempt  int           // WatchReconnecting: 1 for the first retry
	Wait     time.Duration // WatchReconnecting
}

// WatchBackoff is the reconnection policy of Watch; Attempts is ignored.
func WatchBackoff() Retry {
	return Retry{Base: 500 * time.Millisecond, Max: 5 * time.Second}
}

// Watch follows the stock of sku ("" for every product) until ctx ends. It
// subscribes to stockChanged, then loads the current products, and reports a
// snapshot followed by every change. When the connection drops it reports
// WatchReconnecting, retries with backoff, and on success reports a fresh
// snapshot, so the consumer's view is exact again. The returned channel is
// closed when the watch ends.
func (c *Client) Watch(ctx context.Context, sku string) <-chan WatchEvent {
	out := make(chan WatchEvent)
	go func() {
		defer close(out)
		c.watch(ctx, sku, out)
	}()
	return out
}

// watch is the reconnect loop of Watch.
func (c *Client) watch(ctx context.Context, sku string, out chan<- WatchEvent) {
	backoff := WatchBackoff()
	attempt := 0
	for {
		err := c.session(ctx, sku, out, &attempt)
		if ctx.Err() != nil {
			return
		}
		if permanent(err) {
			send(ctx, out, WatchEvent{Kind: WatchFailed, Err: err})
			return
		}
		attempt++
		wait := backoff.delay(attempt)
		if !send(ctx, out, WatchEvent{Kind: WatchReconnecting, Err: err, Attempt: attempt, Wait: wait}) {
			return
		}
		if sleep(ctx, wait) != nil {
			return
		}
	}
}

// session runs one connection: subscribe, snapshot, changes until it drops.
// It resets *attempt once the snapshot is delivered.
func (c *Client) session(ctx context.Context, sku string, out chan<- WatchEvent, attempt *int) error {
	s, err := c.Subscribe(ctx, sku)
	if err != nil {
		return err
	}
	defer s.Close()
	ps, err := c.snapshot(ctx, sku)
	if err != nil {
		return err
	}
	if !send(ctx, out, WatchEvent{Kind: WatchSnapshot, Products: ps}) {
		return ctx.Err()
	}
	*attempt = 0
	for ch := range s.C {
		if !send(ctx, out, WatchEvent{Kind: WatchChange, Change: ch}) {
			return ctx.Err()
		}
	}
	return s.Err()
}

// snapshot loads the products a watch of sku shows.
func (c *Client) snapshot(ctx context.Context, sku string) ([]Product, error) {
	if sku == "" {
		return c.Products(ctx, "", "")
	}
	p, err := c.Product(ctx, sku)
	if Code(err) == CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []Product{*p}, nil
}

// permanent reports whether retrying cannot fix err.
func permanent(err error) bool {
	switch Code(err) {
	case CodeUnauthenticated, CodeForbidden, CodeInvalidInput:
		return true
	}
	return errors.Is(err, ErrUntrusted)
}

// send delivers ev unless ctx ends first, and reports whether it did.
func send(ctx context.Context, out chan<- WatchEvent, ev WatchEvent) bool {
	select {
	case out <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}
