package peer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/stock"
	"golang.org/x/sync/errgroup"
)

// Member is a node of the network to pull from.
type Member struct {
	ID     string // its warehouse
	URL    string // its base URL
	Online bool   // whether the membership protocol shows it online
}

// Applier is what the Replicator needs of the local node: stock.Service
// implements it.
type Applier interface {
	Heads(ctx context.Context) (*stock.Heads, error)
	ApplyChanges(ctx context.Context, b *stock.ChangeBatch) error
	ReportProblem(ctx context.Context, e *stock.RejectError) error
	CheckHead(ctx context.Context, origin, epoch string, h stock.SignedHead) (*stock.HeadVerdict, error)
}

var _ Applier = (*stock.Service)(nil)

// Timing and fan-out of the Replicator.
const (
	// Neighbours is how many members a node chooses to follow; it also
	// follows back up to MaxFollowBack of the members that follow it, so
	// that the overlay is connected both ways.
	Neighbours    = 3
	MaxFollowBack = 6
	headsWait     = 25 * time.Second       // how long a follower's heads poll waits for news
	minPoll       = 100 * time.Millisecond // between two heads polls of one neighbour: runs of several entries, not one pull per commit
	fullEvery     = 30 * time.Second       // between two full heads answers from one neighbour (fork checks)
	fallbackAfter = 3 * time.Second        // how long a head gossip told of may stay unheld before the origin is asked
	membersEvery  = time.Second            // how often the neighbours are chosen again
	failLimit     = 3                      // failures in a row after which a neighbour is given up for a while
	avoidFor      = 20 * time.Second       // how long a neighbour given up is not chosen again
	maxBackoff    = 10 * time.Second
	fetchTimeout  = 15 * time.Second // a run of a log, beyond the time it may wait for news
	pullsAtOnce   = 8                // logs one sweep pulls side by side
	// FollowedFor is how long a follower counts as one after its last
	// heads poll.
	FollowedFor = 2 * headsWait
	// distrustFor is how long a member that served a refused run of a
	// log is not asked for that log again (others, or the origin, are).
	distrustFor = time.Minute
)

// Replicator keeps every warehouse's log that the network holds: it
// follows a bounded set of neighbours (Neighbours of its choosing, the
// ring successor among them so that the overlay stays connected, and the
// members that follow it), long-polling each for its heads and pulling any
// log the neighbour holds further than this node; entries carry their
// origin's signatures, so any neighbour is as good as the origin. Gossip
// tells of every log's head (Note): a log that no neighbour brings within
// fallbackAfter is pulled from its origin.
type Replicator struct {
	self      string
	local     Applier
	http      *http.Client
	members   func() []Member
	followers func() []string
	log       *slog.Logger

	mu      sync.Mutex
	links   map[string]*link       // by member id
	chosen  []string               // the neighbours this node chose
	avoid   map[string]time.Time   // neighbours given up (unreachable from here, though online to others), until when
	blocked map[string]error       // origins refused for good (a reset log), by id
	seen    map[string]int64       // the highest seq of each log any member said it holds
	held    map[string]int64       // the last seq of each log this node held, when it last looked
	behind  map[string]time.Time   // since when a log gossip told of is not held
	pulling map[string]*sync.Mutex // one pull of a log at a time
	// distrust holds, by member and origin, until when the member is not
	// asked for that origin's log: it served a run that was refused.
	distrust map[[2]string]time.Time
	onReject func(reason stock.RejectReason)
	// checked holds the signed heads members told of that were compared
	// with this node's history already, by origin, seq and digest.
	checked map[[3]string]bool
	// source holds, by origin, the neighbour that last brought a run of
	// its log: the other neighbours' heads polls are not woken by that
	// log (see haveList), so each new entry crosses one link, not all.
	source map[string]string
	// rescuing holds the logs a fallback pull is under way for.
	rescuing map[string]bool
	// exact holds the logs whose held seq is what the database holds: read
	// from it, or kept by this node's own pulls since (one pull of a log at
	// a time), so that a pull need not read every head first.
	exact map[string]bool
}

// OnReject sets fn to be called for every refused run, with its reason
// (the node counts them: stockmesh_sync_rejected_total). Call it before
// Run.
func (r *Replicator) OnReject(fn func(reason stock.RejectReason)) { r.onReject = fn }

