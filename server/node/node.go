// Package node wires one stockmesh node from its Config: the database
// handler (in process, or reached over the queue when it runs as its own
// process), the job queue client, the domain service, the event feed, and
// the HTTPS server with GraphQL, REST, metrics and the playground.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/internal/datalock"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/metrics"
	"github.com/stockmesh/stockmesh/server/netwatch"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/request"
	"github.com/stockmesh/stockmesh/server/rest"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/transfer"
)

// Config is everything a node is started with; stockmeshd fills it from
// flags and STOCKMESH_* variables.
type Config struct {
	DataDir string // database, TLS files and admin token (default ./data)
	Listen  string // HTTPS address (default :8443)
	ID      string // local warehouse id such as MAD-1 (default: the stored one, or WH-1)
	Name    string // local warehouse name
	Queue   string // job queue address: inproc:// (default, handler in process), ipc:// or loopback tcp:// (separate dbworker)
	// QueueKeys is the file of the CURVE keys of a tcp:// queue, which the
	// node and its dbworker share (default DataDir/QueueKeysFile).
	QueueKeys string
	TLSCert   string   // PEM certificate to serve; with TLSKey, replaces the generated one
	TLSKey    string   // PEM private key of TLSCert
	TLSSANs   []string // extra names for the generated certificate
	PProf     string   // loopback address to serve Go profiles on ("" = off)

	BodyTimeout time.Duration // the longest a request body may take to arrive (default DefaultBodyTimeout)
	// StocktakeAdminAbove is the variance value (absolute) above which
	// finalizing a stocktake needs an admin; nil: DefaultStocktakeAdminAbove,
	// zero: never.
	StocktakeAdminAbove *stock.Amount
	// SalesWindowDays is the window, in days, of the average daily sales
	// behind days of cover and replenishment plans (0: 30).
	SalesWindowDays int
	// Zone is the local warehouse's time zone: a lot expires at the end of
	// its day there (FEFO, expiringLots, lotExpiring); nil: the process's
	// (TZ).
	Zone *time.Location
	// MaxConnsPerAddress bounds the HTTPS connections one remote address
	// holds open at once (0: DefaultMaxConnsPerAddress; negative: none).
	MaxConnsPerAddress int

	Join      string // a member's base URL to join the network through ("" = start or keep a network)
	JoinToken string // the join token (see member.ParseToken)
	Advertise string // the base URL other members reach this node at (default https:// and the listen address)
	PeerProxy string // an HTTP CONNECT proxy URL for node-to-node calls ("" = direct)

	Pyro            string // host:port to serve the Pyro4 object inventario.servicio on ("" = off)
	PyroNS          string // an existing Pyro4 name server to register in
	PyroNSEmbedded  string // host:port to run a Pyro4-compatible name server on
	PyroHMACKeyFile string // file holding the Pyro4 HMAC key clients must use
	PyroRole        string // what Pyro4 clients, which carry no identity, may do: viewer, operator or admin (default admin)
	Logger          *slog.Logger

	hooks hooks // set by tests only
}

// hooks lets tests inject faults into a node; the zero value does nothing.
type hooks struct {
	// workerRun, when set, runs the in-process database handler: it gets
	// the handler's own Run and returns what Run should have.
	workerRun func(ctx context.Context, run func(context.Context) error) error
}

// Node file names inside DataDir.
const (
	AdminTokenFile = "admin.token" // the admin's bearer token, 0600
	AddrFile       = "node.addr"   // the address the node listens on, once listening
	NodeLockFile   = "node.lock"   // held by the node serving from DataDir (see DatabaseLockFile)
)

