package gqlws

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
)

// groups is the registry of running groups by key.
type groups struct {
	mu sync.Mutex
	m  map[string]*group
}

// group is one execution of a subscription shared by every member that
// asked the same thing with the same role. Its goroutine (run) owns the
// execution: it reads the group's events, executes each once, encodes the
// response once, and appends it to each member's socket, framed for the
// member's subprotocol and id. A member whose socket has maxPending bytes
// waiting falls behind: its events go to its feed.Backlog, merged per
// sku, and are executed and sent once its socket drains (catchUp), an
// identical merged event executed once for all the members that need it.
type group struct {
	reg    *groups
	key    string
	ctx    context.Context // the execution's
	cancel context.CancelFunc
	shared *feed.Shared
	next   graphql.ResponseHandler
	wakeup chan struct{} // capacity 1: a member's socket has room again

	mu      sync.Mutex
	members []*member // copied on write: run reads a snapshot without locking
	ended   bool
}

// member is one subscription of one session: in a group, or running alone.
type member struct {
	id     string
	idJSON []byte
	s      *session

	mu      sync.Mutex
	done    bool
	g       *group             // nil when solo
	cancel  context.CancelFunc // a solo member's execution
	backlog feed.Backlog       // owned by g's goroutine, under mu
}

// keyOf is the group key of an operation for the caller in ctx: the
// document, the operation's name, its coerced variables and the caller's
// role, which decides what the operation may see.
func keyOf(ctx context.Context, rc *graphql.OperationContext) string {
	vars, _ := json.Marshal(rc.Variables) // maps marshal with sorted keys
	role := ""
	if p, ok := auth.FromContext(ctx); ok {
		role = string(p.Role)
	}
	b := make([]byte, 0, len(rc.RawQuery)+len(rc.OperationName)+len(vars)+len(role)+3)
	b = append(append(b, role...), 0)
	b = append(append(b, rc.OperationName...), 0)
	b = append(append(b, vars...), 0)
	return string(append(b, rc.RawQuery...))
}

// join adds mb to the group executing rc for its caller, starting one if
// there is none. An operation that does not bind a feed.Shared runs for mb
// alone.
func (r *groups) join(s *session, mb *member, rc *graphql.OperationContext, ctx context.Context) {
	key := keyOf(ctx, rc)
	if r.add(key, mb) {
		return
	}
	// The execution outlives the session that starts it: it carries the
	// session's values (the principal) but not its cancellation.
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	ctx, shared := feed.WithShared(ctx)
	next, ctx := s.exec.DispatchOperation(graphql.WithOperationContext(ctx, rc), rc)
	if !shared.Bound() {
		mb.runSolo(ctx, cancel, next)
		return
	}
	g := &group{reg: r, key: key, ctx: ctx, cancel: cancel, shared: shared, next: next,
		wakeup: make(chan struct{}, 1), members: []*member{mb}}
	mb.g = g
	r.mu.Lock()
	if other := r.m[key]; other != nil { // started meanwhile by another session
		r.mu.Unlock()
		cancel()
		mb.g = nil
		if !r.add(key, mb) {
			mb.s.finished(mb)
		}
		return
	}
	r.m[key] = g
	r.mu.Unlock()
	go g.run()
}

// add adds mb to the running group of key, reporting false when there is none.
func (r *groups) add(key string, mb *member) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.m[key]
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	mb.mu.Lock()
	mb.g = g
	mb.mu.Unlock()
	g.members = append(g.members[:len(g.members):len(g.members)], mb)
	g.shared.SetMembers(len(g.members))
	return true
}

// leave removes mb; the last member to leave ends the execution.
func (g *group) leave(mb *member) {
	g.reg.mu.Lock()
	g.mu.Lock()
	ms := make([]*member, 0, len(g.members))
	for _, x := range g.members {
		if x != mb {
			ms = append(ms, x)
		}
	}
	g.members = ms
	last := len(ms) == 0 && !g.ended
	if last {
		g.ended = true
		if g.reg.m[g.key] == g {
			delete(g.reg.m, g.key)
		}
	} else {
		g.shared.SetMembers(len(ms))
	}
	g.mu.Unlock()
	g.reg.mu.Unlock()
	if last {
		g.shared.SetMembers(1)
		g.cancel()
	}
}

// snapshot returns the current members.
func (g *group) snapshot() []*member {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.members
}

// wake asks run to catch up members whose sockets have room again.
func (g *group) wake() {
	select {
	case g.wakeup <- struct{}{}:
	default:
	}
}

// run serves the group until its last member leaves or the feed ends.
func (g *group) run() {
	defer g.end()
	events := g.shared.Events()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return
			}
			g.deliver(e)
		case <-g.wakeup:
			g.catchUp()
		case <-g.ctx.Done():
			return
		}
	}
}

