package node

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/store"
)

// WorkerConfig configures the database handler.
type WorkerConfig struct {
	DataDir  string
	Queue    string
	Observer jobq.Observer
	Logger   *slog.Logger
	// EventBuffer is how many committed-change events the publisher holds
	// for its socket before it drops (and counts) them; 0 is the default.
	// Tests make it tiny to force drops.
	EventBuffer int
}

// Worker is a running database handler: the store behind a queue worker,
// publishing committed changes.
type Worker struct {
	*jobq.Worker
	store *store.Store
	pub   *jobq.Publisher
}

// StartWorker opens the database in cfg.DataDir and binds the queue and its
// event socket; Run then serves jobs.
func StartWorker(cfg WorkerConfig) (*Worker, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	events, err := jobq.EventsAddr(cfg.Queue)
	if err != nil {
		return nil, err
	}
	pub, err := jobq.NewPublisher(events, cfg.Logger, cfg.EventBuffer)
	if err != nil {
		return nil, fmt.Errorf("binding event socket: %w", err)
	}
	st, err := store.Open(cfg.DataDir, store.Options{Publisher: pub, Logger: cfg.Logger})
	if err != nil {
		pub.Close()
		return nil, fmt.Errorf("opening database: %w", err)
	}
	w, err := jobq.NewWorker(jobq.WorkerConfig{Addr: cfg.Queue, Observer: cfg.Observer, Logger: cfg.Logger}, st)
	if err != nil {
		st.Close()
		pub.Close()
		return nil, fmt.Errorf("binding job queue: %w", err)
	}
	return &Worker{Worker: w, store: st, pub: pub}, nil
}

// Run serves jobs until ctx is done, finishes the ones in flight, and closes
// the database cleanly.
func (w *Worker) Run(ctx context.Context) error {
	err := w.Worker.Run(ctx)
	if cerr := w.store.Close(); err == nil {
		err = cerr
	}
	if cerr := w.pub.Close(); err == nil {
		err = cerr
	}
	return err
}

// EventsDropped returns how many committed-change events the publisher
// dropped.
func (w *Worker) EventsDropped() uint64 { return w.pub.Dropped() }
