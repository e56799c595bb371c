package member

import (
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestHeartbeatState checks how missed heartbeats turn into offline and
// backoff, and that one answer brings a member back.
func TestHeartbeatState(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		misses   int
		seenLast bool // a heartbeat succeeds after the misses
		online   bool
		wait     time.Duration // until the next heartbeat is due
	}{
		{"one miss", 1, false, true, time.Second},
		{"two misses", 2, false, true, 2 * time.Second},
		{"offline after three", 3, false, false, 4 * time.Second},
		{"backoff capped", 10, false, false, MaxBackoff},
		{"back online", 5, true, true, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &Network{interval: time.Second, states: map[string]*state{}}
			n.setMembers([]stock.Warehouse{{ID: "MAD-1", Local: true}, {ID: "BCN-1", URL: "https://bcn"}})
			n.seen("BCN-1", now)
			for range tt.misses {
				n.missed("BCN-1", now)
			}
			if tt.seenLast {
				n.seen("BCN-1", now)
			}
			m, _ := n.Member("BCN-1")
			if m.Online != tt.online {
				t.Errorf("online = %v, want %v", m.Online, tt.online)
			}
			if n.due("BCN-1", now.Add(tt.wait-time.Millisecond)) || !n.due("BCN-1", now.Add(tt.wait)) {
				t.Errorf("next heartbeat not due after exactly %v", tt.wait)
			}
		})
	}
}