// end stops the execution; members still in the group (the feed closed
// under them) are told their subscription completed.
func (g *group) end() {
	g.reg.mu.Lock()
	g.mu.Lock()
	ms := g.members
	g.members = nil
	g.ended = true
	if g.reg.m[g.key] == g {
		delete(g.reg.m, g.key)
	}
	g.mu.Unlock()
	g.reg.mu.Unlock()
	g.shared.SetMembers(1)
	g.cancel()
	for _, mb := range ms {
		if mb.end() {
			mb.s.finished(mb)
		}
	}
}

// execute runs the operation for e and returns the response's encoding,
// or nil when the subscription skips e or the execution has ended.
func (g *group) execute(e feed.Event) []byte {
	if !g.shared.Emit(e) {
		return nil
	}
	resp := g.next(g.ctx)
	if resp == nil {
		return nil
	}
	return encodeResponse(resp)
}

// deliver executes e once and offers it to every member.
func (g *group) deliver(e feed.Event) {
	payload := g.execute(e)
	var fc frames
	for _, mb := range g.snapshot() {
		mb.offer(g, e, payload, &fc)
	}
}

// catchUp sends members that fell behind their merged changes while their
// sockets have room.
func (g *group) catchUp() {
	done := map[feed.Event][]byte{}
	for _, mb := range g.snapshot() {
		mb.catchUp(g, done)
	}
}

// offer appends e's payload to mb's socket, or adds e to mb's backlog when
// mb is behind or its socket is full.
func (mb *member) offer(g *group, e feed.Event, payload []byte, fc *frames) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	switch {
	case mb.done:
	case mb.backlog.Len() > 0:
		mb.backlog.Add(e)
	case payload == nil:
	default:
		ok, err := mb.s.cc.tryWrite(fc.of(mb, payload), g)
		if !ok && err == nil {
			mb.backlog.Add(e)
		}
	}
}

// catchUp sends mb's backlog while its socket has room; done holds the
// encodings of merged events already executed in this round.
func (mb *member) catchUp(g *group, done map[feed.Event][]byte) {
	mb.mu.Lock()
	defer mb.mu.Unlock()
	for !mb.done && mb.backlog.Len() > 0 && mb.s.cc.hasRoom(g) {
		e, _ := mb.backlog.Next()
		payload, ok := done[e]
		if !ok {
			payload = g.execute(e)
			done[e] = payload
		}
		if payload != nil {
			mb.s.cc.force(frame(dataType(mb.s.legacy), mb.idJSON, payload))
		}
	}
}

// end stops mb, leaving its group or cancelling its solo execution; it
// reports whether mb was still running. Nothing more is sent for mb once
// end returns.
func (mb *member) end() bool {
	mb.mu.Lock()
	if mb.done {
		mb.mu.Unlock()
		return false
	}
	mb.done = true
	g, cancel := mb.g, mb.cancel
	mb.backlog = feed.Backlog{}
	mb.mu.Unlock()
	if g != nil {
		g.leave(mb)
	}
	if cancel != nil {
		cancel()
	}
	return true
}

// runSolo runs an operation that is not shared for mb alone: every
// response it produces goes to mb, then complete.
func (mb *member) runSolo(ctx context.Context, cancel context.CancelFunc, next graphql.ResponseHandler) {
	mb.mu.Lock()
	mb.cancel = cancel
	ended := mb.done
	mb.mu.Unlock()
	if ended {
		cancel()
		return
	}
	go func() {
		defer cancel()
		for {
			resp := next(ctx)
			if resp == nil {
				break
			}
			b := encodeResponse(resp)
			mb.mu.Lock()
			if !mb.done {
				mb.s.send(dataType(mb.s.legacy), mb.idJSON, b)
			}
			mb.mu.Unlock()
		}
		if mb.end() {
			mb.s.finished(mb)
		}
	}()
}

// frames caches one event's frames by subprotocol and id: most members of
// a group subscribed with the same id, so most share one frame.
type frames struct {
	n       int
	entries [4]struct {
		legacy bool
		id     string
		b      []byte
	}
}

// of returns mb's frame of payload.
func (f *frames) of(mb *member, payload []byte) []byte {
	for i := range f.n {
		if x := &f.entries[i]; x.legacy == mb.s.legacy && x.id == mb.id {
			return x.b
		}
	}
	b := frame(dataType(mb.s.legacy), mb.idJSON, payload)
	if f.n < len(f.entries) {
		x := &f.entries[f.n]
		x.legacy, x.id, x.b = mb.s.legacy, mb.id, b
		f.n++
	}
	return b
}

// encodeResponse encodes resp as gqlgen's transport does; a response with
// data alone, the usual event, is assembled without re-encoding its data.
func encodeResponse(resp *graphql.Response) []byte {
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && resp.Label == "" && resp.Path == nil &&
		resp.HasNext == nil && len(resp.Data) > 0 {
		b := make([]byte, 0, len(resp.Data)+9)
		b = append(b, `{"data":`...)
		b = append(b, resp.Data...)
		return append(b, '}')
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return []byte(`{"errors":[{"message":"internal error: encoding the response"}],"data":null}`)
	}
	return b
}