// SetFollowers sets where the Replicator learns which members follow this
// node (Handler.Followers). Call it before Run.
func (r *Replicator) SetFollowers(fn func() []string) { r.followers = fn }

// link is the goroutine following one neighbour.
type link struct {
	m      Member
	cancel context.CancelFunc
	done   chan struct{}
}

// NewReplicator returns a Replicator for the node owning warehouse self,
// applying through local, pulling with hc (mutual TLS) from the members
// members lists (it may include self, which is skipped).
func NewReplicator(self string, local Applier, hc *http.Client, members func() []Member, log *slog.Logger) *Replicator {
	return &Replicator{self: self, local: local, http: hc, members: members, log: log,
		links: map[string]*link{}, blocked: map[string]error{}, seen: map[string]int64{}, held: map[string]int64{},
		behind: map[string]time.Time{}, pulling: map[string]*sync.Mutex{}, avoid: map[string]time.Time{},
		distrust: map[[2]string]time.Time{}, checked: map[[3]string]bool{}, source: map[string]string{},
		rescuing: map[string]bool{}, exact: map[string]bool{}}
}

// Behind returns how many changes of origin's log the members have told
// of that this node did not hold when it last looked (0 when caught up as
// far as it knows). It is safe for concurrent use.
func (r *Replicator) Behind(origin string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return max(0, r.seen[origin]-r.held[origin])
}

// Note records that origin's log reached seq, as gossip told (a verified
// signed head). It is safe for concurrent use.
func (r *Replicator) Note(origin string, seq int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seen[origin] = max(r.seen[origin], seq)
	if r.seen[origin] > r.held[origin] && r.behind[origin].IsZero() {
		r.behind[origin] = time.Now()
	}
}

// note records the heads a member told of, and those this node holds.
func (r *Replicator) note(theirs []stock.Head, mine *stock.Heads) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range theirs {
		r.seen[h.Origin] = max(r.seen[h.Origin], h.LastSeq)
	}
	for _, h := range mine.Heads {
		r.held[h.Origin] = h.LastSeq
	}
	for origin, seq := range r.seen {
		switch {
		case seq <= r.held[origin]:
			delete(r.behind, origin)
		case r.behind[origin].IsZero():
			r.behind[origin] = time.Now()
		}
	}
}

// Run replicates until ctx is done, then stops every link and returns nil.
func (r *Replicator) Run(ctx context.Context) error {
	t := time.NewTicker(membersEvery)
	defer t.Stop()
	for {
		ms := r.members()
		r.reconcile(ctx, ms)
		r.fallback(ctx, ms)
		select {
		case <-ctx.Done():
			r.mu.Lock()
			links := r.links
			r.links = map[string]*link{}
			r.mu.Unlock()
			for _, l := range links {
				l.cancel()
				<-l.done
			}
			return nil
		case <-t.C:
		}
	}
}

// choose returns the neighbours to follow among ms: those chosen before
// that are still online, then the ring successor of this node among the
// online members, then random ones, up to Neighbours; and the followers,
// up to MaxFollowBack.
func (r *Replicator) choose(ms []Member) map[string]Member {
	online := map[string]Member{}
	var ids []string
	r.mu.Lock()
	for _, m := range ms {
		if until, ok := r.avoid[m.ID]; ok && time.Now().After(until) {
			delete(r.avoid, m.ID)
		}
		if m.ID != r.self && m.URL != "" && m.Online && r.avoid[m.ID].IsZero() {
			online[m.ID] = m
			ids = append(ids, m.ID)
		}
	}
	r.mu.Unlock()
	slices.Sort(ids)
	want := map[string]Member{}
	r.mu.Lock()
	for _, id := range r.chosen {
		if m, ok := online[id]; ok && len(want) < Neighbours {
			want[id] = m
		}
	}
	r.mu.Unlock()
	if i, _ := slices.BinarySearch(ids, r.self); len(ids) > 0 && len(want) < Neighbours {
		succ := ids[i%len(ids)]
		want[succ] = online[succ]
	}
	for _, i := range rand.Perm(len(ids)) {
		if len(want) >= Neighbours {
			break
		}
		want[ids[i]] = online[ids[i]]
	}
	chosen := slices.Sorted(maps.Keys(want))
	r.mu.Lock()
	r.chosen = chosen
	r.mu.Unlock()
	if r.followers != nil {
		back := 0
		for _, id := range r.followers() {
			if m, ok := online[id]; ok && want[id].ID == "" && back < MaxFollowBack {
				want[id] = m
				back++
			}
		}
	}
	return want
}

