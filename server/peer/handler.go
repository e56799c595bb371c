package peer

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/stock"
)

// Store is what the sync endpoints read: stock.Service implements it.
type Store interface {
	Heads(ctx context.Context) (*stock.Heads, error)
	Changes(ctx context.Context, origin string, afterSeq int64, limit int) (*stock.ChangePage, error)
	LocalWarehouse(ctx context.Context) (*stock.Warehouse, error)
}

var _ Store = (*stock.Service)(nil)

// Handler serves the sync endpoints over svc, waking long polls through w.
// Errors are written by writeError, the REST error writer, so that every
// REST route answers in one format.
type Handler struct {
	svc        Store
	watch      *Watcher
	writeError func(http.ResponseWriter, error)
	stopping   <-chan struct{}
	caller     func(context.Context) (string, bool) // the member that made a request

	mu        sync.Mutex
	followers map[string]time.Time // members long-polling this node's heads, when they last asked
}

// SetCaller sets how the handler tells which member made a request (the
// peer guard knows), so that it knows its followers. Call it before
// serving.
func (h *Handler) SetCaller(fn func(context.Context) (string, bool)) { h.caller = fn }

// Followers returns the members that long-polled this node's heads within
// the last within.
func (h *Handler) Followers(within time.Duration) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for id, at := range h.followers {
		if time.Since(at) > within {
			delete(h.followers, id)
			continue
		}
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// NewHandler returns the sync endpoints. Once stopping is closed (the node
// shuts down) long polls answer at once, so that they do not hold the
// shutdown up.
func NewHandler(svc Store, w *Watcher, writeError func(http.ResponseWriter, error), stopping <-chan struct{}) *Handler {
	return &Handler{svc: svc, watch: w, writeError: writeError, stopping: stopping, followers: map[string]time.Time{}}
}

// Register adds the sync routes to mux, each wrapped by peerOnly, which
// admits only the network's members.
func (h *Handler) Register(mux *http.ServeMux, peerOnly func(route string, next http.Handler) http.Handler) {
	mux.Handle("GET "+HeadsPath, peerOnly(HeadsPath, h.versioned(h.heads)))
	mux.Handle("GET "+ChangesPath, peerOnly(ChangesPath, h.versioned(h.changes)))
}

// versioned refuses a request in another protocol version, loudly: a node
// that speaks another version must not be half-understood.
func (h *Handler) versioned(next func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(ProtocolHeader, strconv.Itoa(Protocol))
		if v := r.Header.Get(ProtocolHeader); v != strconv.Itoa(Protocol) {
			h.writeError(w, stock.Errorf(stock.CodeInvalidInput,
				"sync protocol %q is not spoken here: this node speaks version %d (header %s)", v, Protocol, ProtocolHeader))
			return
		}
		if err := next(w, r); err != nil {
			h.writeError(w, err)
		}
	})
}

// heads answers how far this node holds every warehouse's log. With
// wait=SECONDS and gen=G (the Gen of the caller's last answer) it waits up
// to that long for any log to move past generation G: a follower's long
// poll. With brief=1 the answer holds only the seq of each log that moved
// since this node started, read from memory (no database job): what a
// follower polling many times a second needs. With have=ORIGIN:SEQ,… (what
// the caller holds) the wait ends only for a log beyond it.
func (h *Handler) heads(w http.ResponseWriter, r *http.Request) error {
	wait, gen, err := parseHeads(r)
	if err != nil {
		return err
	}
	brief := r.URL.Query().Get("brief") == "1"
	if wait > 0 {
		h.noteFollower(r.Context())
		wctx, cancel := h.pollContext(r.Context(), time.Now().Add(wait))
		if have, ok := parseHave(r); ok {
			h.watch.WaitBeyond(wctx, gen, have)
		} else {
			h.watch.WaitGen(wctx, gen)
		}
		cancel()
		if r.Context().Err() != nil {
			return nil // the caller left
		}
	}
	if brief {
		heads, cur := h.watch.Heads()
		return writeJSON(w, HeadsReply{Protocol: Protocol, Heads: heads, Gen: cur, Brief: true})
	}
	cur := h.watch.Gen()
	local, err := h.svc.LocalWarehouse(r.Context())
	if err != nil {
		return err
	}
	heads, err := h.svc.Heads(r.Context())
	if err != nil {
		return err
	}
	if _, ok := heads.Head(local.ID); !ok { // a log with no entry yet
		heads.Heads = append([]stock.Head{{Origin: local.ID, Epoch: local.Epoch}}, heads.Heads...)
	}
	return writeJSON(w, HeadsReply{Protocol: Protocol, Node: local.ID, Heads: heads.Heads, Gen: cur})
}

// parseHeads reads the wait and gen of a heads request.
func parseHeads(r *http.Request) (time.Duration, uint64, error) {
	v := r.URL.Query()
	var wait time.Duration
	var gen uint64
	if s := v.Get("wait"); s != "" {
		secs, err := strconv.Atoi(s)
		if err != nil || secs < 0 || secs > MaxWait {
			return 0, 0, stock.Errorf(stock.CodeInvalidInput, "wait: %q is out of range (0 to %d seconds)", s, MaxWait)
		}
		wait = time.Duration(secs) * time.Second
	}
	if s := v.Get("gen"); s != "" {
		g, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return 0, 0, stock.Errorf(stock.CodeInvalidInput, "gen: %q is not a generation", s)
		}
		gen = g
	}
	return wait, gen, nil
}

