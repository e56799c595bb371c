package jobq

import (
	"errors"
	"testing"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		name string
		addr string
		ok   bool
	}{
		{"inproc", "inproc://jobs", true},
		{"ipc", "ipc:///run/stockmesh/jobs", true},
		{"tcp loopback", "tcp://127.0.0.1:5555", true},
		{"tcp loopback range", "tcp://127.1.2.3:5555", true},
		{"tcp localhost", "tcp://localhost:5555", true},
		{"tcp ipv6 loopback", "tcp://[::1]:5555", true},
		{"tcp private", "tcp://10.0.0.1:5555", false},
		{"tcp any", "tcp://0.0.0.0:5555", false},
		{"tcp wildcard", "tcp://*:5555", false},
		{"tcp ipv6 any", "tcp://[::]:5555", false},
		{"tcp interface name", "tcp://lo:5555", false},
		{"tcp hostname", "tcp://example.com:5555", false},
		{"tcp ephemeral port", "tcp://127.0.0.1:*", false},
		{"tcp port zero", "tcp://127.0.0.1:0", false},
		{"tcp port too big", "tcp://127.0.0.1:65536", false},
		{"tcp no port", "tcp://127.0.0.1", false},
		{"tcp source address", "tcp://127.0.0.1:5555;10.0.0.1:5555", false},
		{"empty inproc", "inproc://", false},
		{"empty ipc", "ipc://", false},
		{"pgm", "pgm://127.0.0.1;239.192.1.1:5555", false},
		{"no scheme", "127.0.0.1:5555", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAddr(tt.addr)
			if tt.ok && err != nil {
				t.Errorf("CheckAddr(%q) = %v, want nil", tt.addr, err)
			}
			if !tt.ok && !errors.Is(err, ErrBadAddr) {
				t.Errorf("CheckAddr(%q) = %v, want ErrBadAddr", tt.addr, err)
			}
		})
	}
}

func TestEventsAddr(t *testing.T) {
	tests := []struct {
		name string
		addr string
		want string // "" means an error is expected
	}{
		{"inproc", "inproc://jobs", "inproc://jobs.events"},
		{"ipc", "ipc:///tmp/q", "ipc:///tmp/q.events"},
		{"tcp", "tcp://127.0.0.1:5555", "tcp://127.0.0.1:5556"},
		{"tcp localhost", "tcp://localhost:9", "tcp://localhost:10"},
		{"tcp ipv6", "tcp://[::1]:5555", "tcp://[::1]:5556"},
		{"tcp last port", "tcp://127.0.0.1:65535", ""},
		{"tcp not loopback", "tcp://10.0.0.1:5555", ""},
		{"bad scheme", "udp://127.0.0.1:5555", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EventsAddr(tt.addr)
			if tt.want == "" {
				if err == nil {
					t.Errorf("EventsAddr(%q) = %q, want an error", tt.addr, got)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("EventsAddr(%q) = %q, %v, want %q", tt.addr, got, err, tt.want)
			}
		})
	}
}
