package gossip

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"time"
)

// SimConfig is a simulated network for Simulate.
type SimConfig struct {
	Members int           // nodes at the start
	Loss    float64       // probability that a message is lost
	Delay   time.Duration // one-way delay of a message (default 1 ms), plus up to as much again at random
	Steady  time.Duration // how long the quiet phase lasts, where messages and false suspicions are counted (default 30 s)
	Step    time.Duration // the clock's step (default 10 ms)
	Seed    uint64
	Node    Config // the protocol's tuning (Self, Inc and Rand are set per node)
}

// SimResult is what Simulate measured.
type SimResult struct {
	Members int
	// MessagesPerSecond is the messages one member sends per second in the
	// quiet phase, on average.
	MessagesPerSecond float64
	// FalseSuspicions counts the suspicions of live members in the quiet
	// phase, network-wide; FalseOffline those that went as far as offline.
	FalseSuspicions, FalseOffline int
	// JoinRounds is how many protocol periods passed until every member
	// knew of a member that joined (its record reached them all);
	// FailRounds until every member showed a killed member offline.
	JoinRounds, FailRounds float64
}

// String formats r on one line.
func (r SimResult) String() string {
	return fmt.Sprintf("%5d members: %5.2f messages/member/s, join known by all in %5.1f periods, failure in %5.1f periods, false suspicions %d (offline %d)",
		r.Members, r.MessagesPerSecond, r.JoinRounds, r.FailRounds, r.FalseSuspicions, r.FalseOffline)
}

// Simulate runs the protocol's real code for cfg.Members nodes on a
// simulated clock and network (delay, loss), deterministically for one
// seed: a quiet phase (messages per member, false suspicions), then a
// member joining (its record spread as an Item, as server/member does),
// then a member killed.
func Simulate(cfg SimConfig) SimResult {
	s := newSim(cfg)
	res := SimResult{Members: cfg.Members}
	s.run(s.now.Add(5*s.period), nil) // settle: the probe rounds begin
	sent0, susp0, off0 := s.counters()
	s.run(s.now.Add(s.cfg.Steady), nil)
	sent, susp, off := s.counters()
	res.MessagesPerSecond = float64(sent-sent0) / float64(cfg.Members) / s.cfg.Steady.Seconds()
	res.FalseSuspicions, res.FalseOffline = susp-susp0, off-off0

	joined := s.join()
	start := s.now
	s.run(start.Add(200*s.period), func() bool { return s.allKnow(joined) })
	res.JoinRounds = float64(s.now.Sub(start)) / float64(s.period)

	victim := s.ids[s.rng.IntN(len(s.ids)-1)]
	s.dead[victim] = true
	start = s.now
	s.run(start.Add(200*s.period), func() bool { return s.allOffline(victim) })
	res.FailRounds = float64(s.now.Sub(start)) / float64(s.period)
	return res
}

// sim is the simulated network.
type sim struct {
	cfg    SimConfig
	period time.Duration
	rng    *rand.Rand
	now    time.Time
	nodes  map[string]*Node
	ids    []string
	dead   map[string]bool
	knows  map[string]map[string]bool // who received whose record
	inbox  deliveries
}

func newSim(cfg SimConfig) *sim {
	if cfg.Delay <= 0 {
		cfg.Delay = time.Millisecond
	}
	if cfg.Steady <= 0 {
		cfg.Steady = 30 * time.Second
	}
	if cfg.Step <= 0 {
		cfg.Step = 10 * time.Millisecond
	}
	nc := cfg.Node
	nc.defaults()
	s := &sim{cfg: cfg, period: nc.Period, rng: rand.New(rand.NewPCG(cfg.Seed, 1)), now: time.Unix(1_800_000_000, 0),
		nodes: map[string]*Node{}, dead: map[string]bool{}, knows: map[string]map[string]bool{}}
	for i := range cfg.Members {
		s.ids = append(s.ids, fmt.Sprintf("n%05d", i))
	}
	for i, id := range s.ids {
		s.addNode(id, uint64(i))
		n := s.nodes[id]
		n.SetMembers(s.ids)
		for _, m := range n.members { // a network in its steady state: everyone known alive at its incarnation
			m.inc, m.lastSeen = 1, s.now
		}
		n.queue = broadcasts{}
	}
	return s
}

