// Command stockmeshd runs a stockmesh warehouse node: an HTTPS server with
// GraphQL, REST and metrics over its own SQLite database.
//
//	stockmeshd [flags]                         serve a node
//	stockmeshd dbworker --data DIR --queue ADDR run the database handler as its own process
//	stockmeshd --join URL --join-token T --advertise URL --id ID   join a network through a member
//	stockmeshd join-token --data DIR [--expires-in S] [--warehouse ID [--rejoin]]   issue a one-time join token
//	stockmeshd leave --data DIR                                   take the node out of its network
//	stockmeshd token create --data DIR [--role R] [--name N]      issue an API token, admin by default (also while the node is stopped)
//	stockmeshd keys rotate --data DIR                             a new key for data at rest
//	stockmeshd version
//
// Every flag has an environment equivalent: --tls-san is STOCKMESH_TLS_SAN.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/stockmesh/stockmesh/server/node"
	"github.com/stockmesh/stockmesh/server/stock"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	// Everything the node creates (database, WAL, sockets, keys) is its
	// user's alone, from the moment it exists.
	syscall.Umask(0o077)
	tuneRuntime()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, os.Args[1:], log); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		log.Error("stockmeshd stopped", "err", err)
		os.Exit(1)
	}
}

// tuneRuntime adjusts the Go runtime for a node unless the environment
// already says otherwise (GOGC, GOMAXPROCS).
func tuneRuntime() {
	if os.Getenv("GOGC") == "" {
		// The node's live heap is small and its garbage per request large;
		// collecting at 200% growth instead of 100% halves GC work.
		debug.SetGCPercent(200)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// The database writer and readers spend their time in C (SQLite,
		// fsync) and must win back a P each time they return, behind the
		// HTTP handlers; the queue's socket loops and ZMQ sends are cgo calls
		// too, short ones (the loops sleep in Go's poller, not in C: see
		// jobq/waiter.go). Twice the default number of Ps shortened a
		// write's trip through the queue by ~0.8 ms and raised make bench's
		// movements/s by 3-10% on 2 CPUs, measured when the loops still slept
		// in zmq_poll; not measured again since.
		runtime.GOMAXPROCS(2 * runtime.GOMAXPROCS(0))
	}
}

