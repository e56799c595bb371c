package member

import (
	"context"
	"testing"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/gossip"
	"github.com/stockmesh/stockmesh/server/stock"
)

// TestOnlineFromGossip checks how the membership protocol's messages turn
// into Member.Online and LastSeen: a member not heard of yet is not shown
// online, a message from it is a sign of life, another member's offline
// mark takes it offline (membership unchanged), and its restart's newer
// incarnation brings it back; a member never becomes one through gossip.
func TestOnlineFromGossip(t *testing.T) {
	n := &Network{}
	n.setMembers([]stock.Warehouse{{ID: "MAD-1", Local: true}, {ID: "BCN-1", URL: "https://bcn"}, {ID: "VLC-1", URL: "https://vlc"}})
	n.startGossip("MAD-1")
	n.followMembers()
	ctx := auth.AsNode(context.Background())
	steps := []struct {
		name   string
		from   string
		update gossip.Update
		online bool
		seen   bool
	}{
		{"not heard of yet", "", gossip.Update{}, false, false},
		{"a message from it", "BCN-1", gossip.Update{ID: "BCN-1", Inc: 10}, true, true},
		{"another's offline mark", "VLC-1", gossip.Update{ID: "BCN-1", Inc: 10, State: gossip.Offline}, false, true},
		{"a stale alive", "VLC-1", gossip.Update{ID: "BCN-1", Inc: 10}, false, true},
		{"its restart", "VLC-1", gossip.Update{ID: "BCN-1", Inc: 20}, true, true},
	}
	for _, s := range steps {
		if s.from != "" {
			msg := gossip.Message{Kind: gossip.Push, Updates: []gossip.Update{s.update}}
			if _, err := n.onGossip(ctx, s.from, msg); err != nil {
				t.Fatal(err)
			}
		}
		m, ok := n.Member("BCN-1")
		if !ok || m.Online != s.online || (m.LastSeen != nil) != s.seen {
			t.Fatalf("%s: BCN-1 online %v, last seen %v; want online %v, seen %v", s.name, m.Online, m.LastSeen, s.online, s.seen)
		}
	}
	msg := gossip.Message{Kind: gossip.Push, Updates: []gossip.Update{{ID: "EVIL-1", Inc: 99}}}
	if _, err := n.onGossip(ctx, "VLC-1", msg); err != nil {
		t.Fatal(err)
	}
	if _, ok := n.Member("EVIL-1"); ok || len(n.All()) != 3 {
		t.Fatalf("gossip about a stranger changed membership: %v", n.All())
	}
}