// reconcile follows the neighbours choose picks, stopping the links of
// the others.
func (r *Replicator) reconcile(ctx context.Context, ms []Member) {
	want := r.choose(ms)
	r.mu.Lock()
	var stopped []*link
	for id, l := range r.links {
		if m, ok := want[id]; !ok || m.URL != l.m.URL || wait.Closed(l.done) {
			l.cancel()
			stopped = append(stopped, l)
			delete(r.links, id)
			maps.DeleteFunc(r.source, func(_, src string) bool { return src == id })
		}
	}
	defer func() { // outside the lock: a stopping link may take it
		for _, l := range stopped {
			<-l.done
		}
	}()
	defer r.mu.Unlock()
	for id, m := range want {
		if _, ok := r.links[id]; ok {
			continue
		}
		lctx, cancel := context.WithCancel(ctx)
		l := &link{m: m, cancel: cancel, done: make(chan struct{})}
		r.links[id] = l
		go func() {
			defer close(l.done)
			r.follow(lctx, m)
		}()
	}
}

// follow long-polls m's heads until ctx is done, pulling every log m holds
// further than this node each time they move.
func (r *Replicator) follow(ctx context.Context, m Member) {
	c := &client{http: r.http, base: strings.TrimRight(m.URL, "/"), id: m.ID}
	var gen uint64
	news := time.Duration(0) // how long a heads poll waits for news; the first answers at once
	failed := 0
	var full time.Time // when the last full answer came
	ctx, giveUp := context.WithCancel(ctx)
	defer giveUp()
	r.retry(ctx, m, func() error {
		brief := time.Since(full) < fullEvery // full answers (signed heads: fork checks) now and then
		have := ""
		if brief && news > 0 {
			have = r.haveList(m.ID)
		}
		pctx, cancel := context.WithTimeout(ctx, news+fetchTimeout) // a stalled connection must not stop the link
		theirs, err := c.headsOf(pctx, gen, news, brief && news > 0, have)
		cancel()
		answered := time.Now()
		if err != nil {
			if failed++; failed >= failLimit { // online to others, maybe, but not reachable from here: choose another
				r.mu.Lock()
				r.avoid[m.ID] = time.Now().Add(avoidFor)
				r.chosen = slices.DeleteFunc(r.chosen, func(id string) bool { return id == m.ID })
				r.mu.Unlock()
				giveUp()
			}
			return err
		}
		failed = 0
		gen, news = theirs.Gen, headsWait
		if !theirs.Brief {
			full = time.Now()
		}
		if err := r.sweep(ctx, c, m.ID, theirs); err != nil {
			return err
		}
		// At most one poll per minPoll, counted from the answer: the
		// time the sweep took is part of it, not added to each hop.
		if rest := minPoll - time.Since(answered); rest > 0 {
			_ = wait.For(ctx, rest) // ctx's end ends the loop
		}
		return nil
	})
}

