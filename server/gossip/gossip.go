// Package gossip is the membership protocol of the network: SWIM with the
// parts of Lifeguard that keep it quiet on a busy machine. Each node probes
// one member per period (directly, then indirectly through a few others
// before it suspects it), a suspicion becomes an offline mark after a
// timeout that shortens as other members confirm it, a suspected member
// refutes by raising its incarnation, and only changes travel: piggy-backed
// on probes and pushed every GossipEvery to a few random members while any
// are queued, each change sent a number of times that grows with log N.
//
// A Node is a state machine with no clock and no network of its own: the
// caller feeds it the time (Tick) and the messages that arrive (Receive)
// and delivers the messages it returns. So the same code runs in stockmeshd
// (server/member drives it over the nodes' mutual TLS) and in Simulate,
// which runs thousands of members on a simulated clock and network.
//
// Gossip decides only whether a member is online. Membership itself (who
// is a member, its address, its departure) is carried as opaque Items,
// signed records that the caller verifies before it broadcasts them on.
package gossip

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// State is what a node believes of a member.
type State uint8

// The states of a member.
const (
	Alive   State = iota // answering, or not suspected yet
	Suspect              // missed a probe; shown online until the suspicion times out
	Offline              // its suspicion timed out; probed again now and then
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case Alive:
		return "alive"
	case Suspect:
		return "suspect"
	case Offline:
		return "offline"
	}
	return "unknown"
}

// Update is one change of a member's state, as the protocol spreads it: a
// higher incarnation always wins, and at one incarnation Offline beats
// Suspect beats Alive. Only the member itself raises its incarnation (to
// refute a suspicion).
type Update struct {
	ID    string `json:"id"`
	Inc   uint64 `json:"inc"`
	State State  `json:"state"`
	By    string `json:"by,omitempty"` // the suspecting member, for a Suspect
}

// Item is a piece of data the caller broadcasts through the protocol (a
// signed membership record, a log head). A newer item of one Key replaces
// the older one in the queue.
type Item struct {
	Key  string `json:"key"`
	Data []byte `json:"data"`
}

// Kind is a message's purpose.
type Kind uint8

// The kinds of message.
const (
	Ping    Kind = iota + 1 // are you there? answered by an Ack
	Ack                     // here (Target: the member probed on behalf of someone)
	PingReq                 // probe Target for me
	Nack                    // Target did not answer my probe for you
	Push                    // changes only
)

// Message is what nodes exchange. The transport sets From to the sender
// it authenticated.
type Message struct {
	From    string   `json:"from"`
	To      string   `json:"to"`
	Kind    Kind     `json:"kind"`
	Seq     uint64   `json:"seq,omitempty"`
	Target  string   `json:"target,omitempty"`
	Updates []Update `json:"updates,omitempty"`
	Items   []Item   `json:"items,omitempty"`
}

// Config tunes a Node. Zero fields take the defaults below.
type Config struct {
	Self string // this node's id
	// Inc is this node's first incarnation. Use a value that grows across
	// restarts (the start time in ms), so that a restarted node's alive
	// update beats the offline mark of its previous run.
	Inc             uint64
	Period          time.Duration // between two probes (default 500 ms)
	ProbeTimeout    time.Duration // wait for a direct ack before asking others (default 200 ms)
	IndirectProbes  int           // members asked to probe on this node's behalf (default 3)
	GossipEvery     time.Duration // between pushes while changes are queued (default 200 ms)
	GossipFanout    int           // members each push goes to (default 3)
	RetransmitMult  int           // a change is sent RetransmitMult*ceil(log10(N+1)) times (default 4)
	SuspicionMult   float64       // minimum suspicion = SuspicionMult*log10(N)*Period (default 4)
	SuspicionMaxMul float64       // maximum suspicion = SuspicionMaxMul*minimum (default 3)
	ReconnectEvery  time.Duration // between probes of an offline member (default 2 s)
	MaxPiggyback    int           // updates and items in one message (default 24)
	Rand            *rand.Rand    // default: seeded from Self and Inc
}

func (c *Config) defaults() {
	set := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	set(&c.Period, 500*time.Millisecond)
	set(&c.ProbeTimeout, 200*time.Millisecond)
	set(&c.GossipEvery, 200*time.Millisecond)
	set(&c.ReconnectEvery, 2*time.Second)
	for _, p := range []struct {
		v *int
		d int
	}{{&c.IndirectProbes, 3}, {&c.GossipFanout, 3}, {&c.RetransmitMult, 4}, {&c.MaxPiggyback, 24}} {
		if *p.v <= 0 {
			*p.v = p.d
		}
	}
	if c.SuspicionMult <= 0 {
		c.SuspicionMult = 4
	}
	if c.SuspicionMaxMul < 1 {
		c.SuspicionMaxMul = 3
	}
	if c.Rand == nil {
		var seed uint64
		for _, b := range []byte(c.Self) {
			seed = seed*131 + uint64(b)
		}
		c.Rand = rand.New(rand.NewPCG(seed, c.Inc))
	}
}

// member is what a node knows of one other member.
type member struct {
	id       string
	inc      uint64
	state    State
	lastSeen time.Time // the last sign of life: a message from it, an ack, a newer alive
	// suspicion, while state is Suspect.
	suspectedAt time.Time
	confirmed   map[string]bool // distinct members that suspect it at inc
}