// addNode starts the node id.
func (s *sim) addNode(id string, salt uint64) {
	c := s.cfg.Node
	c.Self, c.Inc, c.Rand = id, 1, rand.New(rand.NewPCG(s.cfg.Seed, salt+2))
	s.nodes[id] = New(c)
	s.knows[id] = map[string]bool{}
}

// join adds a member: it knows everyone (the join answer), and its record
// spreads as an item.
func (s *sim) join() string {
	id := fmt.Sprintf("n%05d", len(s.ids))
	s.addNode(id, uint64(len(s.ids)))
	s.ids = append(s.ids, id)
	n := s.nodes[id]
	n.SetMembers(s.ids)
	s.knows[id][id] = true
	n.Broadcast(Item{Key: "record/" + id, Data: []byte(id)})
	return id
}

// run advances the clock step by step until until, or until done reports
// true.
func (s *sim) run(until time.Time, done func() bool) {
	for s.now.Before(until) {
		s.now = s.now.Add(s.cfg.Step)
		for s.inbox.Len() > 0 && !s.inbox[0].at.After(s.now) {
			d := heap.Pop(&s.inbox).(delivery)
			s.deliver(d.msg)
		}
		for _, id := range s.ids {
			if !s.dead[id] {
				s.send(s.nodes[id].Tick(s.now))
			}
		}
		if done != nil && done() {
			return
		}
	}
}

// deliver hands m to its addressee and sends what it answers; a record it
// had not seen it learns and broadcasts on, as server/member does.
func (s *sim) deliver(m Message) {
	n := s.nodes[m.To]
	if n == nil || s.dead[m.To] {
		return
	}
	out, items := n.Receive(s.now, m)
	s.send(out)
	for _, it := range items {
		who := string(it.Data)
		if s.knows[m.To][who] {
			continue
		}
		s.knows[m.To][who] = true
		n.Add(who)
		n.Broadcast(it)
	}
}

// send queues ms for delivery after a random delay, losing some.
func (s *sim) send(ms []Message) {
	for _, m := range ms {
		if s.rng.Float64() < s.cfg.Loss {
			continue
		}
		at := s.now.Add(s.cfg.Delay + time.Duration(s.rng.Int64N(int64(s.cfg.Delay)+1)))
		heap.Push(&s.inbox, delivery{at: at, seq: s.rng.Uint64(), msg: m})
	}
}

// counters returns the messages sent, suspicions begun and offline marks
// made, network-wide.
func (s *sim) counters() (sent, suspicions, offline int) {
	for _, n := range s.nodes {
		sent += n.sent
		suspicions += n.suspicions
		offline += n.offlined
	}
	return sent, suspicions, offline
}

// allKnow reports whether every live member has id's record and lists it.
func (s *sim) allKnow(id string) bool {
	for _, other := range s.ids {
		if !s.dead[other] && !s.knows[other][id] {
			return false
		}
	}
	return true
}

// allOffline reports whether every live member shows id offline.
func (s *sim) allOffline(id string) bool {
	for _, other := range s.ids {
		if other == id || s.dead[other] {
			continue
		}
		if st, _ := s.nodes[other].Status(id); st.State != Offline {
			return false
		}
	}
	return true
}

// delivery is a message on its way.
type delivery struct {
	at  time.Time
	seq uint64 // random: ties leave in no fixed order, but one seed gives one order
	msg Message
}

// deliveries is a min-heap of deliveries by time.
type deliveries []delivery

func (d deliveries) Len() int { return len(d) }
func (d deliveries) Less(i, j int) bool {
	if !d[i].at.Equal(d[j].at) {
		return d[i].at.Before(d[j].at)
	}
	return d[i].seq < d[j].seq
}
func (d deliveries) Swap(i, j int) { d[i], d[j] = d[j], d[i] }
func (d *deliveries) Push(x any)   { *d = append(*d, x.(delivery)) }
func (d *deliveries) Pop() any {
	old := *d
	x := old[len(old)-1]
	*d = old[:len(old)-1]
	return x
}