// fallback rescues each log that gossip told of and that no neighbour
// brought within fallbackAfter: the neighbours' polls are woken by it
// again (its source is forgotten), and it is pulled at once from its
// origin, then from each neighbour in turn, until held. A link to the
// origin is no reason to wait: it did not bring the log. Nor is gossip
// holding the origin offline: this node's view of it may lag a link that
// came back (a partition healing), and one refused request is cheap.
func (r *Replicator) fallback(ctx context.Context, ms []Member) {
	r.mu.Lock()
	var late []string
	for origin, since := range r.behind {
		if time.Since(since) >= fallbackAfter && !r.rescuing[origin] {
			late = append(late, origin)
			r.behind[origin] = time.Now() // asked now; again after fallbackAfter if still not held
			r.rescuing[origin] = true
			delete(r.source, origin)
		}
	}
	var from []Member
	for _, l := range r.links {
		from = append(from, l.m)
	}
	r.mu.Unlock()
	rand.Shuffle(len(from), func(i, j int) { from[i], from[j] = from[j], from[i] })
	for _, origin := range late {
		targets := slices.Clone(from)
		if i := slices.IndexFunc(ms, func(m Member) bool { return m.ID == origin && m.URL != "" }); i >= 0 {
			targets = append([]Member{ms[i]}, slices.DeleteFunc(targets, func(m Member) bool { return m.ID == origin })...)
		}
		go func() {
			defer func() {
				r.mu.Lock()
				delete(r.rescuing, origin)
				r.mu.Unlock()
			}()
			for _, m := range targets {
				want := r.seenOf(origin)
				if r.holds(origin) >= want || r.distrusted(m.ID, origin) {
					continue
				}
				c := &client{http: r.http, base: strings.TrimRight(m.URL, "/"), id: m.ID}
				if err := r.pullOne(ctx, c, origin, want); err != nil && ctx.Err() == nil {
					r.log.Warn("pulling a log no neighbour brought", "origin", origin, "from", m.ID, "err", err)
				}
			}
		}()
	}
}

// retry runs step until ctx is done, backing off after failures, which it
// logs (a protocol mismatch as an error: it needs a person).
func (r *Replicator) retry(ctx context.Context, m Member, step func() error) {
	b := backoff.Backoff{First: 200 * time.Millisecond, Max: maxBackoff, Jitter: 0.2}
	for ctx.Err() == nil {
		err := step()
		if err == nil {
			b.Reset()
			continue
		}
		if ctx.Err() != nil {
			return
		}
		level := slog.LevelWarn
		if errors.Is(err, errProtocol) {
			level = slog.LevelError
		}
		d := b.Next()
		r.log.Log(ctx, level, "replicating from a member; will retry", "member", m.ID, "url", m.URL, "err", err, "in", d)
		if wait.For(ctx, d) != nil {
			return
		}
	}
}

// sweep pulls every log c's member, member, holds further than this node,
// as its heads say. A full answer is compared with the database's heads
// (and its signed heads checked for forks); a brief one with the heads the
// replicator last saw this node hold, which every pull keeps current.
func (r *Replicator) sweep(ctx context.Context, c *client, member string, theirs *HeadsReply) error {
	if !theirs.Brief {
		mine, err := r.local.Heads(ctx)
		if err != nil {
			return err
		}
		r.note(theirs.Heads, mine)
		for _, h := range theirs.Heads {
			if err := r.checkFork(ctx, member, h, mine); err != nil {
				return err
			}
		}
	} else {
		r.note(theirs.Heads, &stock.Heads{})
	}
	// The logs are pulled side by side (pullsAtOnce): their runs travel on
	// one HTTP/2 connection and their applies share the writer's commits,
	// instead of each waiting for the one before.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(pullsAtOnce)
	for _, h := range theirs.Heads {
		if h.Origin == r.self || h.LastSeq <= r.holds(h.Origin) || r.isBlocked(h.Origin) || r.distrusted(member, h.Origin) {
			continue
		}
		g.Go(func() error { return r.pullOne(gctx, c, h.Origin, h.LastSeq) })
	}
	return g.Wait()
}

// haveList returns what this node holds of every log as a heads poll's
// have parameter for member ("ORIGIN:SEQ,…"). Its own log, and each log
// another linked neighbour brings (the origin itself when linked, else the
// last to bring a run), are given as held to the end, so that they do not
// wake member's poll: a new entry crosses one link into this node, as in
// an epidemic broadcast tree. A brief answer woken by another log still
// lists them, and gossip's heads rescue a log whose source stalls
// (fallback).
func (r *Replicator) haveList(member string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	b.WriteString(r.self + ":" + strconv.FormatInt(math.MaxInt64, 10))
	for origin, seq := range r.held {
		if origin == r.self {
			continue
		}
		if src := r.sourceOf(origin); src != "" && src != member {
			seq = math.MaxInt64
		}
		b.WriteString("," + origin + ":" + strconv.FormatInt(seq, 10))
	}
	return b.String()
}

// sourceOf returns the linked neighbour that brings origin's log, or ""
// when every neighbour should be woken by it. r.mu must be held.
func (r *Replicator) sourceOf(origin string) string {
	if r.links[origin] != nil {
		return origin
	}
	if src := r.source[origin]; r.links[src] != nil {
		return src
	}
	return ""
}

