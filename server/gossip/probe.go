package gossip

import (
	"maps"
	"math"
	"slices"
	"time"
)

// probe is this node's probe of one member in the current period.
type probe struct {
	target   string
	seq      uint64
	indirect time.Time // when to ask others, if no ack came
	end      time.Time // when the period ends: suspect it, if no ack came
	asked    int       // members asked to probe it
	nacks    int       // of them, those that said it did not answer
	acked    bool
}

// relay is a probe this node makes on another member's behalf.
type relay struct {
	origin    string
	originSeq uint64
	target    string
	deadline  time.Time
}

// Tick advances the node to now and returns the messages to send: the
// period's probe, indirect probes, nacks of relays that timed out,
// suspicions that timed out, a push of queued changes, and now and then a
// probe of an offline member.
func (n *Node) Tick(now time.Time) []Message {
	var out []Message
	out = n.tickProbe(now, out)
	out = n.tickRelays(now, out)
	n.tickSuspicions(now)
	out = n.tickPush(now, out)
	out = n.tickRetry(now, out)
	n.sent += len(out)
	return out
}

// timeout is the direct probe's timeout, stretched while this node is slow.
func (n *Node) timeout() time.Duration {
	return min(n.cfg.ProbeTimeout*time.Duration(1+n.awareness), n.cfg.Period*4/5)
}

// tickProbe ends the current probe when its period is over (suspecting an
// unanswered target), asks others to probe the target once the direct
// probe timed out, and starts the next probe.
func (n *Node) tickProbe(now time.Time, out []Message) []Message {
	if p := n.probe; p != nil {
		if !p.acked && p.asked == 0 && !now.Before(p.indirect) {
			out = n.askOthers(p, out)
		}
		if now.Before(p.end) {
			return out
		}
		n.endProbe(now, p)
	}
	if now.Before(n.nextProbe) {
		return out
	}
	n.nextProbe = now.Add(n.cfg.Period)
	target := n.nextTarget()
	if target == "" {
		return out
	}
	n.seq++
	n.probe = &probe{target: target, seq: n.seq, indirect: now.Add(n.timeout()), end: now.Add(n.cfg.Period)}
	return append(out, n.message(target, Ping, n.seq, ""))
}

// endProbe settles a probe whose period is over: an unanswered target is
// suspected (or the suspicion confirmed); the node's own health is judged by the nacks it expected.
func (n *Node) endProbe(now time.Time, p *probe) {
	n.probe = nil
	if p.acked {
		n.awareness = max(0, n.awareness-1)
		return
	}
	if p.asked > 0 && p.nacks < p.asked { // the helpers' answers did not reach this node: it may be the slow one
		n.awareness = min(maxAwareness, n.awareness+1)
	}
	m := n.members[p.target]
	if m == nil || m.state == Offline {
		return
	}
	n.apply(now, Update{ID: m.id, Inc: m.inc, State: Suspect, By: n.cfg.Self})
}

// askOthers sends PingReq for p's target to IndirectProbes random members.
func (n *Node) askOthers(p *probe, out []Message) []Message {
	for _, id := range n.pick(n.cfg.IndirectProbes, func(m *member) bool { return m.id != p.target && m.state == Alive }) {
		p.asked++
		out = append(out, n.message(id, PingReq, p.seq, p.target))
	}
	return out
}

// nextTarget returns the next member of the round to probe (alive or
// suspected), reshuffling the round when it is over; "" when there is
// none.
func (n *Node) nextTarget() string {
	for range 2 {
		for n.next < len(n.order) {
			id := n.order[n.next]
			n.next++
			if m := n.members[id]; m != nil && m.state != Offline {
				return id
			}
		}
		n.order = slices.Clone(n.ids)
		n.cfg.Rand.Shuffle(len(n.order), func(i, j int) { n.order[i], n.order[j] = n.order[j], n.order[i] })
		n.next = 0
	}
	return ""
}

