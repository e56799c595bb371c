package main

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// watcher is one websocket subscriber. Its reader goroutine alone writes
// arrivals; the counters may be read at any time.
type watcher struct {
	c     *websocket.Conn
	start time.Time
	// arrivals holds, by movement sequence number, 1 + the nanoseconds
	// since start at which the movement's event arrived; 0 when it did not.
	arrivals []int64
	dups     int // events for a movement already seen
	// states holds every event, merged or not, in arrival order: the
	// subscriber's view of each sku's quantity over time.
	states []state
	// sku is the product the subscriber filters on, -1 for all of them.
	sku int
	// commits holds, for every unmerged event, the delay from the commit
	// time it carries (at) to its arrival.
	commits []time.Duration
	got     atomic.Int64
	merged  atomic.Int64
	alive   atomic.Bool
	done    chan struct{}
}

// endpoint is a websocket server the subscribers connect to: a node, or
// the bench's anchor.
type endpoint struct {
	url   string // wss://…
	tls   *tls.Config
	token string
}

// dialWatchers connects count subscribers, dialParallel at a time, each
// subscribing with query(i); it returns those that subscribed, and an
// error when any did not.
func dialWatchers(ep endpoint, count int, start time.Time, query func(i int) (string, int)) ([]*watcher, time.Duration, error) {
	var mu sync.Mutex
	var ws []*watcher
	var errs []error
	sem := make(chan struct{}, dialParallel)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range count {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			q, sku := query(i)
			w, err := dialWatcher(ep, q, start)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			w.sku = sku
			ws = append(ws, w)
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return ws, time.Since(t0), fmt.Errorf("%d of %d subscribers failed to connect, first: %w", len(errs), count, errs[0])
	}
	return ws, time.Since(t0), nil
}

// dialWatcher opens one graphql-transport-ws connection, authenticates and
// subscribes with query (a stockChanged subscription selecting at least
// sku, quantity, merged and movement { id }), then reads on its own
// goroutine.
func dialWatcher(ep endpoint, query string, start time.Time) (*watcher, error) {
	d := websocket.Dialer{TLSClientConfig: ep.tls.Clone(), Subprotocols: []string{"graphql-transport-ws"}, HandshakeTimeout: 30 * time.Second}
	c, _, err := d.Dial(ep.url, nil)
	if err != nil {
		return nil, fmt.Errorf("dialing: %w", err)
	}
	if err := handshake(c, ep.token, query); err != nil {
		c.Close()
		return nil, err
	}
	w := &watcher{c: c, start: start, sku: -1, done: make(chan struct{})}
	w.alive.Store(true)
	go w.read()
	return w, nil
}

// handshake sends connection_init, waits for connection_ack and subscribes
// with query.
func handshake(c *websocket.Conn, token, query string) error {
	_ = c.SetWriteDeadline(time.Now().Add(30 * time.Second))
	init := map[string]any{"type": "connection_init", "payload": map[string]string{"Authorization": "Bearer " + token}}
	if err := c.WriteJSON(init); err != nil {
		return fmt.Errorf("sending connection_init: %w", err)
	}
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		var m struct{ Type string }
		if err := c.ReadJSON(&m); err != nil {
			return fmt.Errorf("waiting for connection_ack: %w", err)
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type != "ping" && m.Type != "pong" {
			return fmt.Errorf("connection_init answered %q", m.Type)
		}
	}
	sub := map[string]any{"id": "1", "type": "subscribe", "payload": map[string]string{"query": query}}
	if err := c.WriteJSON(sub); err != nil {
		return fmt.Errorf("subscribing: %w", err)
	}
	return nil
}

// state is the quantity of sku B-<sku> a subscriber saw at (ns since start).
type state struct {
	sku      int
	quantity int64
	at       int64
}

var (
	skuA      = []byte(`"sku":"B-`)
	quantityA = []byte(`"quantity":`)
	nextType  = []byte(`"type":"next"`)
	pingType  = []byte(`"type":"ping"`)
	mergedOn  = []byte(`"merged":true`)
	movementA = []byte(`"movement":{"id":"`)
	atA       = []byte(`"at":"`)
)

// read records each event's arrival until the connection fails or closes;
// it answers the node's keepalive pings.
func (w *watcher) read() {
	defer close(w.done)
	defer w.alive.Store(false)
	for {
		_ = w.c.SetReadDeadline(time.Now().Add(90 * time.Second)) // the node pings every 20 s
		_, msg, err := w.c.ReadMessage()
		if err != nil {
			return
		}
		at := int64(time.Since(w.start))
		switch {
		case bytes.Contains(msg, nextType):
			w.event(msg, at)
			if !bytes.Contains(msg, mergedOn) {
				if t, ok := timeAfter(msg, atA); ok {
					w.commits = append(w.commits, time.Since(t))
				}
			}
		case bytes.Contains(msg, pingType):
			_ = w.c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if w.c.WriteMessage(websocket.TextMessage, []byte(`{"type":"pong"}`)) != nil {
				return
			}
		}
	}
}

// event records one stockChanged event.
func (w *watcher) event(msg []byte, at int64) {
	if sku, q := intAfter(msg, skuA), intAfter(msg, quantityA); sku >= 0 && q >= 0 {
		w.states = append(w.states, state{sku: int(sku), quantity: q, at: at})
	}
	if bytes.Contains(msg, mergedOn) {
		w.merged.Add(1)
		return
	}
	seq := movementSeq(msg)
	if seq < 0 {
		return
	}
	if seq >= len(w.arrivals) {
		w.arrivals = slices.Grow(w.arrivals, seq+1-len(w.arrivals)+4096)[:seq+1]
	}
	if w.arrivals[seq] != 0 {
		w.dups++
		return
	}
	w.arrivals[seq] = at + 1
	w.got.Add(1)
}

// timeAfter returns the RFC 3339 time quoted right after prefix in msg.
func timeAfter(msg, prefix []byte) (time.Time, bool) {
	i := bytes.Index(msg, prefix)
	if i < 0 {
		return time.Time{}, false
	}
	v := msg[i+len(prefix):]
	j := bytes.IndexByte(v, '"')
	if j < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(v[:j]))
	return t, err == nil
}

// movementSeq returns N of the movement id "WAREHOUSE:N" in msg, or -1.
func movementSeq(msg []byte) int {
	i := bytes.Index(msg, movementA)
	if i < 0 {
		return -1
	}
	id := msg[i+len(movementA):]
	if j := bytes.IndexByte(id, '"'); j >= 0 {
		id = id[:j]
	}
	return idSeq(string(id))
}

// intAfter returns the decimal number right after prefix in msg, or -1.
func intAfter(msg, prefix []byte) int64 {
	i := bytes.Index(msg, prefix)
	if i < 0 {
		return -1
	}
	n, digits := int64(0), 0
	for _, c := range msg[i+len(prefix):] {
		if c < '0' || c > '9' {
			break
		}
		n, digits = n*10+int64(c-'0'), digits+1
	}
	if digits == 0 {
		return -1
	}
	return n
}

// idSeq returns N of movement id "WAREHOUSE:N", or -1.
func idSeq(id string) int {
	n, err := strconv.Atoi(id[strings.LastIndexByte(id, ':')+1:])
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// closeWatchers closes every connection and waits for the readers.
func closeWatchers(ws []*watcher) {
	for _, w := range ws {
		_ = w.c.Close()
	}
	for _, w := range ws {
		<-w.done
	}
}

// aliveCount returns how many of ws are still connected.
func aliveCount(ws []*watcher) int {
	n := 0
	for _, w := range ws {
		if w.alive.Load() {
			n++
		}
	}
	return n
}