func run(ctx context.Context, args []string, log *slog.Logger) error {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "dbworker" || args[0] == "version" || args[0] == "join-token" || args[0] == "leave" || args[0] == "token" || args[0] == "keys") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "token":
		return token(ctx, args, log)
	case "join-token", "leave":
		return admin(ctx, cmd, args, log)
	case "keys":
		return keys(ctx, args, log)
	case "version":
		fmt.Println("stockmeshd", version)
		return nil
	case "dbworker":
		var cfg node.WorkerConfig
		fs := flags("stockmeshd dbworker", &cfg.DataDir, &cfg.Queue)
		queueKeysFlag(fs, &cfg.QueueKeys)
		zoneFlag(fs, &cfg.Zone)
		if err := parse(fs, args); err != nil {
			return err
		}
		if cfg.Queue == "" {
			return errors.New("dbworker needs --queue ipc://PATH or tcp://127.0.0.1:PORT")
		}
		cfg.Logger = log.With("process", "dbworker")
		w, err := node.StartWorker(cfg)
		if err != nil {
			return err
		}
		log.Info("database handler ready", "queue", cfg.Queue, "data", cfg.DataDir)
		return w.Run(ctx)
	}
	var cfg node.Config
	fs := flags("stockmeshd", &cfg.DataDir, &cfg.Queue)
	queueKeysFlag(fs, &cfg.QueueKeys)
	fs.StringVar(&cfg.Listen, "listen", ":8443", "HTTPS address to listen on")
	fs.StringVar(&cfg.ID, "id", "", "local warehouse id, such as MAD-1 (default: the stored one, or WH-1)")
	fs.StringVar(&cfg.Name, "name", "", "local warehouse name")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "", "PEM certificate to serve (default: one issued by the node's own CA in DATA/tls)")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&cfg.Pyro, "pyro", "", "serve the Pyro4 object inventario.servicio on HOST:PORT")
	fs.StringVar(&cfg.PyroNS, "pyro-ns", "", "register inventario.servicio in this Pyro4 name server (HOST:PORT)")
	fs.StringVar(&cfg.PyroNSEmbedded, "pyro-ns-embedded", "", "run a Pyro4-compatible name server on HOST:PORT (Pyro4's usual port is 9090)")
	fs.StringVar(&cfg.PyroHMACKeyFile, "pyro-hmac-key-file", "", "file with the HMAC key Pyro4 clients must use")
	fs.StringVar(&cfg.PyroRole, "pyro-role", "admin", "what Pyro4 clients (which carry no identity) may do: viewer, operator or admin")
	fs.DurationVar(&cfg.BodyTimeout, "http-body-timeout", node.DefaultBodyTimeout, "the longest a request body may take to arrive; a slower one is cut off")
	fs.Func("stocktake-admin-above", "finalizing a stocktake whose variance value (absolute) is above this amount needs an admin (default 1000.00; 0: never)", func(s string) error {
		p, err := stock.ParsePrice(s)
		a := stock.Amount(p)
		cfg.StocktakeAdminAbove = &a
		return err
	})
	fs.IntVar(&cfg.SalesWindowDays, "sales-window-days", 30, "the days of sales the average daily sales of days of cover and replenishment plans are taken over (1-366)")
	zoneFlag(fs, &cfg.Zone)
	fs.IntVar(&cfg.MaxConnsPerAddress, "max-conns-per-address", node.DefaultMaxConnsPerAddress, "HTTPS connections one remote address may hold open at once; more are closed before their TLS handshake (-1: no limit)")
	fs.StringVar(&cfg.PProf, "pprof", "", "serve Go profiles on this loopback address, e.g. 127.0.0.1:6060")
	fs.StringVar(&cfg.Join, "join", "", "join the network through this member's base URL (a new data folder; ignored once joined)")
	fs.StringVar(&cfg.JoinToken, "join-token", "", "the one-time token for --join (stockmeshd join-token on a member)")
	fs.StringVar(&cfg.PeerProxy, "peer-proxy", "", "send node-to-node calls through this HTTP CONNECT proxy, e.g. http://proxy:3128 (default: direct)")
	fs.StringVar(&cfg.Advertise, "advertise", "", "the base URL other members reach this node at (default https:// and the listen address)")
	fs.Func("tls-san", "extra host name or IP for the generated certificate (repeatable; env: comma-separated)", func(s string) error {
		cfg.TLSSANs = append(cfg.TLSSANs, s)
		return nil
	})
	if err := parse(fs, args); err != nil {
		return err
	}
	if cfg.SalesWindowDays < 1 || cfg.SalesWindowDays > stock.MaxWindowDays {
		return fmt.Errorf("--sales-window-days %d: not between 1 and %d", cfg.SalesWindowDays, stock.MaxWindowDays)
	}
	cfg.Logger = log
	return node.Run(ctx, cfg)
}

// flags returns a flag set with the flags both commands share.
func flags(name string, data, queue *string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(data, "data", "data", "data directory: database, TLS files, admin token")
	fs.StringVar(queue, "queue", "", "job queue address: inproc:// (default: database handler in process), ipc://PATH or tcp://127.0.0.1:PORT (a separate dbworker)")
	return fs
}

// zoneFlag adds --time-zone, which a node and its dbworker share: the
// local warehouse's time zone, an IANA name (time/tzdata is linked in).
func zoneFlag(fs *flag.FlagSet, zone **time.Location) {
	fs.Func("time-zone", "the warehouse's time zone, an IANA name such as Europe/Madrid: a lot expires at the end of its day there (default: the process's, TZ)", func(s string) error {
		loc, err := time.LoadLocation(s)
		if err != nil || s == "" {
			return fmt.Errorf("%q is not an IANA time zone name", s)
		}
		*zone = loc
		return nil
	})
}

// queueKeysFlag adds --queue-keys, which a node and its dbworker share.
func queueKeysFlag(fs *flag.FlagSet, file *string) {
	fs.StringVar(file, "queue-keys", "", "file of the CURVE keys that authenticate a node and its dbworker over a tcp:// queue (default DATA/queue.keys, made on first use, 0600)")
}
