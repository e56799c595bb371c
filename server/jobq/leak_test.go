package jobq

import (
	"context"
	"runtime"
	"testing"
)

func TestNoGoroutineLeak(t *testing.T) {
	for _, kind := range []string{"inproc", "tcp"} {
		t.Run(kind, func(t *testing.T) {
			base := runtime.NumGoroutine()
			func() {
				addr := testAddr(t, kind)
				_, stop := startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
				c, err := NewClient(ClientConfig{Addr: addr, Timeout: waitLong})
				if err != nil {
					t.Fatalf("NewClient: %v", err)
				}
				doEventually(t, c, "a reply")
				if _, err := c.Do(context.Background(), Read, []byte("x")); err != nil {
					t.Errorf("Do: %v", err)
				}
				evAddr, _ := EventsAddr(addr)
				p, err := NewPublisher(evAddr, nil, 0, nil)
				if err != nil {
					t.Fatalf("NewPublisher: %v", err)
				}
				s, err := NewSubscriber(evAddr, nil, nil)
				if err != nil {
					t.Fatalf("NewSubscriber: %v", err)
				}
				receiveEventually(t, p, s, "x")
				c.Close()
				stop()
				p.Close()
				s.Close()
			}()
			eventually(t, "goroutines back to the baseline", func() bool {
				return runtime.NumGoroutine() <= base
			})
		})
	}
}
