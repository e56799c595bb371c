package member

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/wait"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// LeaveWait bounds how long Leave waits for the members to hold this
// node's log up to its departure.
const LeaveWait = 15 * time.Second

// leavePage is how many entries of its log a leaving node hands a member
// per call, and leaveBytes how large such a call may be (a member reads at
// most 1 MiB): past either, the member pulls the rest from the others.
const (
	leavePage  = 200
	leaveBytes = 768 << 10
)

// leaver is what leaving needs of the store beyond Store: the departure
// job, and the log to hand over and take over. *stock.Service has it.
type leaver interface {
	LeaveNetwork(ctx context.Context) (*stock.Warehouse, error)
	Heads(ctx context.Context) (*stock.Heads, error)
	Changes(ctx context.Context, origin string, afterSeq int64, limit int) (*stock.ChangePage, error)
	ApplyChanges(ctx context.Context, b *stock.ChangeBatch) error
}

var _ leaver = (*stock.Service)(nil)

// leaveNotice is the body of POST /api/v1/peer/leave: the leaving node's
// departure (the seq of its warehouse.left entry), and a run of its log
// after what the member said it holds, when one fits in a call.
type leaveNotice struct {
	Seq   int64              `json:"seq"`
	Epoch string             `json:"epoch,omitempty"`
	Run   *stock.ChangeBatch `json:"run,omitempty"`
}

// leaveAnswer answers a leaveNotice: how far the member holds the leaving
// node's log.
type leaveAnswer struct {
	Held int64 `json:"held"`
}

// Leave takes this node out of the network. The departure is a fact of
// this warehouse's own log: one job settles what the warehouse owes,
// appends warehouse.left and marks it departed (see
// stock.Service.LeaveNetwork), after which it refuses every change. Then
// Leave hands the log over: it tells every current member, and gives each
// the entries it lacks up to the departure, until each holds it or
// LeaveWait passes; a member it could not reach learns the departure
// through the copies of the log the others hold. Only then does the node
// stop heartbeating, serving peers (but for the reads of its log: see
// Guard.RequirePeerReading) and replicating, and shows the others
// as no longer followed. Leaving twice is FORBIDDEN.
func (n *Network) Leave(ctx context.Context) (*Member, error) {
	if err := stock.Authorize(ctx, auth.RoleAdmin); err != nil {
		return nil, err
	}
	ctx = auth.AsNode(ctx) // what follows is the node's own work, on an admin's word
	self := n.selfID()
	if !n.serving() {
		if m, ok := n.Member(self); ok && m.DepartedAt != nil {
			return nil, stock.Errorf(stock.CodeForbidden, "this node already left the network on %s", stock.FormatDeparture(*m.DepartedAt))
		}
		return nil, stock.Errorf(stock.CodeForbidden, "this node already left the network")
	}
	lv, ok := n.store.(leaver)
	if !ok {
		return nil, errors.New("member: this node's store cannot record a departure")
	}
	w, err := lv.LeaveNetwork(ctx)
	if err != nil {
		return nil, fmt.Errorf("recording this node's departure: %w", err)
	}
	n.handOver(ctx, lv, self)
	if err := n.refresh(ctx); err != nil {
		return nil, err
	}
	n.unfollow()
	n.log.Info("this node left the network", "id", self, "at", w.DepartedAt)
	m, _ := n.Member(self)
	return &m, nil
}

// handOver tells every current member that this node left and gives each
// the entries of its log it lacks, until each holds the departure or
// LeaveWait passes.
func (n *Network) handOver(ctx context.Context, lv leaver, self string) {
	heads, err := lv.Heads(ctx)
	if err != nil {
		n.log.Warn("reading this node's log head; the members learn of the departure by replication", "err", err)
		return
	}
	own, _ := heads.Head(self)
	ctx, cancel := context.WithTimeout(ctx, LeaveWait)
	defer cancel()
	var wg sync.WaitGroup
	for _, m := range n.Members() {
		wg.Go(func() {
			if err := n.handOverTo(ctx, lv, m, own); err != nil {
				n.log.Warn("a member does not hold this node's departure yet; it learns it from the others' copies of the log",
					"member", m.ID, "err", err)
			}
		})
	}
	wg.Wait()
}

// handOverTo hands this node's log up to own, its departure, to member m.
func (n *Network) handOverTo(ctx context.Context, lv leaver, m Member, own stock.Head) error {
	notice := leaveNotice{Seq: own.LastSeq, Epoch: own.Epoch}
	for {
		var answer leaveAnswer
		err := postJSON(ctx, n.client, m.URL, "/api/v1/peer/leave", m.ID, notice, &answer)
		switch {
		case stock.CodeOf(err) == stock.CodeForbidden: // it no longer counts this node a member: it holds the departure
			return nil
		case err == nil && answer.Held >= own.LastSeq:
			return nil
		case err == nil:
			notice.Run = n.runAfter(ctx, lv, own, answer.Held)
		}
		if werr := wait.For(ctx, 200*time.Millisecond); werr != nil {
			return cmp.Or(err, werr)
		}
	}
}

// runAfter returns the run of this node's log after held, verifiable on
// its own, or nil when none fits in a call.
func (n *Network) runAfter(ctx context.Context, lv leaver, own stock.Head, held int64) *stock.ChangeBatch {
	page, err := lv.Changes(ctx, own.Origin, held, leavePage)
	if err != nil || page.Proof == nil || len(page.Entries) == 0 {
		return nil
	}
	run := &stock.ChangeBatch{Epoch: own.Epoch, Entries: page.Entries, Proof: page.Proof}
	if data, err := json.Marshal(run); err != nil || len(data) > leaveBytes {
		return nil
	}
	return run
}

// onLeave answers a member that says it left: it applies the run of the
// member's log the notice carries (verified as any run is), and says how
// far it holds that log. The departure itself is recorded by applying the
// member's warehouse.left entry, never on the member's word.
func (n *Network) onLeave(ctx context.Context, from string, in leaveNotice) (*leaveAnswer, error) {
	lv, ok := n.store.(leaver)
	if !ok {
		return nil, errors.New("member: this node's store cannot take over a log")
	}
	if in.Run != nil && in.Run.Proof != nil && len(in.Run.Entries) > 0 {
		if in.Run.Entries[0].Origin != from {
			return nil, stock.Errorf(stock.CodeInvalidInput, "a leaving member hands over its own log only")
		}
		in.Run.Proof.ServedBy = from
		if err := lv.ApplyChanges(ctx, in.Run); err != nil {
			n.log.Warn("applying the log a leaving member handed over", "member", from, "err", err)
		}
	}
	heads, err := lv.Heads(ctx)
	if err != nil {
		return nil, err
	}
	h, _ := heads.Head(from)
	if h.LastSeq >= in.Seq {
		n.log.Info("a member left the network", "id", from)
		if err := n.refresh(ctx); err != nil {
			return nil, err
		}
	}
	return &leaveAnswer{Held: h.LastSeq}, nil
}

// Reload reads the members again from the store: the replicator calls it
// once it applied a warehouse's departure, so that this node stops
// following it.
func (n *Network) Reload(ctx context.Context) error { return n.refresh(ctx) }

// unfollow shows every other member offline: a node that left follows no
// one, and no one answers it.
func (n *Network) unfollow() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.left = true
}