func (c *Config) setDefaults() {
	if c.DataDir == "" {
		c.DataDir = "data"
	}
	if c.Listen == "" {
		c.Listen = ":8443"
	}
	if c.MaxConnsPerAddress == 0 {
		c.MaxConnsPerAddress = DefaultMaxConnsPerAddress
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PyroRole == "" {
		c.PyroRole = string(auth.RoleAdmin)
	}
}

// embedded reports whether the database handler runs in this process.
func (c *Config) embedded() bool {
	return c.Queue == "" || strings.HasPrefix(c.Queue, "inproc://")
}

// Run starts the node and serves until ctx is done, then shuts down
// gracefully: it stops taking requests, lets in-flight ones and their jobs
// finish, and closes the database cleanly. Any part failing, at start or
// later (HTTPS, Pyro4, pprof, the event feed, the in-process database
// handler), stops every other part and Run returns its error. Run refuses
// a data folder another node serves (NodeLockFile).
func Run(ctx context.Context, cfg Config) (err error) {
	cfg.setDefaults()
	if err := secureDataDir(cfg.DataDir, cfg.TLSKey, cfg.PyroHMACKeyFile, cfg.QueueKeys); err != nil {
		return err
	}
	if cfg.Queue == "" {
		cfg.Queue = fmt.Sprintf("inproc://stockmesh-%d", time.Now().UnixNano())
	}
	if err := jobq.CheckAddr(cfg.Queue); err != nil {
		return fmt.Errorf("checking --queue: %w", err)
	}
	lock, err := datalock.Acquire(cfg.DataDir, NodeLockFile, "node")
	if err != nil {
		return err
	}
	defer lock.Release()
	pprof, err := listenPprof(cfg.PProf)
	if err != nil {
		return err
	}
	defer pprof.Close()
	hub := feed.NewHub(cfg.Logger)
	defer hub.Close()
	transfers, requests, netw := transfer.NewHub(), request.NewHub(), netwatch.New()
	var (
		w      *Worker
		client *jobq.Client
	)
	// The gauges are read only by /metrics, served once client (and w) are set.
	var live gauged // set by serve before /metrics is served
	gauges := metrics.Gauges{Subscriptions: func() int { return hub.Subscribers() + transfers.Watchers() + requests.Watchers() + netw.Watchers() }, SubscriptionExecutions: hub.Executions, JobsInFlight: func() int { return client.InFlight() },
		GapsRecovered: func() uint64 {
			if p := live.events.Load(); p != nil {
				return p.seq.Gaps()
			}
			return 0
		},
		TransferSettles: func() uint64 {
			if s := live.settler.Load(); s != nil {
				return s.Passes()
			}
			return 0
		}}
	if cfg.embedded() {
		gauges.QueueDepth = func() int { return w.Depth() }
		gauges.EventsDropped = func() uint64 { return w.EventsDropped() }
	}
	m := metrics.New(gauges)
	ctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)
	if cfg.embedded() {
		var stop func() error
		if w, stop, err = startHandler(ctx, cfg, m, fail); err != nil {
			return err
		}
		defer func() { // after serve: in-flight jobs finish first
			if werr := stop(); werr != nil {
				err = werr // the handler's failure is why everything else stopped
			}
		}()
	}
	keys, err := queueKeys(cfg.DataDir, cfg.QueueKeys, cfg.Queue)
	if err != nil {
		return err
	}
	if client, err = jobq.NewClient(jobq.ClientConfig{Addr: cfg.Queue, Logger: cfg.Logger, Keys: keys}); err != nil {
		return fmt.Errorf("connecting to the job queue: %w", err)
	}
	defer client.Close() // after serve, before the worker stops
	return serve(ctx, cfg, client, keys, hub, transfers, requests, netw, m, pprof, &live)
}

// gauged holds what serve starts that the metrics' gauges read.
type gauged struct {
	events  atomic.Pointer[pump]
	settler atomic.Pointer[transfer.Settler]
}

// startHandler starts the in-process database handler and runs it until
// the returned stop is called; stop returns nil, or the handler's error.
// When the handler fails before stop, it calls fail with its error, so that
// the node stops and exits rather than answering UNAVAILABLE forever.
func startHandler(ctx context.Context, cfg Config, m *metrics.Metrics, fail context.CancelCauseFunc) (w *Worker, stop func() error, err error) {
	wc := WorkerConfig{DataDir: cfg.DataDir, Queue: cfg.Queue, QueueKeys: cfg.QueueKeys, Observer: observer{m}, Logger: cfg.Logger,
		SalesWindowDays: cfg.SalesWindowDays, Zone: cfg.Zone, inNode: true}
	if w, err = StartWorker(wc); err != nil {
		return nil, nil, err
	}
	run := w.Run
	if h := cfg.hooks.workerRun; h != nil {
		run = func(ctx context.Context) error { return h(ctx, w.Run) }
	}
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	errc := make(chan error, 1)
	go func() {
		err := run(wctx)
		if err != nil {
			err = fmt.Errorf("database handler stopped: %w", err)
			fail(err)
		}
		errc <- err
	}()
	return w, func() error { cancel(); return <-errc }, nil
}