// Status is what a node tells of a member.
type Status struct {
	State    State
	Inc      uint64
	LastSeen time.Time // zero until a sign of life
}

// Online reports whether the member counts as online: alive, or suspected
// but not yet timed out.
func (s Status) Online() bool { return s.State != Offline }

// Node is one member's view of the network and its part in the protocol.
// It is not safe for concurrent use: its driver serialises the calls.
type Node struct {
	cfg     Config
	inc     uint64
	members map[string]*member
	ids     []string        // the members' ids, sorted (maps iterate at random; Simulate must be deterministic)
	suspect map[string]bool // the members suspected now
	down    map[string]bool // the members offline now
	order   []string        // probe order: a shuffled round of the members
	next    int

	seq       uint64
	probe     *probe            // the probe of this period, if any
	relays    map[uint64]*relay // probes on others' behalf, by this node's seq
	awareness int               // Lifeguard's local health: 0 (healthy) to maxAwareness

	queue      broadcasts
	nextProbe  time.Time
	nextPush   time.Time
	nextRetry  time.Time
	sent       int // messages returned, for Simulate
	suspicions int // members this node began to suspect, for Simulate
	offlined   int // members this node marked offline, for Simulate
}

// maxAwareness bounds how far a node stretches its timeouts when it is slow.
const maxAwareness = 8

// New returns the Node of cfg.Self, knowing no member yet.
func New(cfg Config) *Node {
	cfg.defaults()
	n := &Node{cfg: cfg, inc: cfg.Inc, members: map[string]*member{}, suspect: map[string]bool{}, down: map[string]bool{}, relays: map[uint64]*relay{}}
	n.queue.add(entry{key: "u/" + cfg.Self, update: &Update{ID: cfg.Self, Inc: n.inc, State: Alive}})
	return n
}

// SetMembers makes ids the members this node follows (itself excluded): a
// new one starts alive, not yet seen, and is probed next; one no longer
// listed is forgotten.
func (n *Node) SetMembers(ids []string) {
	want := make(map[string]bool, len(ids))
	var added []string
	for _, id := range ids {
		want[id] = true
		if id != n.cfg.Self && n.members[id] == nil {
			n.members[id] = &member{id: id}
			n.ids = append(n.ids, id)
			added = append(added, id)
		}
	}
	if len(added) > 0 { // probed first, so that a newcomer is seen alive at once
		slices.Sort(n.ids)
		n.cfg.Rand.Shuffle(len(added), func(i, j int) { added[i], added[j] = added[j], added[i] })
		n.order = slices.Insert(n.order, n.next, added...)
	}
	for _, id := range slices.Clone(n.ids) {
		if !want[id] {
			n.Remove(id)
		}
	}
}

// Add makes id a member this node follows, alive, not yet seen and probed
// next, unless it is one already (or this node).
func (n *Node) Add(id string) {
	if id == n.cfg.Self || n.members[id] != nil {
		return
	}
	n.members[id] = &member{id: id}
	i, _ := slices.BinarySearch(n.ids, id)
	n.ids = slices.Insert(n.ids, i, id)
	n.order = slices.Insert(n.order, n.next, id) // probed next, so that a newcomer is seen alive at once
}

// Remove forgets the member id (it departed).
func (n *Node) Remove(id string) {
	if n.members[id] == nil {
		return
	}
	delete(n.members, id)
	delete(n.suspect, id)
	delete(n.down, id)
	if i, ok := slices.BinarySearch(n.ids, id); ok {
		n.ids = slices.Delete(n.ids, i, i+1)
	}
	if i := slices.Index(n.order, id); i >= 0 {
		n.order = slices.Delete(n.order, i, i+1)
		if i < n.next {
			n.next--
		}
	}
}

// Status returns what this node knows of id, and whether id is a member.
func (n *Node) Status(id string) (Status, bool) {
	m := n.members[id]
	if m == nil {
		return Status{}, false
	}
	return Status{State: m.state, Inc: m.inc, LastSeen: m.lastSeen}, true
}

// Incarnation returns this node's own incarnation.
func (n *Node) Incarnation() uint64 { return n.inc }

// Snapshot returns this node's view of every member and itself, for a
// full exchange (a join, a rare anti-entropy round).
func (n *Node) Snapshot() []Update {
	out := []Update{{ID: n.cfg.Self, Inc: n.inc, State: Alive}}
	for _, id := range n.ids {
		m := n.members[id]
		out = append(out, Update{ID: id, Inc: m.inc, State: m.state})
	}
	return out
}

// Merge applies a full exchange's updates from, as if they had been
// gossiped.
func (n *Node) Merge(now time.Time, from string, us []Update) {
	n.heard(now, from)
	for _, u := range us {
		n.apply(now, u)
	}
}

// Broadcast queues it to spread: piggy-backed on the next messages, and
// pushed to a few members every GossipEvery.
func (n *Node) Broadcast(it Item) {
	n.queue.add(entry{key: "i/" + it.Key, item: &it})
}

// size is the network's size as the timeouts count it: the members and
// this node.
func (n *Node) size() int { return len(n.members) + 1 }

// logN is log10 of the network's size, at least 1.
func (n *Node) logN() float64 { return max(1, math.Log10(float64(n.size()))) }

// retransmits is how many times a change is sent before it is dropped
// from the queue.
func (n *Node) retransmits() int {
	return n.cfg.RetransmitMult * int(math.Ceil(math.Log10(float64(n.size()+1))))
}
