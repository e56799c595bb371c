package jobq

import (
	"fmt"
	"strings"
	"time"

	zmq "github.com/pebbe/zmq4"
)

// reconnectIvl is how often a connecting socket retries a vanished peer.
const reconnectIvl = 100 * time.Millisecond

// sockOpt configures a socket before it binds or connects.
type sockOpt func(*zmq.Socket) error

// withLinger sets ZMQ_LINGER.
func withLinger(d time.Duration) sockOpt {
	return func(s *zmq.Socket) error { return s.SetLinger(d) }
}

// withImmediate sets ZMQ_IMMEDIATE, so sends fail at once while no peer is connected.
func withImmediate() sockOpt {
	return func(s *zmq.Socket) error { return s.SetImmediate(true) }
}

// withReconnect sets a short, constant reconnect interval.
func withReconnect() sockOpt {
	return func(s *zmq.Socket) error {
		if err := s.SetReconnectIvl(reconnectIvl); err != nil {
			return err
		}
		return s.SetReconnectIvlMax(0)
	}
}

// defaultHWM is zmq's default high-water mark, per peer and direction.
const defaultHWM = 1000

// withHWM sets the send and receive high-water marks to n messages, or zmq's default when that is larger.
func withHWM(n int) sockOpt {
	n = max(n, defaultHWM)
	return func(s *zmq.Socket) error {
		if err := s.SetSndhwm(n); err != nil {
			return err
		}
		return s.SetRcvhwm(n)
	}
}

// withIPv6For enables IPv6 when addr names an IPv6 host.
func withIPv6For(addr string) sockOpt {
	return func(s *zmq.Socket) error {
		if strings.HasPrefix(addr, "tcp://[") {
			return s.SetIpv6(true)
		}
		return nil
	}
}

// endpoint returns the zmq endpoint for a checked address: zmq binds only to IPs and interface names,
// so tcp://localhost:P becomes tcp://127.0.0.1:P, for binding and connecting alike.
func endpoint(addr string) string {
	if rest, ok := strings.CutPrefix(addr, "tcp://localhost:"); ok {
		return "tcp://127.0.0.1:" + rest
	}
	return addr
}

// newSocket creates a socket of type t with opts applied and then bound to (bind) or connected to addr
// (see endpoint). It closes the socket on every failed path.
func newSocket(t zmq.Type, addr string, bind bool, opts ...sockOpt) (*zmq.Socket, error) {
	s, err := zmq.NewSocket(t)
	if err != nil {
		return nil, fmt.Errorf("creating %v socket: %w", t, err)
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			s.Close()
			return nil, fmt.Errorf("configuring %v socket for %s: %w", t, addr, err)
		}
	}
	if bind {
		if err = s.Bind(endpoint(addr)); err == nil {
			err = secureIPCSocket(addr)
		}
	} else {
		err = s.Connect(endpoint(addr))
	}
	if err != nil {
		s.Close()
		if bind {
			return nil, fmt.Errorf("binding %v socket to %s: %w", t, addr, err)
		}
		return nil, fmt.Errorf("connecting %v socket to %s: %w", t, addr, err)
	}
	return s, nil
}
