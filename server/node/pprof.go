package node

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/stockmesh/stockmesh/server/jobq"
)

// pprofServer serves Go's profiles over plain HTTP; a nil *pprofServer
// serves nothing.
type pprofServer struct {
	ln  net.Listener
	srv *http.Server
}

// listenPprof listens for profile requests on addr, which must be a
// loopback HOST:PORT as the job queue's tcp addresses are (port 0 is
// refused: the port it picked would be reported nowhere): profiles reveal
// internals and carry no authentication. An empty addr returns nil.
func listenPprof(addr string) (*pprofServer, error) {
	if addr == "" {
		return nil, nil
	}
	if err := jobq.CheckAddr("tcp://" + addr); err != nil {
		return nil, fmt.Errorf("checking --pprof %q: want a loopback HOST:PORT: %w", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening for pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	return &pprofServer{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}}, nil
}

// Serve serves profiles until ctx is done; it returns an error only when
// serving fails before.
func (p *pprofServer) Serve(ctx context.Context) error {
	if p == nil {
		return nil
	}
	stop := context.AfterFunc(ctx, func() { p.srv.Close() })
	defer stop()
	if err := p.srv.Serve(p.ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving pprof: %w", err)
	}
	return nil
}

// Close stops serving, or releases the listener when Serve never ran.
func (p *pprofServer) Close() {
	if p != nil {
		p.srv.Close()
		p.ln.Close()
	}
}
