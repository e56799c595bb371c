package jobq

import (
	"context"
	"testing"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// TestMalformedJobs checks that a worker refuses unknown classes, drops malformed messages, and keeps
// serving. The raw DEALER socket belongs to the test goroutine alone.
func TestMalformedJobs(t *testing.T) {
	addr := testAddr(t, "inproc")
	startWorker(t, WorkerConfig{Addr: addr}, echoHandler{})
	raw, err := newSocket(zmq.DEALER, addr, false, withLinger(0))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()

	tests := []struct {
		name   string
		frames [][]byte
		want   byte // expected reply status; 0xff means no reply
	}{
		{"short header", [][]byte{[]byte("garbage")}, 0xff},
		{"two frames", [][]byte{rawHeader(6, byte(Read)), []byte("x")}, 0xff},
		{"unknown class", [][]byte{append(rawHeader(7, 9), 'x')}, statusUnavailable},
		{"valid", [][]byte{append(rawHeader(8, byte(Read)), 'x')}, statusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := raw.SendMessage(tt.frames); err != nil {
				t.Fatalf("sending: %v", err)
			}
			if tt.want == 0xff {
				return // the next case's reply proves the worker skipped this one
			}
			poller := zmq.NewPoller()
			poller.Add(raw, zmq.POLLIN)
			if polled, err := poller.Poll(waitLong); err != nil || len(polled) == 0 {
				t.Fatalf("no reply (%v)", err)
			}
			msg, err := raw.RecvMessageBytes(0)
			if err != nil {
				t.Fatalf("receiving: %v", err)
			}
			id, status, ok := parseHeader(msg[0])
			wantID, _, _ := parseHeader(tt.frames[0])
			if len(msg) != 1 || !ok || id != wantID || status != tt.want {
				t.Errorf("reply %q, want one frame with id %d status %d", msg, wantID, tt.want)
			}
		})
	}

	c := newTestClient(t, ClientConfig{Addr: addr, Timeout: waitLong})
	ctx, cancel := context.WithTimeout(context.Background(), waitLong)
	defer cancel()
	if got, err := c.Do(ctx, Write, []byte("ok")); err != nil || string(got) != "w:ok" {
		t.Errorf("Do after malformed jobs = %q, %v", got, err)
	}
}

// rawHeader returns a job header with id, class and a deadline a minute away.
func rawHeader(id uint64, class byte) []byte {
	var h [headerLen]byte
	putHeader(&h, id, time.Now().Add(time.Minute), class)
	return h[:]
}
