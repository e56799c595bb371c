package node

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stockmesh/stockmesh/graph"
	"github.com/stockmesh/stockmesh/internal/atomicfile"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/dashboard"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/gqlws"
	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/metrics"
	"github.com/stockmesh/stockmesh/server/netwatch"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/playground"
	"github.com/stockmesh/stockmesh/server/request"
	"github.com/stockmesh/stockmesh/server/rest"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/transfer"
)

// MaxBodyBytes is the largest request body the node reads, but for the
// import's (see bodyLimit).
const MaxBodyBytes = 1 << 20

// MaxImportBytes is the largest catalogue POST /api/v1/products/import
// reads: 100,000 lines of about 30 bytes with room to spare. The import
// reads it as a stream, a line at a time.
const MaxImportBytes = 8 << 20

// bodyLimit returns the largest body route reads.
func bodyLimit(route string) int64 {
	if route == "/api/v1/products/import" {
		return MaxImportBytes
	}
	return MaxBodyBytes
}

// keepAlive is the websocket ping interval; dead sockets are reaped after
// a missed pong.
const keepAlive = 20 * time.Second

// routes returns the node's HTTP handler. Each API writes its own errors:
// /graphql through graph.WriteError, /api/v1 and /metrics through
// rest.WriteError (plain JSON).
func routes(svc *stock.Service, hub *feed.Hub, desk *transfer.Desk, m *metrics.Metrics, net *member.Network, sync *peer.Handler, acc *access, log *slog.Logger,
	requests *request.Hub, netw *netwatch.Watcher) http.Handler {
	public := func(route string, h http.Handler) http.Handler { return m.Middleware(route, h) }
	private := func(route string, h http.Handler) http.Handler {
		return m.Middleware(route, guardUpTo(acc, h, restError, bodyLimit(route)))
	}
	mux := http.NewServeMux()
	rest.New(svc, log).Register(mux, public, private)
	net.Register(mux, public, private)
	sync.Register(mux, func(route string, h http.Handler) http.Handler { return public(route, net.RequirePeerReading(h)) })
	mux.Handle("GET /metrics", private("/metrics", m.Handler()))
	gql := graph.NewHandler(svc, hub, graph.Options{
		Websocket: gqlws.Transport(keepAlive, acc.websocketInit(remoteAddr)),
		Tokens:    acc.tokens(svc),
		Observer:  m,
		Logger:    log,
		Network:   net,
		Transfers: desk,
		Requests:  requests,
		NetWatch:  netw,
	})
	gh := m.Middleware("/graphql", graphqlAuth(acc, withRemoteAddr(gql)))
	for _, method := range []string{"GET", "POST", "OPTIONS"} {
		mux.Handle(method+" /graphql", gh)
	}
	mux.Handle("GET /", public("/", playground.Handler("stockmesh", "/graphql")))
	board := public(dashboard.Path, dashboard.Handler("stockmesh", "/graphql"))
	mux.Handle("GET "+dashboard.Path, board)
	mux.Handle("GET "+dashboard.Path+"/{$}", board)
	mux.Handle("GET "+dashboard.AssetPrefix, board)
	return mux
}

// graphqlAuth authenticates /graphql requests by their Authorization header,
// except websocket upgrades, which carry the token in connection_init.
func graphqlAuth(acc *access, next http.Handler) http.Handler {
	checked := guard(acc, next, graphqlError)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" {
			next.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
}

// guard caps the request body and checks the bearer token of a private
// route; its refusals are written by the route's API through onError.
func guard(acc *access, next http.Handler, onError errorWriter) http.Handler {
	return guardUpTo(acc, next, onError, MaxBodyBytes)
}

// guardUpTo is guard with bodies of up to limit bytes.
func guardUpTo(acc *access, next http.Handler, onError errorWriter, limit int64) http.Handler {
	return limitBody(acc.authenticate(next, onError), onError, limit)
}

// errorWriter writes a refusal in the format of one API.
type errorWriter func(http.ResponseWriter, *http.Request, error)

// restError writes err as the REST API (and /metrics) does.
func restError(w http.ResponseWriter, _ *http.Request, err error) { rest.WriteError(w, err) }

// graphqlError writes err as the GraphQL API does.
func graphqlError(w http.ResponseWriter, r *http.Request, err error) { graph.WriteError(w, r, err) }

// withPrincipal records who makes the requests sent with ctx: for
// authorization, and as the actor on the changes they make.
func withPrincipal(ctx context.Context, p auth.Principal) context.Context {
	return stock.WithActor(auth.WithPrincipal(ctx, p), p.Name)
}

// limitBody refuses bodies over limit bytes with an *http.MaxBytesError:
// through onError when the length is declared, and by failing the handler's
// read otherwise.
func limitBody(next http.Handler, onError errorWriter, limit int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			onError(w, r, &http.MaxBytesError{Limit: limit})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// serveHTTPS serves h with tc until ctx is done, then shuts down
// gracefully. Once listening, it calls announce with the URL the node
// advertises (--advertise, else https:// and the address it listens on).
// An address failing says is failing too often (bad tokens, bad joins)
// gets fewer new connections (limitPerAddress); refused counts those
// refused on accept.
func serveHTTPS(ctx context.Context, cfg Config, h http.Handler, tc *tls.Config, failing func(host string) bool, refused func(reason string), announce func(url string) error) error {
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.Listen, err)
	}
	addr := ln.Addr().String()
	url := cfg.Advertise
	if url == "" {
		url = "https://" + displayHost(addr)
	}
	if err := announce(url); err != nil {
		ln.Close()
		return err
	}
	if err := writeAddr(cfg, addr); err != nil {
		ln.Close()
		return err
	}
	bodies := newBodyDeadlines(cfg.BodyTimeout)
	srv := &http.Server{Handler: bodies.wrap(h), TLSConfig: tc, ReadHeaderTimeout: headerTimeout, IdleTimeout: idleTimeout,
		ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelDebug)}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(limitPerAddress(ln, cfg.MaxConnsPerAddress, failing, refused), "", "") }()
	cfg.Logger.Info("serving HTTPS", "addr", addr, "playground", "https://"+displayHost(addr)+"/",
		"dashboard", "https://"+displayHost(addr)+dashboard.Path,
		"admin_token_file", filepath.Join(cfg.DataDir, AdminTokenFile))
	select {
	case err := <-errc:
		return fmt.Errorf("serving HTTPS: %w", err)
	case <-ctx.Done():
	}
	cfg.Logger.Info("shutting down: finishing in-flight requests")
	bodies.stop() // a request whose body is still arriving has not started: it is not waited for
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down HTTPS: %w", err)
	}
	return nil
}

// writeAddr records addr in DataDir/AddrFile for local clients. It leaves
// the file alone when it says addr already, and only warns when the disk is
// full: a node that can serve reads must not stop for the sake of a hint.
func writeAddr(cfg Config, addr string) error {
	path, data := filepath.Join(cfg.DataDir, AddrFile), []byte(addr+"\n")
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	err := atomicfile.Write(path, data, 0o600)
	if errors.Is(err, syscall.ENOSPC) {
		cfg.Logger.Warn("the disk is full: "+AddrFile+" may name an old address", "addr", addr, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", AddrFile, err)
	}
	return nil
}

// displayHost turns a listen address into one a browser on this machine can use.
func displayHost(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "::" || host == "0.0.0.0" {
		return "localhost:" + port
	}
	return net.JoinHostPort(host, port)
}
