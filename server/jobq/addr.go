package jobq

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// CheckAddr reports an error wrapping ErrBadAddr for addresses the queue must not use: anything but
// inproc://NAME, ipc://PATH, or tcp://HOST:PORT where HOST is a loopback IP (127.0.0.0/8, ::1) or
// localhost and PORT is a number from 1 to 65535. Over tcp:// only Keys authenticate the peers (any
// local user can connect); an ipc:// socket file is made 0600 once bound (secureIPCSocket), and the
// node's processes run with umask 077, so it is never open to others even briefly.
func CheckAddr(addr string) error {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok {
		return fmt.Errorf("checking address %q: no scheme: %w", addr, ErrBadAddr)
	}
	switch scheme {
	case "inproc", "ipc":
		if rest == "" {
			return fmt.Errorf("checking address %q: empty %s name: %w", addr, scheme, ErrBadAddr)
		}
		return nil
	case "tcp":
		if _, _, err := splitLoopback(rest); err != nil {
			return fmt.Errorf("checking address %q: %w", addr, err)
		}
		return nil
	default:
		return fmt.Errorf("checking address %q: scheme %q: %w", addr, scheme, ErrBadAddr)
	}
}

// splitLoopback splits HOST:PORT, requiring a loopback host and a port in 1..65535.
func splitLoopback(hostport string) (host string, port uint16, err error) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return "", 0, fmt.Errorf("%w: %w", err, ErrBadAddr)
	}
	n, err := strconv.ParseUint(p, 10, 16)
	if err != nil || n == 0 {
		return "", 0, fmt.Errorf("port %q: %w", p, ErrBadAddr)
	}
	if host == "localhost" {
		return host, uint16(n), nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" || !ip.Unmap().IsLoopback() {
		return "", 0, fmt.Errorf("host %q is not a loopback IP: %w", host, ErrBadAddr)
	}
	return host, uint16(n), nil
}

// EventsAddr derives the address of the event PUB socket from the queue address: inproc://x becomes
// inproc://x.events, ipc://p becomes ipc://p.events and tcp://127.0.0.1:P becomes tcp://127.0.0.1:P+1.
// It returns an error for addresses CheckAddr refuses and for tcp port 65535.
func EventsAddr(queueAddr string) (string, error) {
	if err := CheckAddr(queueAddr); err != nil {
		return "", err
	}
	scheme, rest, _ := strings.Cut(queueAddr, "://")
	if scheme != "tcp" {
		return queueAddr + ".events", nil
	}
	host, port, _ := splitLoopback(rest)
	if port == 65535 {
		return "", fmt.Errorf("deriving events address from %q: no port after 65535: %w", queueAddr, ErrBadAddr)
	}
	return "tcp://" + net.JoinHostPort(host, strconv.Itoa(int(port)+1)), nil
}

// secureIPCSocket makes the socket file of an ipc:// address readable and writable by this user only
// (connecting to a Unix socket needs write permission on it), as soon as it is bound: anyone who can
// connect can send jobs. Other addresses have no file.
func secureIPCSocket(addr string) error {
	path, ok := strings.CutPrefix(addr, "ipc://")
	if !ok {
		return nil
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("making the socket %s private: %w", path, err)
	}
	return nil
}