// parseHave reads the have parameter of a heads long poll: the seq of
// each log the caller holds, "ORIGIN:SEQ,…". Malformed pairs are skipped:
// at worst the caller is woken for a log it holds.
func parseHave(r *http.Request) (map[string]int64, bool) {
	v := r.URL.Query().Get("have")
	if v == "" {
		return nil, false
	}
	have := map[string]int64{}
	for _, pair := range strings.Split(v, ",") {
		origin, seq, ok := strings.Cut(pair, ":")
		if n, err := strconv.ParseInt(seq, 10, 64); ok && err == nil {
			have[origin] = n
		}
	}
	return have, true
}

// noteFollower records that the caller long-polls this node's heads.
func (h *Handler) noteFollower(ctx context.Context) {
	if h.caller == nil {
		return
	}
	if id, ok := h.caller(ctx); ok {
		h.mu.Lock()
		h.followers[id] = time.Now()
		h.mu.Unlock()
	}
}

// changes answers a run of one origin's log after a seq, waiting up to the
// requested time for news when there is none.
func (h *Handler) changes(w http.ResponseWriter, r *http.Request) error {
	q, err := parseChanges(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	deadline := time.Now().Add(q.wait)
	for {
		reply, err := h.read(ctx, q)
		if err != nil || len(reply.Entries) > 0 || !time.Now().Before(deadline) {
			if err != nil {
				return err
			}
			return writeChanges(w, reply)
		}
		wctx, cancel := h.pollContext(ctx, deadline)
		h.watch.Wait(wctx, q.Origin, q.AfterSeq)
		cancel()
		if ctx.Err() != nil {
			return nil // the caller left
		}
		if wait.Closed(h.stopping) {
			deadline = time.Now() // answer what there is, now
		}
	}
}

// pollContext returns the context of a long poll's wait: done at
// deadline, when the caller leaves, or when the node starts shutting down.
func (h *Handler) pollContext(ctx context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	wctx, cancel := context.WithDeadline(ctx, deadline)
	go func() {
		select {
		case <-h.stopping:
			cancel()
		case <-wctx.Done():
		}
	}()
	return wctx, cancel
}

// changesQuery is a parsed changes request: the log query, checked by
// stock.ChangesQuery's own rule, and how long to wait for news.
type changesQuery struct {
	stock.ChangesQuery
	wait time.Duration
}

// parseChanges reads the query of a changes request; the query's limits
// and default are stock.ChangesQuery.Normalize's.
func parseChanges(r *http.Request) (changesQuery, error) {
	v := r.URL.Query()
	q := changesQuery{ChangesQuery: stock.ChangesQuery{Origin: v.Get("origin")}}
	var err error
	if s := v.Get("after"); s != "" {
		if q.AfterSeq, err = strconv.ParseInt(s, 10, 64); err != nil {
			return q, stock.Errorf(stock.CodeInvalidInput, "after: %q is not a seq (0 or more)", s)
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = strconv.Atoi(s); err != nil {
			return q, stock.Errorf(stock.CodeInvalidInput, "limit: %q is not a number", s)
		}
	}
	if err := q.Normalize(); err != nil {
		return q, err
	}
	if s := v.Get("wait"); s != "" {
		secs, err := strconv.Atoi(s)
		if err != nil || secs < 0 || secs > MaxWait {
			return q, stock.Errorf(stock.CodeInvalidInput, "wait: %q is out of range (0 to %d seconds)", s, MaxWait)
		}
		q.wait = time.Duration(secs) * time.Second
	}
	return q, nil
}

// read reads one run of the log. A cursor beyond the head of this node's
// own log is an error: the caller holds history this node does not (its
// log was reset, or the caller is confused), and must not skip ahead.
func (h *Handler) read(ctx context.Context, q changesQuery) (*ChangesReply, error) {
	page, err := h.svc.Changes(ctx, q.Origin, q.AfterSeq, q.Limit)
	if err != nil {
		return nil, err
	}
	local, err := h.svc.LocalWarehouse(ctx)
	if err != nil {
		return nil, err
	}
	if q.Origin == local.ID && q.AfterSeq > page.LastSeq {
		return nil, stock.Errorf(stock.CodeInvalidInput,
			"after: %d is beyond the head of %s's log (%d): the caller holds history this node does not", q.AfterSeq, q.Origin, page.LastSeq)
	}
	reply := &ChangesReply{Origin: q.Origin, LastSeq: page.LastSeq, Entries: page.Entries, Proof: page.Proof}
	if reply.Epoch, err = h.epoch(ctx, q.Origin, local); err != nil {
		return nil, err
	}
	return reply, nil
}

// writeChanges writes a changes answer: its origin and last seq in
// headers, the run as a stock.ChangeBatch in the body.
func writeChanges(w http.ResponseWriter, r *ChangesReply) error {
	body, err := stock.EncodeValue(make([]byte, 0, 256*len(r.Entries)+64), &stock.ChangeBatch{Epoch: r.Epoch, Entries: r.Entries, Proof: r.Proof})
	if err != nil {
		return fmt.Errorf("encoding the log of %s: %w", r.Origin, err)
	}
	w.Header().Set(OriginHeader, r.Origin)
	w.Header().Set(LastSeqHeader, strconv.FormatInt(r.LastSeq, 10))
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(body)
	return err
}

// epoch returns the epoch of origin's log as this node holds it.
func (h *Handler) epoch(ctx context.Context, origin string, local *stock.Warehouse) (string, error) {
	if origin == local.ID {
		return local.Epoch, nil
	}
	heads, err := h.svc.Heads(ctx)
	if err != nil {
		return "", err
	}
	head, _ := heads.Head(origin)
	return head.Epoch, nil
}

// writeJSON writes v with status 200.
func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}
