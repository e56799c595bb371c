package jobq

import (
	"fmt"
	"testing"
	"time"
)

// receiveEventually publishes on p until s receives a message (subscriptions propagate asynchronously)
// and returns the first one received.
func receiveEventually(t *testing.T, p *Publisher, s *Subscriber, msg string) string {
	t.Helper()
	deadline := time.After(waitLong)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		p.Publish([]byte(msg))
		select {
		case got := <-s.C():
			return string(got)
		case <-tick.C:
		case <-deadline:
			t.Fatalf("no event received from %s", msg)
		}
	}
}

func TestPublishSubscribe(t *testing.T) {
	for _, kind := range []string{"inproc", "ipc", "tcp"} {
		t.Run(kind, func(t *testing.T) {
			addr, err := EventsAddr(testAddr(t, kind))
			if err != nil {
				t.Fatal(err)
			}
			p, err := NewPublisher(addr, nil, 0, nil)
			if err != nil {
				t.Fatalf("NewPublisher: %v", err)
			}
			defer p.Close()
			s, err := NewSubscriber(addr, nil, nil)
			if err != nil {
				t.Fatalf("NewSubscriber: %v", err)
			}
			if got := receiveEventually(t, p, s, "changed"); got != "changed" {
				t.Errorf("received %q, want %q", got, "changed")
			}
			s.Close()
			for range s.C() { // drains what was buffered; ends because Close closed C
			}
		})
	}
}

func TestSubscriberSurvivesPublisherRestart(t *testing.T) {
	addr := testAddr(t, "tcp")
	s, err := NewSubscriber(addr, nil, nil)
	if err != nil {
		t.Fatalf("NewSubscriber: %v", err)
	}
	defer s.Close()
	for i := range 2 {
		var p *Publisher
		eventually(t, "binding the publisher's address", func() bool {
			var err error
			p, err = NewPublisher(addr, nil, 0, nil) // zmq releases a closed socket's address asynchronously
			return err == nil
		})
		msg := fmt.Sprintf("from publisher %d", i)
		// Earlier messages of the first publisher may still be buffered; skip them.
		for got := receiveEventually(t, p, s, msg); got != msg; got = receiveEventually(t, p, s, msg) {
		}
		p.Close()
	}
}

func TestPublishNeverBlocks(t *testing.T) {
	p, err := NewPublisher(testAddr(t, "inproc"), nil, 0, nil)
	if err != nil {
		t.Fatalf("NewPublisher: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 4 * eventBuffer { // nobody subscribes: everything is dropped somewhere, nothing waits
			p.Publish([]byte("nobody listens"))
		}
	}()
	select {
	case <-done:
	case <-time.After(waitLong):
		t.Fatal("Publish blocked")
	}
	p.Close()
	before := p.Dropped()
	p.Publish([]byte("after close"))
	if got := p.Dropped(); got != before+1 {
		t.Errorf("Dropped after publishing to a closed publisher = %d, want %d", got, before+1)
	}
}
