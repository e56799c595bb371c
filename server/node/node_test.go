package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunEnds: Run returns nil when its ctx is done, and the handler's
// error when the in-process database handler fails while the node serves
// (it used to log the failure and answer UNAVAILABLE forever); either way
// the HTTPS port is closed when Run returns.
func TestRunEnds(t *testing.T) {
	injected := errors.New("queue socket failed (injected)")
	cases := []struct {
		name    string
		handler error // what the handler's Run returns once the node serves; nil: the test cancels Run
		want    string
	}{
		{"ctx done", nil, ""},
		{"handler fails", injected, "database handler stopped: queue socket failed (injected)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			serving := make(chan struct{})
			cfg := Config{DataDir: dir, Listen: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)}
			if c.handler != nil {
				cfg.hooks.workerRun = func(ctx context.Context, run func(context.Context) error) error {
					rctx, stop := context.WithCancel(ctx)
					defer stop()
					errc := make(chan error, 1)
					go func() { errc <- run(rctx) }()
					select {
					case <-serving:
					case <-ctx.Done():
					}
					stop() // the real handler ends; then it "fails"
					return errors.Join(<-errc, c.handler)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- Run(ctx, cfg) }()
			addr := waitAddr(t, dir, errc)
			close(serving)
			if c.handler == nil {
				cancel()
			}
			var err error
			select {
			case err = <-errc:
			case <-time.After(60 * time.Second):
				t.Fatal("Run did not return within 60s")
			}
			if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
				t.Fatalf("Run returned %v; want %q", err, c.want)
			}
			if c.handler != nil && !errors.Is(err, c.handler) {
				t.Fatalf("Run returned %v, which does not wrap the handler's error", err)
			}
			if conn, err := net.Dial("tcp", addr); err == nil {
				conn.Close()
				t.Fatalf("%s still accepts connections after Run returned", addr)
			}
		})
	}
}

// waitAddr waits until the node in dir has written the address it
// listens on, failing when Run returns first.
func waitAddr(t testing.TB, dir string, errc <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-errc:
			t.Fatalf("Run returned while starting: %v", err)
		default:
		}
		if b, err := os.ReadFile(filepath.Join(dir, AddrFile)); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the node did not listen within 60s")
	return ""
}