// seenOf returns the highest seq of origin's log any member told of.
func (r *Replicator) seenOf(origin string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[origin]
}

// holds returns the seq of origin's log this node held when it last
// looked.
func (r *Replicator) holds(origin string) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.held[origin]
}

// pullOne pulls origin's log up to at least seq from c's member, one pull
// of a log at a time: a log two neighbours bring at once is pulled once,
// the second finding it held.
func (r *Replicator) pullOne(ctx context.Context, c *client, origin string, seq int64) error {
	r.mu.Lock()
	mu := r.pulling[origin]
	if mu == nil {
		mu = &sync.Mutex{}
		r.pulling[origin] = mu
	}
	r.mu.Unlock()
	mu.Lock()
	defer mu.Unlock()
	if seq > 0 && r.holds(origin) >= seq {
		return nil
	}
	return r.pull(ctx, c, origin, 0)
}

// pull fetches origin's log after what this node holds, waiting up to
// news for news, and applies it run by run until it holds all the member
// has: while one run is applied the next is fetched and decoded, so the
// member reads while this node writes.
func (r *Replicator) pull(ctx context.Context, c *client, origin string, news time.Duration) error {
	if r.isBlocked(origin) || r.distrusted(c.id, origin) {
		// A reset or forked log is not followed, nor one the member served
		// wrong; the member's other logs still are.
		_ = wait.For(ctx, news)
		return nil
	}
	have, err := r.headOf(ctx, origin)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, news+30*time.Second)
	defer cancel()
	run := fetch(wctx, c, origin, have.LastSeq, news)
	for {
		if run.err != nil {
			return run.err
		}
		r.note([]stock.Head{{Origin: origin, LastSeq: run.reply.LastSeq}}, &stock.Heads{Heads: []stock.Head{have}})
		if len(run.reply.Entries) == 0 {
			return nil
		}
		last := run.reply.Entries[len(run.reply.Entries)-1].Seq
		if last <= have.LastSeq && run.reply.LastSeq > have.LastSeq {
			// An honest member's run ends at a signed head past the cursor
			// whenever it holds more: this one replays what is held.
			r.reject(ctx, &stock.RejectError{Origin: origin, ServedBy: c.id, Reason: stock.RejectChain,
				Detail: fmt.Sprintf("asked for the entries after %d, it served up to %d while it holds %d", have.LastSeq, last, run.reply.LastSeq)})
			return nil
		}
		next := make(chan fetched, 1)
		if last < run.reply.LastSeq {
			go func() { next <- fetch(ctx, c, origin, last, 0) }()
		} else {
			next <- fetched{}
		}
		err := r.local.ApplyChanges(ctx, run.reply.batch(c.id))
		following := <-next
		if err != nil {
			r.mu.Lock()
			delete(r.exact, origin) // read again before the next pull
			r.mu.Unlock()
			if errors.Is(err, stock.ErrEpoch) {
				r.block(origin, err)
				return nil
			}
			if re := rejection(err, origin, c.id); re != nil {
				r.reject(ctx, re)
				return nil
			}
			return err
		}
		have.LastSeq = last
		r.note(nil, &stock.Heads{Heads: []stock.Head{have}})
		r.mu.Lock()
		r.source[origin] = c.id
		r.mu.Unlock()
		if following.reply == nil && following.err == nil {
			return nil // the member had nothing more when this run came
		}
		run = following
	}
}

// headOf returns how far this node holds origin's log: as this node's
// pulls left it when it read the database since, else from the database.
// An error of a pull makes the next read the database again (a run that
// stopped short of what it served).
func (r *Replicator) headOf(ctx context.Context, origin string) (stock.Head, error) {
	r.mu.Lock()
	seq, ok := r.held[origin]
	ok = ok && r.exact[origin]
	r.mu.Unlock()
	if ok {
		return stock.Head{Origin: origin, LastSeq: seq}, nil
	}
	mine, err := r.local.Heads(ctx)
	if err != nil {
		return stock.Head{}, err
	}
	have, _ := mine.Head(origin)
	have.Origin = origin
	r.mu.Lock()
	r.held[origin] = have.LastSeq
	r.exact[origin] = true
	r.mu.Unlock()
	return have, nil
}