// tickRelays answers a Nack for every probe made on another's behalf that
// timed out.
func (n *Node) tickRelays(now time.Time, out []Message) []Message {
	for seq, r := range n.relays {
		if now.Before(r.deadline) {
			continue
		}
		delete(n.relays, seq)
		out = append(out, n.message(r.origin, Nack, r.originSeq, r.target))
	}
	return out
}

// suspicion returns how long a suspicion confirmed by c members lasts:
// from SuspicionMaxMul times the minimum down to the minimum as
// independent confirmations come (Lifeguard's formula).
func (n *Node) suspicion(c int) time.Duration {
	lo := n.cfg.SuspicionMult * n.logN() * float64(n.cfg.Period)
	hi := n.cfg.SuspicionMaxMul * lo
	k := float64(min(3, max(1, n.size()-2)))
	d := hi - (hi-lo)*math.Log(float64(c)+1)/math.Log(k+1)
	return time.Duration(max(lo, d))
}

// tickSuspicions marks offline the members whose suspicion timed out.
func (n *Node) tickSuspicions(now time.Time) {
	if len(n.suspect) == 0 {
		return
	}
	ids := slices.Sorted(maps.Keys(n.suspect))
	for _, id := range ids {
		m := n.members[id]
		if m.state != Suspect || now.Sub(m.suspectedAt) < n.suspicion(len(m.confirmed)-1) {
			continue
		}
		n.apply(now, Update{ID: id, Inc: m.inc, State: Offline})
	}
}

// tickPush sends queued changes to GossipFanout random members that are
// not offline, every GossipEvery while any are queued.
func (n *Node) tickPush(now time.Time, out []Message) []Message {
	if now.Before(n.nextPush) {
		return out
	}
	n.nextPush = now.Add(n.cfg.GossipEvery)
	if n.queue.empty() {
		return out
	}
	for _, id := range n.pick(n.cfg.GossipFanout, func(m *member) bool { return m.state != Offline }) {
		msg := n.message(id, Push, 0, "")
		if len(msg.Updates) == 0 && len(msg.Items) == 0 {
			break
		}
		out = append(out, msg)
	}
	return out
}

// tickRetry probes one offline member every ReconnectEvery, telling it
// that it is thought offline, so that a member back from a crash or a
// cut link refutes at once.
func (n *Node) tickRetry(now time.Time, out []Message) []Message {
	if now.Before(n.nextRetry) {
		return out
	}
	n.nextRetry = now.Add(n.cfg.ReconnectEvery)
	if len(n.down) == 0 {
		return out
	}
	ids := slices.Sorted(maps.Keys(n.down))
	n.seq++
	return append(out, n.message(ids[n.cfg.Rand.IntN(len(ids))], Ping, n.seq, ""))
}

// pick returns up to k distinct random members that ok accepts: by
// sampling while that finds them quickly (a large network), else from the
// whole list.
func (n *Node) pick(k int, ok func(*member) bool) []string {
	var out []string
	taken := func(id string) bool { return slices.Contains(out, id) }
	for range 4 * k {
		if len(out) == k || len(n.ids) == 0 {
			return out
		}
		id := n.ids[n.cfg.Rand.IntN(len(n.ids))]
		if !taken(id) && ok(n.members[id]) {
			out = append(out, id)
		}
	}
	var cands []string
	for _, id := range n.ids {
		if !taken(id) && ok(n.members[id]) {
			cands = append(cands, id)
		}
	}
	n.cfg.Rand.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	return append(out, cands[:min(k-len(out), len(cands))]...)
}

// message builds a message to to, piggy-backing queued changes; a
// message to a member this node suspects or thinks offline carries that
// suspicion first, so that the member can refute it at once (Lifeguard's
// buddy system).
func (n *Node) message(to string, k Kind, seq uint64, target string) Message {
	m := Message{From: n.cfg.Self, To: to, Kind: k, Seq: seq, Target: target}
	if t := n.members[to]; t != nil && t.state != Alive {
		m.Updates = append(m.Updates, Update{ID: to, Inc: t.inc, State: t.state, By: n.cfg.Self})
	}
	n.queue.fill(&m, n.cfg.MaxPiggyback-len(m.Updates), n.retransmits())
	return m
}
