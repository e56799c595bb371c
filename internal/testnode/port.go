package testnode

import (
	"net"
	"strconv"
	"testing"
)

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// FreeAddr returns "127.0.0.1:PORT" for a port FreePort chose.
func FreeAddr(t testing.TB) string {
	return "127.0.0.1:" + strconv.Itoa(FreePort(t))
}

// FreeQueueAddr returns "tcp://127.0.0.1:PORT" for a job queue: PORT and
// PORT+1, which the queue takes for its events, were both free a moment
// ago.
func FreeQueueAddr(t testing.TB) string {
	t.Helper()
	for range 100 {
		p := FreePort(t)
		if p >= 65535 {
			continue
		}
		next, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		if err != nil {
			continue
		}
		next.Close()
		return "tcp://127.0.0.1:" + strconv.Itoa(p)
	}
	t.Fatal("no two free consecutive loopback ports")
	return ""
}
