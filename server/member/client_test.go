package member

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

// TestCallOutcome: a call that never reached the member is UNAVAILABLE
// (nothing was applied, safe to send again); one whose request the member
// read and whose answer was lost is OUTCOME_UNKNOWN, since the member may
// have acted on it.
func TestCallOutcome(t *testing.T) {
	read := make(chan struct{}, 1)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		read <- struct{}{}
		conn, _, err := http.NewResponseController(w).Hijack() // the member acts, then its answer is lost
		if err == nil {
			conn.Close()
		}
	}))
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "https://" + ln.Addr().String()
	ln.Close() // nothing listens there
	tests := []struct {
		name, base string
		want       stock.Code
	}{
		{"never reached", closed, stock.CodeUnavailable},
		{"answer lost", srv.URL, stock.CodeOutcomeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := postJSON(context.Background(), srv.Client(), tt.base, "/x", "", map[string]string{"a": "b"}, &struct{}{})
			if got := stock.CodeOf(err); got != tt.want {
				t.Fatalf("postJSON: %v (%s), want %s", err, got, tt.want)
			}
		})
	}
	select {
	case <-read:
	default:
		t.Fatal("the member never read the call whose answer was lost")
	}
}
