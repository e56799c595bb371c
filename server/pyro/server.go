package pyro

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// MaxConns bounds the connections each listener of a Server serves at
// once (the object daemon's, the embedded name server's). A connection
// past it evicts the one waiting longest for its CONNECT, else the one idle
// longest; when all are busy in a call it is closed on accept.
const MaxConns = 1024

// Config configures a Server. Listen is required; the rest is optional.
type Config struct {
	Listen     string // host:port for the object daemon, e.g. 127.0.0.1:9091 (port 0 allowed in tests)
	NameServer string // existing Pyro4 NS to register in ("" = none)
	EmbeddedNS string // host:port to run our own NS on ("" = none); may equal Listen
	HMACKey    []byte // optional; clients must then set the same key
	// Classify returns an Inventory error's code (one of internal/api's,
	// such as api.CodeNotFound) or anything else for an internal error.
	// The node passes stock.CodeOf as a string.
	Classify func(error) string
	Logger   *slog.Logger
	// RegisterInterval is how often the registration in NameServer is
	// checked and renewed; 0 means 5 s.
	RegisterInterval time.Duration
}

// Server serves inventario.servicio over the Pyro4 protocol and, as
// configured, an embedded name server and the registration in an external one.
type Server struct {
	cfg     Config
	log     *slog.Logger
	objLn   net.Listener
	nsLn    net.Listener // nil without an embedded NS on its own port
	obj     *daemon
	ns      *daemon // nil without an embedded NS on its own port
	objURI  URI
	mu      sync.Mutex
	conns   map[net.Listener]map[*tracked]struct{} // per listener
	evicted atomic.Uint64
	wg      sync.WaitGroup
	running bool
}

// NewServer listens on cfg.Listen (and cfg.EmbeddedNS) and prepares the
// objects; it closes what it opened when it fails.
func NewServer(cfg Config, inv Inventory) (*Server, error) {
	if cfg.Listen == "" || inv == nil || cfg.Classify == nil {
		return nil, errors.New("pyro: Listen, an Inventory and Classify are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RegisterInterval <= 0 {
		cfg.RegisterInterval = 5 * time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Logger, conns: map[net.Listener]map[*tracked]struct{}{}}
	var err error
	if s.objLn, err = net.Listen("tcp", cfg.Listen); err != nil {
		return nil, fmt.Errorf("listening for pyro on %s: %w", cfg.Listen, err)
	}
	if s.objURI, err = advertised(ObjectName, s.objLn.Addr()); err != nil {
		s.objLn.Close()
		return nil, err
	}
	objects := map[string]object{ObjectName: &inventoryObject{inv: inv, classify: cfg.Classify, log: s.log}}
	if err := s.setupNS(objects); err != nil {
		s.objLn.Close()
		return nil, err
	}
	s.obj = newDaemon(objects, cfg.HMACKey, s.log)
	return s, nil
}

// setupNS creates the embedded name server, on the object listener when
// EmbeddedNS equals Listen, else on its own listener.
func (s *Server) setupNS(objects map[string]object) error {
	if s.cfg.EmbeddedNS == "" {
		return nil
	}
	ln := s.objLn
	if s.cfg.EmbeddedNS != s.cfg.Listen {
		var err error
		if ln, err = net.Listen("tcp", s.cfg.EmbeddedNS); err != nil {
			return fmt.Errorf("listening for the pyro name server on %s: %w", s.cfg.EmbeddedNS, err)
		}
	}
	self, err := advertised(NameServerName, ln.Addr())
	if err != nil {
		if ln != s.objLn {
			ln.Close()
		}
		return err
	}
	ns := newNameServer(self)
	ns.Register(ObjectName, s.objURI)
	if ln == s.objLn {
		objects[NameServerName] = ns
		return nil
	}
	s.nsLn = ln
	s.ns = newDaemon(map[string]object{NameServerName: ns}, s.cfg.HMACKey, s.log)
	return nil
}

// Addr returns the address of the object daemon's listener.
func (s *Server) Addr() net.Addr { return s.objLn.Addr() }

// NSAddr returns the embedded name server's address, or nil without one.
func (s *Server) NSAddr() net.Addr {
	switch {
	case s.nsLn != nil:
		return s.nsLn.Addr()
	case s.cfg.EmbeddedNS != "":
		return s.objLn.Addr()
	}
	return nil
}

// URI returns the URI inventario.servicio is registered under.
func (s *Server) URI() URI { return s.objURI }
