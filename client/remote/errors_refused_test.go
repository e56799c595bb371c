package remote

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
)

// TestNotSentOnRefusal checks that a refused connection, as the HTTP client
// wraps it, is told apart by its errno rather than its English text, and
// that an error after sending is not.
func TestNotSentOnRefusal(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: the kernel refuses
	_, refused := http.Get("http://" + addr + "/")
	if refused == nil {
		t.Fatal("a request to a closed port succeeded")
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"refused by the kernel", refused, true},
		{"refused, wrapped again", fmt.Errorf("calling the node: %w", refused), true},
		{"another error with the same words", errors.New("the node said: connection refused"), false},
	} {
		if got := notSent(tc.err); got != tc.want {
			t.Errorf("%s: notSent(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}
