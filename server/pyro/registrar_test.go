package pyro

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestRegistrarGoNameServer registers one Server in another's embedded name
// server, with HMAC on both, and expects the name removed on shutdown.
func TestRegistrarGoNameServer(t *testing.T) {
	key := []byte("clave")
	nsSrv := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0", HMACKey: key}, newMemInventory())
	b, err := NewServer(Config{Listen: "127.0.0.1:0", NameServer: nsSrv.NSAddr().String(), HMACKey: key,
		Classify: classifyDouble, Logger: testLogger(t), RegisterInterval: 100 * time.Millisecond}, newMemInventory())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	waitRegistered(t, nsSrv.NSAddr().String(), b.URI(), key...)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return")
	}
	c, err := dialClient(context.Background(), nsSrv.NSAddr().String(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.invoke(NameServerName, "lookup", ObjectName); !errors.Is(err, ErrRemote) {
		t.Errorf("lookup after shutdown = %v, want a NamingError", err)
	}
	if _, err := dialClient(context.Background(), nsSrv.NSAddr().String(), []byte("otra")); err == nil {
		t.Error("a client with the wrong key connected")
	}
}
