package node

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"time"
)

// HTTP limits: how long a client may take over each part of a request.
const (
	// DefaultBodyTimeout is how long a request body may take to arrive in
	// full, from the end of its headers (Config.BodyTimeout): a 1 MiB body
	// at 35 KB/s.
	DefaultBodyTimeout = 30 * time.Second
	// headerTimeout bounds reading a request's headers.
	headerTimeout = 10 * time.Second
	// idleTimeout closes a keep-alive connection with no request.
	idleTimeout = 2 * time.Minute
	// shutdownTimeout bounds the wait for in-flight requests at shutdown.
	shutdownTimeout = 30 * time.Second
)

// bodyDeadlines gives every request body a deadline (a client trickling a
// body a byte at a time is cut off, and its connection freed) and lets a
// graceful shutdown end the bodies still arriving at once rather than wait
// for them: a request whose body has not arrived has not started.
//
// It sets the deadline through http.ResponseController, so it works for
// HTTP/1.1 and HTTP/2 alike, and only on requests with a body: websocket
// upgrades and long polls (GETs) are not cut. The deadline is lifted once
// the body has been read to its end.
type bodyDeadlines struct {
	timeout time.Duration

	mu       sync.Mutex
	reading  map[*http.ResponseController]struct{}
	stopping bool
}

// newBodyDeadlines returns bodyDeadlines that allow timeout per body.
func newBodyDeadlines(timeout time.Duration) *bodyDeadlines {
	if timeout <= 0 {
		timeout = DefaultBodyTimeout
	}
	return &bodyDeadlines{timeout: timeout, reading: map[*http.ResponseController]struct{}{}}
}

// wrap applies the deadline to the requests next serves.
func (b *bodyDeadlines) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if !b.start(rc) {
			next.ServeHTTP(w, r)
			return
		}
		body := &deadlineBody{ReadCloser: r.Body, left: r.ContentLength, done: func() { b.finish(rc, true) }}
		defer b.finish(rc, false)
		r.Body = body
		next.ServeHTTP(w, r)
	})
}

// start sets rc's read deadline and tracks it; false when the connection
// does not support deadlines.
func (b *bodyDeadlines) start(rc *http.ResponseController) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	deadline := time.Now().Add(b.timeout)
	if b.stopping {
		deadline = time.Now()
	}
	if err := rc.SetReadDeadline(deadline); err != nil {
		return false
	}
	b.reading[rc] = struct{}{}
	return true
}

// finish stops tracking rc; when the body was read to its end, it lifts
// the deadline (a handler may go on to stream or long-poll). A body left
// unread keeps its deadline, which bounds the server's own attempt to
// discard it after the handler.
func (b *bodyDeadlines) finish(rc *http.ResponseController, complete bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.reading[rc]; !ok {
		return
	}
	delete(b.reading, rc)
	if complete && !b.stopping {
		_ = rc.SetReadDeadline(time.Time{})
	}
}

// stop makes every body still arriving, and every later one, fail at once.
func (b *bodyDeadlines) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopping = true
	for rc := range b.reading {
		_ = rc.SetReadDeadline(time.Now())
	}
}

// deadlineBody calls done once the body has been read to its end: EOF,
// or as many bytes as its Content-Length (a JSON decoder stops there
// without asking for EOF).
type deadlineBody struct {
	io.ReadCloser
	left int64 // bytes still to come, when the length is known (else -1)
	once sync.Once
	done func()
}

// Read reads from the body, calling done at its end.
func (d *deadlineBody) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	if d.left > 0 {
		d.left -= int64(n)
	}
	if errors.Is(err, io.EOF) || d.left == 0 {
		d.once.Do(d.done)
	}
	return n, err
}
