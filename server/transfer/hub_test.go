package transfer

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// collect reads ch until n updates arrived or 5 s passed.
func collect(ch <-chan stock.Transfer, n int) []stock.Transfer {
	var got []stock.Transfer
	timeout := time.After(5 * time.Second)
	for len(got) < n {
		select {
		case t := <-ch:
			got = append(got, t)
		case <-timeout:
			return got
		}
	}
	return got
}

func ids(ts []stock.Transfer) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func TestHubFiltersByWarehouse(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
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
	for i, tc := range cases {
		if got := ids(collect(chans[i], len(tc.want))); !slices.Equal(got, tc.want) {
			t.Fatalf("watching %q got %v, want %v", tc.warehouse, got, tc.want)
		}
	}
	cancel()
	for i := range cases {
		for range chans[i] { // the hub closes every channel once ctx is done
		}
	}
	if n := h.Watchers(); n != 0 {
		t.Fatalf("%d watchers left after their contexts ended", n)
	}
}

// A watcher that does not read stalls no one, and once it reads it gets
// every transfer in its latest state, in the order each was first
// published.
func TestHubSlowWatcherGetsLatestStates(t *testing.T) {
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := h.Watch(ctx, "")
	done := make(chan struct{})
	go func() {
		for i := 0; i < 10_000; i++ {
			st := stock.TransferInTransit
			if i >= 5_000 {
				st = stock.TransferReceived
			}
			h.Publish(stock.Transfer{ID: []string{"A:T1", "A:T2", "A:T3"}[i%3], From: "A", To: "B", Status: st})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a watcher that does not read stalled Publish")
	}
	last := map[string]stock.TransferStatus{}
	n := 0
	for received := 0; received < 3; {
		got := collect(slow, 1)
		if len(got) == 0 {
			t.Fatalf("after %d updates the watcher last saw %v, want every transfer's latest state RECEIVED", n, last)
		}
		n++
		if last[got[0].ID] != stock.TransferReceived && got[0].Status == stock.TransferReceived {
			received++
		}
		last[got[0].ID] = got[0].Status
	}
	if n >= 10_000 {
		t.Fatalf("the watcher read %d updates of 3 transfers: nothing was merged", n)
	}
}

// TestHubKeepsEveryTransferOfALaggingWatcher: a watcher that reads
// nothing while more transfers change than any fixed bound (the hub once
// dropped them past 65,536) still gets each of them, once, in the order
// they first changed, and the latest state of each.
func TestHubKeepsEveryTransferOfALaggingWatcher(t *testing.T) {
	const n = 1<<16 + 1000
	h := NewHub()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	slow := h.Watch(ctx, "")
	for i := range n {
		h.Publish(stock.Transfer{ID: fmt.Sprintf("A:T%d", i), From: "A", To: "B", Status: stock.TransferInTransit})
	}
	h.Publish(stock.Transfer{ID: "A:T0", From: "A", To: "B", Status: stock.TransferReceived})
	got := collect(slow, n)
	if len(got) != n {
		t.Fatalf("the watcher got %d of %d transfers", len(got), n)
	}
	for i, tr := range got {
		if want := fmt.Sprintf("A:T%d", i); tr.ID != want {
			t.Fatalf("update %d is of %s, want %s", i, tr.ID, want)
		}
	}
	if got[0].Status != stock.TransferReceived { // the watcher had taken A:T0 before it changed again
		if more := collect(slow, 1); len(more) != 1 || more[0].ID != "A:T0" || more[0].Status != stock.TransferReceived {
			t.Fatalf("after every transfer the watcher got %+v, want A:T0 in its latest state RECEIVED", more)
		}
	}
}
