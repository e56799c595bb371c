package gossip

import (
	"testing"
	"time"
)

var t0 = time.Unix(1_800_000_000, 0)

// TestApply checks the precedence of updates: a higher incarnation wins,
// and at one incarnation offline beats suspect beats alive; strangers are
// not made members.
func TestApply(t *testing.T) {
	for _, tc := range []struct {
		name  string
		held  Update
		got   Update
		state State
		inc   uint64
	}{
		{"newer alive refutes a suspicion", Update{"b", 3, Suspect, "c"}, Update{"b", 4, Alive, ""}, Alive, 4},
		{"an old alive does not", Update{"b", 3, Suspect, "c"}, Update{"b", 3, Alive, ""}, Suspect, 3},
		{"suspect beats alive at one incarnation", Update{"b", 3, Alive, ""}, Update{"b", 3, Suspect, "c"}, Suspect, 3},
		{"offline beats suspect", Update{"b", 3, Suspect, "c"}, Update{"b", 3, Offline, ""}, Offline, 3},
		{"a stale suspicion is ignored", Update{"b", 5, Alive, ""}, Update{"b", 4, Suspect, "c"}, Alive, 5},
		{"a restart's alive beats offline", Update{"b", 5, Offline, ""}, Update{"b", 9, Alive, ""}, Alive, 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := New(Config{Self: "a", Inc: 1})
			n.SetMembers([]string{"b", "c"})
			n.apply(t0, tc.held)
			n.apply(t0, tc.got)
			st, _ := n.Status("b")
			if st.State != tc.state || st.Inc != tc.inc {
				t.Fatalf("b is %v at %d, want %v at %d", st.State, st.Inc, tc.state, tc.inc)
			}
		})
	}
	n := New(Config{Self: "a", Inc: 1})
	n.apply(t0, Update{"x", 9, Alive, ""})
	if _, ok := n.Status("x"); ok {
		t.Fatal("an update about a stranger made it a member")
	}
}

// TestRefute checks that a node told it is suspected raises its
// incarnation and spreads that it is alive.
func TestRefute(t *testing.T) {
	n := New(Config{Self: "a", Inc: 5})
	n.SetMembers([]string{"b"})
	out, _ := n.Receive(t0, Message{From: "b", To: "a", Kind: Ping, Seq: 1, Updates: []Update{{"a", 5, Suspect, "b"}}})
	if n.Incarnation() != 6 {
		t.Fatalf("incarnation %d after a suspicion at 5", n.Incarnation())
	}
	if len(out) != 1 || out[0].Kind != Ack || out[0].Seq != 1 {
		t.Fatalf("answer %+v, want an ack of seq 1", out)
	}
	found := false
	for _, u := range out[0].Updates {
		found = found || u == Update{ID: "a", Inc: 6, State: Alive}
	}
	if !found {
		t.Fatalf("the ack carries %+v, not a's refutation", out[0].Updates)
	}
}

// TestProbeAndSuspect drives one node by hand: an unanswered probe leads to
// indirect probes, then a suspicion, then offline once it times out; a
// restarted member's alive update brings it back.
func TestProbeAndSuspect(t *testing.T) {
	n := New(Config{Self: "a", Inc: 1})
	n.SetMembers([]string{"b", "c", "d"})
	now := t0
	var pinged string
	for _, m := range n.Tick(now) {
		if m.Kind == Ping {
			pinged = m.To
		}
	}
	if pinged == "" {
		t.Fatal("the first tick probed nobody")
	}
	now = now.Add(250 * time.Millisecond)
	asked := 0
	for _, m := range n.Tick(now) {
		if m.Kind == PingReq && m.Target == pinged {
			asked++
		}
	}
	if asked != 2 {
		t.Fatalf("asked %d members to probe %s, want the 2 others", asked, pinged)
	}
	now = now.Add(300 * time.Millisecond)
	n.Tick(now)
	if st, _ := n.Status(pinged); st.State != Suspect {
		t.Fatalf("%s is %v after an unanswered period", pinged, st.State)
	}
	for range 200 {
		now = now.Add(100 * time.Millisecond)
		n.Tick(now)
	}
	st, _ := n.Status(pinged)
	if st.State != Offline {
		t.Fatalf("%s is %v 20 s after its suspicion", pinged, st.State)
	}
	n.Receive(now, Message{From: pinged, To: "a", Kind: Push, Updates: []Update{{pinged, st.Inc + 100, Alive, ""}}})
	if st, _ := n.Status(pinged); !st.Online() || !st.LastSeen.Equal(now) {
		t.Fatalf("%s is %v, last seen %v, after its restart", pinged, st.State, st.LastSeen)
	}
}
