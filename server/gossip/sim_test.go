package gossip

import (
	"testing"
	"time"
)

// TestSimulate checks the protocol's properties on a simulated network of
// 100 members: every member learns of a join and of a failure within a
// bounded number of periods, a quiet network without loss suspects nobody,
// and each member's traffic stays a few messages a second.
func TestSimulate(t *testing.T) {
	for _, tc := range []struct {
		name string
		loss float64
	}{{"no loss", 0}, {"1% loss", 0.01}} {
		t.Run(tc.name, func(t *testing.T) {
			r := Simulate(SimConfig{Members: 100, Loss: tc.loss, Steady: 20 * time.Second, Seed: 7})
			t.Log(r)
			if r.JoinRounds >= 200 || r.FailRounds >= 200 {
				t.Fatalf("not every member learned of the join (%v periods) or the failure (%v periods)", r.JoinRounds, r.FailRounds)
			}
			if r.JoinRounds > 20 || r.FailRounds > 40 {
				t.Errorf("spreading took too long: join %v periods, failure %v periods", r.JoinRounds, r.FailRounds)
			}
			if tc.loss == 0 && (r.FalseSuspicions > 0 || r.FalseOffline > 0) {
				t.Errorf("a quiet network without loss suspected %d members (%d offline)", r.FalseSuspicions, r.FalseOffline)
			}
			if r.FalseOffline > 0 {
				t.Errorf("%d live members were marked offline", r.FalseOffline)
			}
			if r.MessagesPerSecond > 10 || r.MessagesPerSecond <= 0 {
				t.Errorf("%.2f messages per member per second", r.MessagesPerSecond)
			}
		})
	}
}
