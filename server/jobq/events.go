package jobq

import (
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	zmq "github.com/pebbe/zmq4"

	"github.com/stockmesh/stockmesh/internal/wait"
)

// eventBuffer is how many events a Publisher (by default) or Subscriber holds between its caller and its
// socket.
const eventBuffer = 4096

// Publisher broadcasts committed-change events on a PUB socket bound at its address. One goroutine owns
// the socket; Publish hands it messages through a bounded channel.
type Publisher struct {
	addr      string
	log       *slog.Logger
	msgs      chan []byte
	dropped   atomic.Uint64
	quit      chan struct{}
	done      chan struct{}
	wake      func() // ends the serving goroutine's wait
	closeOnce sync.Once
}

// NewPublisher validates addr with CheckAddr and binds a PUB socket there (see EventsAddr); Publish
// buffers up to buffer messages (eventBuffer when 0). With keys, only Subscribers holding them receive
// (see Keys). It closes the socket when it fails.
func NewPublisher(addr string, logger *slog.Logger, buffer int, keys *Keys) (*Publisher, error) {
	if buffer <= 0 {
		buffer = eventBuffer
	}
	if err := CheckAddr(addr); err != nil {
		return nil, fmt.Errorf("creating publisher: %w", err)
	}
	pub, err := newSocket(zmq.PUB, addr, true, withLinger(0), withIPv6For(addr), withCurveServer(keys))
	if err != nil {
		return nil, fmt.Errorf("creating publisher: %w", err)
	}
	p := &Publisher{
		addr: addr, log: loggerOrDiscard(logger),
		msgs: make(chan []byte, buffer),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	go p.serve(pub)
	return p, nil
}

// Publish queues msg for every connected Subscriber. It never blocks: when the buffer is full, or the
// Publisher is closed, msg is dropped and counted. Subscribers that are slow or not yet connected miss
// messages (zmq drops them too); msg must not be modified afterwards.
func (p *Publisher) Publish(msg []byte) {
	if wait.Closed(p.quit) {
		p.dropped.Add(1)
		return
	}
	select {
	case p.msgs <- msg:
	default:
		p.dropped.Add(1)
	}
}

// Dropped returns how many messages Publish has dropped so far.
func (p *Publisher) Dropped() uint64 {
	return p.dropped.Load()
}

// Close stops the Publisher after sending what is buffered, and closes its socket; zmq releases the
// address shortly afterwards. A message published concurrently with Close may be lost uncounted. It is
// safe to call more than once.
func (p *Publisher) Close() error {
	p.closeOnce.Do(func() { close(p.quit) })
	<-p.done
	return nil
}

// serve owns pub and sends each queued message without blocking.
func (p *Publisher) serve(pub *zmq.Socket) {
	defer close(p.done)
	defer pub.Close()
	for {
		select {
		case msg := <-p.msgs:
			p.send(pub, msg)
		case <-p.quit:
			for {
				select {
				case msg := <-p.msgs:
					p.send(pub, msg)
				default:
					return
				}
			}
		}
	}
}

// send sends msg on pub; a PUB socket drops rather than blocks, so errors are unexpected.
func (p *Publisher) send(pub *zmq.Socket, msg []byte) {
	if _, err := pub.SendBytes(msg, zmq.DONTWAIT); err != nil && !isAgain(err) {
		p.log.Warn("publishing event", "addr", p.addr, "err", err)
		p.dropped.Add(1)
	}
}

// Subscriber receives the events of a Publisher (SUB socket, owned by one goroutine). It reconnects by
// itself when the publisher's process restarts; events published meanwhile are lost.
type Subscriber struct {
	addr      string
	log       *slog.Logger
	out       chan []byte
	quit      chan struct{}
	done      chan struct{}
	wake      func() // ends the serving goroutine's wait
	closeOnce sync.Once
}

// NewSubscriber validates addr with CheckAddr and connects a SUB socket to it, subscribed to everything.
// Connecting succeeds whether or not a publisher is bound there yet; with keys, only to a Publisher
// holding them (see Keys). It closes the socket when it fails.
func NewSubscriber(addr string, logger *slog.Logger, keys *Keys) (*Subscriber, error) {
	if err := CheckAddr(addr); err != nil {
		return nil, fmt.Errorf("creating subscriber: %w", err)
	}
	subscribeAll := func(s *zmq.Socket) error { return s.SetSubscribe("") }
	sub, err := newSocket(zmq.SUB, addr, false, withLinger(0), withReconnect(), withIPv6For(addr), withCurveClient(keys), subscribeAll)
	if err != nil {
		return nil, fmt.Errorf("creating subscriber: %w", err)
	}
	w, err := newWaiter(sub)
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("creating subscriber: %w", err)
	}
	s := &Subscriber{
		addr: addr, log: loggerOrDiscard(logger),
		out:  make(chan []byte, eventBuffer),
		quit: make(chan struct{}),
		done: make(chan struct{}),
		wake: w.wake,
	}
	go s.serve(sub, w)
	return s, nil
}

// C returns the channel of received events. It is closed after Close. A reader that falls behind makes
// the subscriber stop receiving; zmq then drops events for it, never stalling the publisher.
func (s *Subscriber) C() <-chan []byte {
	return s.out
}

// Close stops receiving, closes the socket and then C. It is safe to call more than once.
func (s *Subscriber) Close() error {
	s.closeOnce.Do(func() {
		close(s.quit)
		s.wake()
	})
	<-s.done
	return nil
}

// serve owns sub: it forwards each message to out until quit is closed,
// sleeping in Go's network poller in between (see waiter): a goroutine
// parked in zmq_poll would keep the runtime's sysmon thread waking a
// hundred times a second on an idle node.
func (s *Subscriber) serve(sub *zmq.Socket, w *waiter) {
	defer close(s.done)
	defer close(s.out)
	defer sub.Close()
	defer w.close()
	for !wait.Closed(s.quit) {
		w.arm(idlePoll)
		if !s.forward(sub) || wait.Closed(s.quit) {
			return
		}
		if err := w.wait(); err != nil {
			s.log.Error("waiting for events; stopping", "addr", s.addr, "err", err)
			return
		}
	}
}

// forward moves the waiting messages, up to maxRecvRound, from sub to out; it reports false on quit.
func (s *Subscriber) forward(sub *zmq.Socket) bool {
	for range maxRecvRound {
		msg, err := sub.RecvBytes(zmq.DONTWAIT)
		if err != nil {
			return true
		}
		select {
		case s.out <- msg:
		case <-s.quit:
			return false
		}
	}
	return true
}
