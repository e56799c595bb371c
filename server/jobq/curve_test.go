package jobq

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// tallyHandler echoes like echoHandler and counts the jobs it ran.
type tallyHandler struct{ ran atomic.Int64 }

func (h *tallyHandler) HandleWrites(jobs [][]byte) [][]byte {
	h.ran.Add(int64(len(jobs)))
	return echoHandler{}.HandleWrites(jobs)
}

func (h *tallyHandler) HandleRead(ctx context.Context, job []byte) []byte {
	h.ran.Add(1)
	return echoHandler{}.HandleRead(ctx, job)
}

// TestCurveRefusesStrangers: a worker and publisher on tcp:// with Keys run no job from, and send no
// event to, a socket without the client's keys (a raw DEALER as any local user could open, or one with
// keys of its own), while a Client and Subscriber holding the keys are served. Before CURVE, a raw
// job from any local user ran (it minted an admin token).
func TestCurveRefusesStrangers(t *testing.T) {
	keys, err := GenerateKeys()
	if err != nil {
		t.Skipf("no CURVE: %v", err)
	}
	other, err := GenerateKeys()
	if err != nil {
		t.Fatal(err)
	}
	addr := testAddr(t, "tcp")
	h := &tallyHandler{}
	startWorker(t, WorkerConfig{Addr: addr, Keys: &keys}, h)
	strangers := []struct {
		name string
		opt  sockOpt
	}{
		{"no keys", withCurveClient(nil)},
		{"its own keys", withCurveClient(&Keys{Server: keys.Server, Client: other.Client})},
		{"a wrong server key", withCurveClient(&Keys{Server: other.Server, Client: keys.Client})},
	}
	for _, s := range strangers {
		t.Run(s.name, func(t *testing.T) {
			refused := ZAPRefused()
			raw, err := newSocket(zmq.DEALER, addr, false, withLinger(0), s.opt)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.SendMessage(append(rawHeader(1, byte(Write)), "mint"...)); err != nil {
				t.Fatalf("sending: %v", err)
			}
			poller := zmq.NewPoller()
			poller.Add(raw, zmq.POLLIN)
			if polled, _ := poller.Poll(2 * time.Second); len(polled) > 0 {
				t.Fatal("the worker answered a socket without the client's keys")
			}
			if n := h.ran.Load(); n != 0 {
				t.Fatalf("the worker ran %d jobs from a socket without the client's keys", n)
			}
			if s.name == "its own keys" && ZAPRefused() == refused {
				t.Error("the ZAP handler counted no refusal")
			}
		})
	}
	t.Run("the client's keys", func(t *testing.T) {
		c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong, Keys: &keys})
		doEventually(t, c, "a reply with the right keys")
	})
	t.Run("events", func(t *testing.T) {
		evAddr, _ := EventsAddr(addr)
		p, err := NewPublisher(evAddr, nil, 0, &keys)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close()
		stranger, err := NewSubscriber(evAddr, nil, &Keys{Server: keys.Server, Client: other.Client})
		if err != nil {
			t.Fatal(err)
		}
		defer stranger.Close()
		s, err := NewSubscriber(evAddr, nil, &keys)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		receiveEventually(t, p, s, "x")
		select {
		case ev := <-stranger.C():
			t.Fatalf("a subscriber with other keys received %q", ev)
		default:
		}
	})
}

// TestIPCSocketIsPrivate: a worker's ipc:// socket files are open to this user only, even in a folder
// others may enter and under a lax umask.
func TestIPCSocketIsPrivate(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	addr := "ipc://" + filepath.Join(dir, "q")
	startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
	evAddr, _ := EventsAddr(addr)
	p, err := NewPublisher(evAddr, nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, f := range []string{"q", "q.events"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("socket %s has mode %v, want no access for group and others", f, fi.Mode().Perm())
		}
	}
}
