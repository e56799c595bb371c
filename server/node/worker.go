package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/internal/datalock"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/store"
)

// DatabaseLockFile is the lock file, inside DataDir, held by the process
// that has the database open: a node with the handler in process, or a
// dbworker.
const DatabaseLockFile = "database.lock"

// WorkerConfig configures the database handler.
type WorkerConfig struct {
	DataDir   string
	Queue     string
	QueueKeys string // the CURVE keys of a tcp:// queue (default DataDir/QueueKeysFile)
	Observer  jobq.Observer
	Logger    *slog.Logger
	// EventBuffer is how many committed-change events the publisher holds
	// for its socket before it drops (and counts) them; 0 is the default.
	// Tests make it tiny to force drops.
	EventBuffer int
	// SalesWindowDays is the window the store keeps sales sums over
	// (store.Options.SalesWindowDays).
	SalesWindowDays int
	// Zone is the local warehouse's time zone (store.Options.Zone).
	Zone *time.Location

	inNode bool // the handler runs inside a node: its lock names "node", not "dbworker"
}

// Worker is a running database handler: the store behind a queue worker,
// publishing committed changes.
type Worker struct {
	*jobq.Worker
	store  *store.Store
	pub    *jobq.Publisher
	lock   *datalock.Lock
	queue  string
	events string
}

// StartWorker takes the database lock of cfg.DataDir, opens the database
// there and binds the queue and its event socket; Run then serves jobs.
// It refuses a data folder whose database another process has open.
func StartWorker(cfg WorkerConfig) (w *Worker, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := secureDataDir(cfg.DataDir, cfg.QueueKeys); err != nil {
		return nil, err
	}
	events, err := jobq.EventsAddr(cfg.Queue)
	if err != nil {
		return nil, err
	}
	role := "dbworker"
	if cfg.inNode {
		role = "node"
	}
	lock, err := datalock.Acquire(cfg.DataDir, DatabaseLockFile, role)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			lock.Release()
		}
	}()
	keys, err := queueKeys(cfg.DataDir, cfg.QueueKeys, cfg.Queue)
	if err != nil {
		return nil, err
	}
	pub, err := jobq.NewPublisher(events, cfg.Logger, cfg.EventBuffer, keys)
	if err != nil {
		return nil, fmt.Errorf("binding event socket: %w", err)
	}
	st, err := store.Open(cfg.DataDir, store.Options{Publisher: pub, Logger: cfg.Logger, SalesWindowDays: cfg.SalesWindowDays,
		Zone: cfg.Zone})
	if err != nil {
		pub.Close()
		return nil, fmt.Errorf("opening database: %w", err)
	}
	jw, err := jobq.NewWorker(jobq.WorkerConfig{Addr: cfg.Queue, Observer: cfg.Observer, Logger: cfg.Logger, Keys: keys}, st)
	if err != nil {
		st.Close()
		pub.Close()
		return nil, fmt.Errorf("binding job queue: %w", err)
	}
	return &Worker{Worker: jw, store: st, pub: pub, lock: lock, queue: cfg.Queue, events: events}, nil
}

// Run serves jobs until ctx is done, finishes the ones in flight, closes
// the database cleanly, removes the socket files of ipc:// addresses it
// bound and releases the database lock. It returns an error when the queue
// fails (and then stops at once) or when closing fails.
func (w *Worker) Run(ctx context.Context) error {
	err := w.Worker.Run(ctx)
	if cerr := w.store.Close(); err == nil {
		err = cerr
	}
	if cerr := w.pub.Close(); err == nil {
		err = cerr
	}
	if rerr := errors.Join(removeSocketFile(w.queue), removeSocketFile(w.events)); err == nil {
		err = rerr
	}
	if lerr := w.lock.Release(); err == nil {
		err = lerr
	}
	return err
}

// EventsDropped returns how many committed-change events the publisher
// dropped.
func (w *Worker) EventsDropped() uint64 { return w.pub.Dropped() }

// removeSocketFile removes the file of an ipc:// address; other addresses
// have none. zmq leaves the file behind when the socket closes.
func removeSocketFile(addr string) error {
	path, ok := strings.CutPrefix(addr, "ipc://")
	if !ok {
		return nil
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing socket file: %w", err)
	}
	return nil
}