// fetched is one run of a log, fetched and decoded, or why it was not.
type fetched struct {
	reply *ChangesReply
	err   error
}

// fetch asks c's member for origin's log after seq and decodes it.
func fetch(ctx context.Context, c *client, origin string, after int64, wait time.Duration) fetched {
	// Bounded: a pull holds its log's turn (pullOne), so a member that
	// never answers must not keep every other neighbour from serving it.
	ctx, cancel := context.WithTimeout(ctx, wait+fetchTimeout)
	defer cancel()
	reply, err := c.changes(ctx, origin, after, RunLimit, wait)
	if err != nil {
		return fetched{err: err}
	}
	return fetched{reply: reply}
}

// block stops replicating origin for good, loudly.
func (r *Replicator) block(origin string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.blocked[origin]; !ok {
		r.log.Error("not replicating a warehouse whose log was begun again or forked", "origin", origin, "err", err)
	}
	r.blocked[origin] = err
}

// isBlocked reports whether origin is no longer replicated.
func (r *Replicator) isBlocked(origin string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.blocked[origin]
	return ok
}

// rejection returns the refusal err is, of a run of origin's log served
// by member: one that failed verification, or that holds an entry no node
// may write; nil for any other error.
func rejection(err error, origin, member string) *stock.RejectError {
	var re *stock.RejectError
	if errors.As(err, &re) {
		return re
	}
	if errors.Is(err, stock.ErrInvalidEntry) {
		return &stock.RejectError{Origin: origin, ServedBy: member, Reason: stock.RejectValidation, Detail: err.Error()}
	}
	return nil
}

// reject handles a refused run: it is counted, logged with the member that
// served it, recorded (warehouses { replica { problem } }, the audit log),
// and that member is not asked for that log for a while, so that another
// member or the origin serves it.
func (r *Replicator) reject(ctx context.Context, re *stock.RejectError) {
	if r.onReject != nil {
		r.onReject(re.Reason)
	}
	r.log.Error("refused a run of a warehouse's log", "origin", re.Origin, "served_by", re.ServedBy, "reason", re.Reason, "detail", re.Detail)
	if err := r.local.ReportProblem(ctx, re); err != nil && ctx.Err() == nil {
		r.log.Warn("recording a refused run", "origin", re.Origin, "err", err)
	}
	if re.Reason == stock.RejectFork {
		r.block(re.Origin, re)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.distrust[[2]string{re.ServedBy, re.Origin}] = time.Now().Add(distrustFor)
	if r.source[re.Origin] == re.ServedBy {
		delete(r.source, re.Origin)
	}
}

// distrusted reports whether member recently served a refused run of
// origin's log.
func (r *Replicator) distrusted(member, origin string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	until, ok := r.distrust[[2]string{member, origin}]
	if ok && time.Now().After(until) {
		delete(r.distrust, [2]string{member, origin})
		return false
	}
	return ok
}

// maxChecked bounds the heads remembered as compared.
const maxChecked = 10_000

// checkFork compares a signed head member holds of a log this node holds
// as far, once per head: a validly signed head that differs from this
// node's history there is a fork, even when the forked log is behind this
// node's copy (a node restored from a backup that writes again).
func (r *Replicator) checkFork(ctx context.Context, member string, h stock.Head, mine *stock.Heads) error {
	have, _ := mine.Head(h.Origin)
	if h.Signed == nil || h.Origin == r.self || h.LastSeq > have.LastSeq || r.isBlocked(h.Origin) {
		return nil
	}
	key := [3]string{h.Origin, strconv.FormatInt(h.Signed.Seq, 10), h.Signed.Digest}
	r.mu.Lock()
	done := r.checked[key]
	r.mu.Unlock()
	if done {
		return nil
	}
	v, err := r.local.CheckHead(ctx, h.Origin, h.Epoch, *h.Signed)
	if err != nil {
		return err
	}
	r.mu.Lock()
	if len(r.checked) >= maxChecked {
		clear(r.checked)
	}
	r.checked[key] = true
	r.mu.Unlock()
	if v.Fork {
		r.reject(ctx, &stock.RejectError{Origin: h.Origin, ServedBy: member, Reason: stock.RejectFork, Detail: v.Detail})
	}
	return nil
}
