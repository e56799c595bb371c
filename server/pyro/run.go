package pyro

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// Run serves the object daemon, the embedded name server and the
// registration loop until ctx is done, then closes the listeners and every
// connection and returns nil. It returns an error early only when a
// listener fails. Run must be called once.
func (s *Server) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.running {
		s.mu.Unlock()
		return errors.New("pyro: Run called twice")
	}
	s.running = true
	s.mu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	s.goServe(ctx, s.objLn, s.obj, errc)
	if s.nsLn != nil {
		s.goServe(ctx, s.nsLn, s.ns, errc)
	}
	if s.cfg.NameServer != "" {
		r := &registrar{ns: s.cfg.NameServer, name: ObjectName, uri: s.objURI, key: s.cfg.HMACKey,
			every: s.cfg.RegisterInterval, log: s.log}
		s.wg.Add(1)
		go func() { defer s.wg.Done(); r.run(ctx) }()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	s.shutdown()
	return err
}

// goServe starts the accept loop of ln for d.
func (s *Server) goServe(ctx context.Context, ln net.Listener, d *daemon, errc chan<- error) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.accept(ctx, ln, d); err != nil {
			errc <- err
		}
	}()
}

// accept hands each connection of ln to its own goroutine until ln closes.
func (s *Server) accept(ctx context.Context, ln net.Listener, d *daemon) error {
	delay := 5 * time.Millisecond
	for {
		nc, err := ln.Accept()
		if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
			if nc != nil {
				nc.Close()
			}
			return nil
		}
		if err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				time.Sleep(delay) // back off on transient errors such as EMFILE
				continue
			}
			return fmt.Errorf("accepting pyro connections on %s: %w", ln.Addr(), err)
		}
		if !s.track(nc) {
			nc.Close()
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.untrack(nc)
			d.serve(ctx, nc)
		}()
	}
}

// track records nc for shutdown; it refuses it past MaxConns.
func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) >= MaxConns || s.conns == nil {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *Server) untrack(nc net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.conns, nc)
}

// shutdown closes the listeners and all connections and waits for their
// goroutines.
func (s *Server) shutdown() {
	s.objLn.Close()
	if s.nsLn != nil {
		s.nsLn.Close()
	}
	s.mu.Lock()
	for nc := range s.conns {
		nc.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	s.wg.Wait()
}
