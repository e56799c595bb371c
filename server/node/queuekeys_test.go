package node

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/jobq"
	"github.com/stockmesh/stockmesh/server/stock"
)

// TestQueueRefusesStrangers: a database handler on a tcp:// queue runs
// no job from a client without the keys in its data folder, so a local
// user who connects to the port cannot mint an admin token (which worked
// before the queue had CURVE keys), while a client with the keys can.
// Keys others may read stop the handler from starting.
func TestQueueRefusesStrangers(t *testing.T) {
	dir := t.TempDir()
	addr := testnode.FreeQueueAddr(t)
	log := slog.New(slog.DiscardHandler)
	w, err := StartWorker(WorkerConfig{DataDir: dir, Queue: addr, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	defer func() { cancel(); <-ran }()
	keysFile := filepath.Join(dir, QueueKeysFile)
	if fi, err := os.Stat(keysFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, %v; want mode 0600", QueueKeysFile, fi, err)
	}
	service := func(keys *jobq.Keys) *stock.Service {
		c, err := jobq.NewClient(jobq.ClientConfig{Addr: addr, Logger: log, Keys: keys, Timeout: 3 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return stock.NewService(queue{c})
	}
	nodeCtx := auth.AsNode(context.Background()) // as the node itself: only the queue's keys may stop it
	stolen := stock.Token{Hash: auth.Hash("mallory-secret"), Name: "mallory", Role: auth.RoleAdmin}
	if err := service(nil).EnsureToken(nodeCtx, stolen); err == nil {
		t.Fatal("a client without the queue's keys stored an admin token")
	} else if !errors.Is(err, stock.ErrUnavailable) {
		t.Fatalf("a client without the queue's keys: %v, want UNAVAILABLE (no answer)", err)
	}
	keys, err := queueKeys(dir, "", addr)
	if err != nil {
		t.Fatal(err)
	}
	friend := service(keys)
	var lerr error
	for range 100 { // the client connects in the background
		if _, lerr = friend.LookupToken(nodeCtx, stolen.Hash); !errors.Is(lerr, stock.ErrUnavailable) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !errors.Is(lerr, stock.ErrNotFound) {
		t.Fatalf("looking up the stranger's token with the keys: %v, want NOT_FOUND", lerr)
	}
	if err := friend.EnsureToken(nodeCtx, stock.Token{Hash: auth.Hash("ok"), Name: "ok", Role: "admin"}); err != nil {
		t.Fatalf("a client with the keys: %v", err)
	}

	if err := os.Chmod(keysFile, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := queueKeys(dir, "", addr); err == nil || !strings.Contains(err.Error(), "chmod 600 "+keysFile) {
		t.Fatalf("keys readable by others: %v, want a refusal saying chmod 600 %s", err, keysFile)
	}
}
