package pyro

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/internal/wait"
)

// Run serves the object daemon, the embedded name server and the
// registration loop until ctx is done, then closes the listeners and every
// connection, waits for their goroutines and returns nil. It returns an
// error only when called a second time.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("pyro: Run called twice")
	}
	s.running = true
	s.mu.Unlock()
	s.goServe(ctx, s.objLn, s.obj)
	if s.nsLn != nil {
		s.goServe(ctx, s.nsLn, s.ns)
	}
	if s.cfg.NameServer != "" {
		r := &registrar{ns: s.cfg.NameServer, name: ObjectName, uri: s.objURI, key: s.cfg.HMACKey,
			every: s.cfg.RegisterInterval, log: s.log}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); r.run(ctx) }()
	}
	<-ctx.Done()
	s.shutdown()
	return nil
}

// goServe starts the accept loop of ln for d.
func (s *Server) goServe(ctx context.Context, ln net.Listener, d *daemon) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.accept(ctx, ln, d)
	}()
}

// accept hands each connection of ln to its own goroutine until ln closes.
// Accept errors other than the listener closing (such as EMFILE) are
// logged and retried with a growing delay, up to one second.
func (s *Server) accept(ctx context.Context, ln net.Listener, d *daemon) {
	b := backoff.Backoff{First: 5 * time.Millisecond, Max: time.Second}
	for {
		nc, err := ln.Accept()
		if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
			if nc != nil {
				nc.Close()
			}
			return
		}
		if err != nil {
			delay := b.Next()
			s.log.Warn("accepting pyro connection", "addr", ln.Addr().String(), "err", err, "retry_in", delay)
			if wait.For(ctx, delay) != nil {
				return
			}
			continue
		}
		b.Reset()
		t := s.track(ln, nc)
		if t == nil {
			nc.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(ln, t)
			d.serve(ctx, t)
		}()
	}
}

// track records nc, accepted on ln, for shutdown and eviction; past
// MaxConns on ln it evicts a connection (see evictable), or returns nil
// when all are busy.
func (s *Server) track(ln net.Listener, nc net.Conn) *tracked {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns == nil {
		return nil
	}
	conns := s.conns[ln]
	if conns == nil {
		conns = map[*tracked]struct{}{}
		s.conns[ln] = conns
	}
	if len(conns) >= MaxConns {
		old := evictable(conns)
		if old == nil {
			return nil
		}
		old.nc.Close()
		delete(conns, old)
		s.evicted.Add(1)
	}
	t := &tracked{nc: nc}
	t.setState(stateHandshake)
	conns[t] = struct{}{}
	return t
}

// untrack forgets t once its connection has ended.
func (s *Server) untrack(ln net.Listener, t *tracked) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns[ln], t)
}

// Evicted returns how many connections were closed to make room for new ones.
func (s *Server) Evicted() uint64 { return s.evicted.Load() }

// shutdown closes the listeners and all connections and waits for their
// goroutines.
func (s *Server) shutdown() {
	s.objLn.Close()
	if s.nsLn != nil {
		s.nsLn.Close()
	}
	s.mu.Lock()
	for _, conns := range s.conns {
		for t := range conns {
			t.nc.Close()
		}
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
}
