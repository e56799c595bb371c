package netwatch

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestChangedCoalesces: a thousand log advances of a warehouse are one
// change; a sampled state that changes is one, an unchanged one none;
// nothing is gathered while nobody watches.
func TestChangedCoalesces(t *testing.T) {
	w := New()
	state := map[string]string{"A": "online", "B": "online"}
	w.SetSampler(func() map[string]string { return state })
	w.Advance("A", 1)
	if got := w.changed(); len(got) != 0 {
		t.Fatalf("changes without watchers: %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w.Watch(ctx)
	if got := fmt.Sprint(w.changed()); got != "[A B]" {
		t.Fatalf("first sample: %s, want every warehouse once", got)
	}
	for seq := range int64(1000) {
		w.Advance("C", seq)
	}
	w.Poke("A")
	if got := fmt.Sprint(w.changed()); got != "[A C]" {
		t.Fatalf("after 1000 advances of C and a poke of A: %s", got)
	}
	if got := w.changed(); len(got) != 0 {
		t.Fatalf("nothing changed, yet: %v", got)
	}
	state = map[string]string{"A": "online", "B": "offline"}
	if got := fmt.Sprint(w.changed()); got != "[B]" {
		t.Fatalf("B went offline: %s", got)
	}
}

// TestWatchDelivers: a watcher hears of an advance through Run, and its
// channel closes when its context ends.
func TestWatchDelivers(t *testing.T) {
	w := New()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go w.Run(ctx)
	wctx, stop := context.WithCancel(ctx)
	ch := w.Watch(wctx)
	w.Advance("MAD-1", 7)
	select {
	case id := <-ch:
		if id != "MAD-1" {
			t.Fatalf("got %q", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	stop()
	for range ch {
	}
	if n := w.Watchers(); n != 0 {
		t.Fatalf("%d watchers after the watch ended", n)
	}
}
