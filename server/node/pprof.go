package node

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/stockmesh/stockmesh/server/jobq"
)

// servePprof serves Go's profiles over plain HTTP on addr, which must be a
// loopback HOST:PORT as the job queue's tcp addresses are (port 0 is
// refused: the port it picked would be reported nowhere): profiles reveal
// internals and carry no authentication. It stops when ctx is done.
func servePprof(ctx context.Context, addr string) error {
	if err := jobq.CheckAddr("tcp://" + addr); err != nil {
		return fmt.Errorf("checking --pprof %q: want a loopback HOST:PORT: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening for pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); srv.Close() }()
	return nil
}
