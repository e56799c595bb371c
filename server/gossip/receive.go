package gossip

import "time"

// Receive handles m, which arrived at now from m.From (authenticated by the
// transport), and returns the messages to send in answer and the items it
// carried, for the caller to check (a caller Broadcasts on those that are
// new to it, which is how items spread). Messages from a stranger (not a
// member) are ignored, but for their items.
func (n *Node) Receive(now time.Time, m Message) ([]Message, []Item) {
	known := n.members[m.From] != nil
	if known {
		n.heard(now, m.From)
	}
	for _, u := range m.Updates {
		n.apply(now, u)
	}
	if !known {
		return nil, m.Items
	}
	var out []Message
	switch m.Kind {
	case Ping:
		out = append(out, n.message(m.From, Ack, m.Seq, ""))
	case PingReq:
		if n.members[m.Target] != nil && m.Target != n.cfg.Self {
			n.seq++
			n.relays[n.seq] = &relay{origin: m.From, originSeq: m.Seq, target: m.Target, deadline: now.Add(n.cfg.Period * 4 / 5)}
			out = append(out, n.message(m.Target, Ping, n.seq, ""))
		}
	case Ack:
		out = n.onAck(now, m, out)
	case Nack:
		if p := n.probe; p != nil && p.seq == m.Seq && p.target == m.Target {
			p.nacks++
		}
	}
	n.sent += len(out)
	return out, m.Items
}

// onAck settles the probe an ack answers: this node's own, directly or
// through a helper, or one it made for another member, whom it tells.
func (n *Node) onAck(now time.Time, m Message, out []Message) []Message {
	if r := n.relays[m.Seq]; r != nil && r.target == m.From {
		delete(n.relays, m.Seq)
		return append(out, n.message(r.origin, Ack, r.originSeq, r.target))
	}
	p := n.probe
	if p == nil || p.seq != m.Seq {
		return out
	}
	if m.Target == "" && m.From == p.target || m.Target == p.target {
		p.acked = true
		n.heard(now, p.target)
	}
	return out
}

// heard records a sign of life of id.
func (n *Node) heard(now time.Time, id string) {
	if m := n.members[id]; m != nil && now.After(m.lastSeen) {
		m.lastSeen = now
	}
}

// apply takes in one update by the protocol's rules, queueing it to spread
// on when it changed what this node knows. An update about this node
// that says it is suspected or offline is refuted: the node raises its
// incarnation above it and spreads that.
func (n *Node) apply(now time.Time, u Update) {
	if u.ID == n.cfg.Self {
		if u.State != Alive && u.Inc >= n.inc || u.Inc > n.inc {
			n.inc = u.Inc + 1
			if u.State != Alive {
				n.awareness = min(maxAwareness, n.awareness+1)
			}
			n.queue.add(entry{key: "u/" + n.cfg.Self, update: &Update{ID: n.cfg.Self, Inc: n.inc, State: Alive}})
		}
		return
	}
	m := n.members[u.ID]
	if m == nil {
		return // members come from signed records only
	}
	switch {
	case u.Inc > m.inc || u.Inc == m.inc && u.State > m.state:
		n.set(now, m, u)
	case u.Inc == m.inc && u.State == Suspect && m.state == Suspect && u.By != "" && !m.confirmed[u.By]:
		m.confirmed[u.By] = true // another member's independent suspicion shortens the timeout
		n.queue.add(entry{key: "c/" + m.id + "/" + u.By, update: &u})
	}
}

// set makes u m's state and queues it to spread on.
func (n *Node) set(now time.Time, m *member, u Update) {
	m.inc, m.state = u.Inc, u.State
	m.confirmed = nil
	delete(n.suspect, m.id)
	delete(n.down, m.id)
	switch u.State {
	case Alive:
		n.heard(now, m.id)
	case Suspect:
		m.suspectedAt = now
		m.confirmed = map[string]bool{u.By: true}
		n.suspect[m.id] = true
		n.suspicions++
	case Offline:
		n.down[m.id] = true
		n.offlined++
	}
	if u.State != Suspect {
		u.By = ""
	}
	n.queue.add(entry{key: "u/" + m.id, update: &u})
}
