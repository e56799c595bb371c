package transfer

import (
	"context"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

func TestHubFiltersByWarehouse(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cases := []struct {
		warehouse string
		want      []string
	}{
		{"", []string{"A:T1", "B:T2", "C:T3"}},
		{"A", []string{"A:T1", "B:T2"}},
		{"C", []string{"C:T3"}},
		{"Z", nil},
	}
	chans := make([]<-chan stock.Transfer, len(cases))
	for i, tc := range cases {
		chans[i] = h.Watch(ctx, tc.warehouse)
	}
	for _, tr := range []stock.Transfer{{ID: "A:T1", From: "A", To: "B"}, {ID: "B:T2", From: "B", To: "A"}, {ID: "C:T3", From: "C", To: "B"}} {
		h.Publish(tr)
	}
	cancel()
	for i, tc := range cases {
		var got []string
		for tr := range chans[i] { // closed by the hub once ctx is done
			got = append(got, tr.ID)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("watching %q got %v, want %v", tc.warehouse, got, tc.want)
		}
		for j := range got {
			if got[j] != tc.want[j] {
				t.Fatalf("watching %q got %v, want %v", tc.warehouse, got, tc.want)
			}
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for h.Watchers() != 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := h.Watchers(); n != 0 {
		t.Fatalf("%d watchers left after their contexts ended", n)
	}
}

// A watcher that never reads stalls no one: its updates are dropped.
func TestHubStuckWatcher(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.Watch(ctx, "")
	live := h.Watch(ctx, "")
	done := make(chan struct{})
	go func() {
		for i := 0; i < 3*watchBuffer; i++ {
			h.Publish(stock.Transfer{ID: "A:T1", From: "A", To: "B"})
			<-live
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a stuck watcher stalled Publish")
	}
	if d := h.Dropped(); d != 2*watchBuffer {
		t.Fatalf("dropped %d, want %d", d, 2*watchBuffer)
	}
}
