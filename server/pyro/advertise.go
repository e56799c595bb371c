package pyro

import (
	"fmt"
	"net"
)

// advertised is the URI of object at a listener address. A listener on an
// unspecified address (0.0.0.0, ::) is advertised under the first
// non-loopback interface address, else 127.0.0.1, so that the URI is one a
// client can dial.
func advertised(object string, addr net.Addr) (URI, error) {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return URI{}, fmt.Errorf("pyro: listener address %v is not TCP", addr)
	}
	host := ta.IP.String()
	if ta.IP.IsUnspecified() {
		host = interfaceIP()
	}
	return URI{Object: object, Host: host, Port: ta.Port}, nil
}

// interfaceIP returns the first up, non-loopback IPv4 address, or 127.0.0.1.
func interfaceIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "127.0.0.1"
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	return "127.0.0.1"
}