// serve runs everything above the queue client until ctx is done or one
// part fails, which stops the others. The HTTPS server has stopped before
// serve returns, and Run then closes the queue client.
func serve(ctx context.Context, cfg Config, client *jobq.Client, keys *jobq.Keys, hub *feed.Hub, transfers *transfer.Hub,
	requests *request.Hub, netw *netwatch.Watcher, m *metrics.Metrics, pprof *pprofServer, live *gauged) error {
	log := cfg.Logger
	ctx = auth.AsNode(ctx) // the node's own work; requests carry their callers' principals
	svc := stock.NewService(queue{client})
	svc.StocktakeAdminAbove = DefaultStocktakeAdminAbove
	if cfg.StocktakeAdminAbove != nil {
		svc.StocktakeAdminAbove = *cfg.StocktakeAdminAbove
	}
	svc.SalesWindowDays = cfg.SalesWindowDays
	svc.Zone = cfg.Zone
	learned, err := joinFirst(ctx, cfg, svc)
	if err != nil {
		return err
	}
	w, err := initWarehouse(ctx, svc, cfg)
	if err != nil {
		return err
	}
	if err := ensureAdminToken(ctx, svc, filepath.Join(cfg.DataDir, AdminTokenFile)); err != nil {
		return err
	}
	acc, err := newAccess(ctx, svc, m)
	if err != nil {
		return err
	}
	p, err := newPump(cfg.Queue, keys, hub, transfers, svc, log, []feed.HeadFollower{netw}, requests)
	if err != nil {
		return err
	}
	p.seq.SetLocal(w.ID)
	live.events.Store(p)
	log.Info("warehouse ready", "id", w.ID, "name", w.Name, "queue", cfg.Queue)
	net, tc, err := joinNetwork(ctx, cfg, svc, w, learned, m.MembershipRejected)
	if err != nil {
		p.sub.Close()
		return err
	}
	svc.Directory = directory(net)
	runPyro, err := startPyro(cfg, svc)
	if err != nil {
		p.sub.Close()
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	httpsDone := make(chan struct{})
	announce := func(url string) error { return net.Announce(gctx, url) }
	sync := peer.NewHandler(svc, p.watch, rest.WriteError, gctx.Done())
	desk := transfer.NewDesk(svc, transfers)
	settler := transfer.NewSettler(desk, log)
	live.settler.Store(settler)
	applier := transfer.NewApplier(desk, settler)
	applier.OnApplied(p.handOver)
	applier.OnDeparture(func(ctx context.Context, id string) {
		if err := net.Reload(ctx); err != nil {
			log.Warn("reloading the members after a departure", "id", id, "err", err)
		}
	})
	netw.SetSampler(func() map[string]string { return memberStates(net) })
	rep := peer.NewReplicator(w.ID, problemsPoke{applier, netw}, net.Client(), func() []peer.Member { return pullFrom(net, w.ID) }, log)
	rep.OnReject(func(reason stock.RejectReason) { m.SyncRejected(string(reason)) })
	sync.SetCaller(member.PeerID)
	rep.SetFollowers(func() []string { return sync.Followers(peer.FollowedFor) })
	net.SetLag(rep.Behind)
	net.OnHead(rep.Note)
	net.SetHeadSource(member.HeadSource{
		Seq: func() int64 { return p.watch.Head(w.ID) },
		Head: func(ctx context.Context) (*stock.Head, error) {
			hs, err := svc.Heads(auth.AsNode(ctx))
			if err != nil {
				return nil, err
			}
			h, ok := hs.Head(w.ID)
			if !ok {
				return nil, nil
			}
			return &h, nil
		},
	})
	g.Go(func() error {
		defer close(httpsDone)
		failing := func(host string) bool { return acc.failing(host) || net.JoinsFailing(host) }
		return serveHTTPS(gctx, cfg, routes(svc, hub, desk, m, net, sync, acc, log, requests, netw), tc, failing, m.ConnectionRefused, announce)
	})
	g.Go(func() error { return net.Run(gctx) })
	g.Go(func() error { return netw.Run(gctx) })
	g.Go(func() error { return rep.Run(gctx) })
	g.Go(func() error { return settler.Run(gctx) })
	g.Go(func() error { return p.run(httpsDone) })
	g.Go(func() error { return transfers.Follow(gctx, svc) })
	g.Go(func() error { return requests.Follow(gctx, svc) })
	g.Go(func() error { return runPyro(gctx) })
	g.Go(func() error { return pprof.Serve(gctx) })
	g.Go(func() error { svc.Reseal(gctx, resealBatch, resealIdle, log); return nil })
	g.Go(func() error { svc.RunExpiry(gctx, reservationIdle, log); return nil })
	return g.Wait()
}

// initWarehouse creates or confirms the local warehouse, waiting for a
// separate database handler to come up.
func initWarehouse(ctx context.Context, svc *stock.Service, cfg Config) (*stock.Warehouse, error) {
	b := backoff.Backoff{First: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.2}
	for {
		w, err := svc.InitWarehouse(ctx, cfg.ID, cfg.Name)
		if !errors.Is(err, stock.ErrUnavailable) || ctx.Err() != nil {
			if err != nil {
				return nil, fmt.Errorf("initialising warehouse: %w", err)
			}
			return w, nil
		}
		cfg.Logger.Warn("waiting for the database handler", "queue", cfg.Queue, "err", err)
		if err := b.Wait(ctx); err != nil {
			return nil, err
		}
	}
}

// pullFrom lists the members the replicator pulls from: every current
// member with a URL but this node, and none once this node, self, left
// the network (the others refuse it).
func pullFrom(net *member.Network, self string) []peer.Member {
	if me, ok := net.Member(self); ok && !me.Current() {
		return nil
	}
	ms := net.Members()
	out := make([]peer.Member, 0, len(ms))
	for _, m := range ms {
		out = append(out, peer.Member{ID: m.ID, URL: m.URL, Online: m.Online})
	}
	return out
}
