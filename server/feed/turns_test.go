package feed

import (
	"testing"
	"time"
)

func TestTurnKeptWhileTheReaderWorks(t *testing.T) {
	pool := make(turns, 1)
	a, b := newTurn(pool), newTurn(pool)
	out := make(chan int, 1) // a reader that is always ready
	done := make(chan struct{})
	if !offer(out, 1, done, a) {
		t.Fatal("offer to a ready reader failed")
	}
	if !a.held || len(pool) != 1 {
		t.Fatalf("after a taken offer: held %v, pool %d; want the turn kept", a.held, len(pool))
	}
	// b cannot take a turn while a holds the only one.
	cancelled := make(chan struct{})
	close(cancelled)
	if b.take(cancelled) {
		t.Fatal("b took a turn that a holds")
	}
	a.give()
	if len(pool) != 0 || a.held {
		t.Fatal("give did not return the turn")
	}
	if !b.take(done) {
		t.Fatal("b could not take the returned turn")
	}
}

func TestTurnGivenUpWhenTheReaderIsStuck(t *testing.T) {
	pool := make(turns, 1)
	stuck, other := newTurn(pool), newTurn(pool)
	out := make(chan int) // nobody reads
	done := make(chan struct{})
	result := make(chan bool)
	go func() { result <- offer(out, 1, done, stuck) }()

	// The stuck offer gives its turn up after turnTimeout, so other gets one.
	got := make(chan bool)
	go func() { got <- other.take(done) }()
	select {
	case ok := <-got:
		if !ok {
			t.Fatal("take failed")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a stuck reader kept the only turn")
	}
	close(done)
	if <-result {
		t.Fatal("an offer nobody took reported success")
	}
	if stuck.held {
		t.Fatal("the stuck offer still holds a turn")
	}
}
