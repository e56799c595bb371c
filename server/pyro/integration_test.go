package pyro

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestPythonClientEmbeddedNS runs the scenario script through the embedded
// name server with each serializer.
func TestPythonClientEmbeddedNS(t *testing.T) {
	needPyro4(t)
	inv := newMemInventory()
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0"}, inv)
	for _, tc := range []struct{ name, serializer, extraEnv string }{
		{"default serializer (serpent)", "", ""},
		{"json", "json", ""},
		{"serpent compressed", "", "PYRO_COMPRESSION=true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := pyEnv(s.NSAddr(), tc.serializer, tc.extraEnv)
			out, err := runPython(t, env, testdataScript(t, "scenario.py"), "emb"+tc.serializer+tc.extraEnv)
			if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
				t.Fatalf("scenario: %v\n%s", err, out)
			}
		})
	}
}

// TestPythonClientSharedPort serves the name server on the object's port.
func TestPythonClientSharedPort(t *testing.T) {
	needPyro4(t)
	addr := testnode.FreeAddr(t)
	s := startServer(t, Config{Listen: addr, EmbeddedNS: addr}, newMemInventory())
	out, err := runPython(t, pyEnv(s.NSAddr(), ""), testdataScript(t, "scenario.py"), "shared")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
		t.Fatalf("scenario: %v\n%s", err, out)
	}
}

// TestPythonClientPythonNS registers in Python's own name server, runs the
// scenario through it, then restarts that name server and expects the
// registration to come back.
func TestPythonClientPythonNS(t *testing.T) {
	needPyro4(t)
	port := testnode.FreePort(t)
	nsAddr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	stop := startPythonNS(t, port, pyEnv(nsAddr, ""))
	s := startServer(t, Config{Listen: "127.0.0.1:0", NameServer: nsAddr.String(),
		RegisterInterval: 200 * time.Millisecond}, newMemInventory())
	waitRegistered(t, nsAddr.String(), s.URI())
	for _, ser := range []string{"", "json"} {
		out, err := runPython(t, pyEnv(nsAddr, ser), testdataScript(t, "scenario.py"), "pyns"+ser)
		if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
			t.Fatalf("scenario with serializer %q: %v\n%s", ser, err, out)
		}
	}
	stop()
	startPythonNS(t, port, pyEnv(nsAddr, ""))
	waitRegistered(t, nsAddr.String(), s.URI())
	out, err := runPython(t, pyEnv(nsAddr, ""), testdataScript(t, "scenario.py"), "restarted")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
		t.Fatalf("scenario after name server restart: %v\n%s", err, out)
	}
}

// waitRegistered polls the name server at ns until name resolves to want.
func waitRegistered(t *testing.T, ns string, want URI, key ...byte) {
	t.Helper()
	pollUntil(t, "registration in "+ns, 60*time.Second, func() bool {
		c, err := dialClient(context.Background(), ns, key)
		if err != nil {
			return false
		}
		defer c.Close()
		v, err := c.invoke(NameServerName, "lookup", ObjectName)
		d, _ := v.(Dict)
		u, uerr := uriFromDict(d)
		return err == nil && uerr == nil && u == want
	})
}

// TestPythonNSWithHMAC registers in a Python name server that requires an
// HMAC key, and a keyed client reaches the object through it.
func TestPythonNSWithHMAC(t *testing.T) {
	needPyro4(t)
	port := testnode.FreePort(t)
	nsAddr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port}
	startPythonNS(t, port, pyEnv(nsAddr, "", "PYRO_HMAC_KEY=secreto"))
	s := startServer(t, Config{Listen: "127.0.0.1:0", NameServer: nsAddr.String(), HMACKey: []byte("secreto"),
		RegisterInterval: 200 * time.Millisecond}, newMemInventory())
	waitRegistered(t, nsAddr.String(), s.URI(), []byte("secreto")...)
	out, err := runPython(t, pyEnv(nsAddr, "json", "HMAC_KEY=secreto"), testdataScript(t, "scenario.py"), "pynshmac")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
		t.Fatalf("scenario: %v\n%s", err, out)
	}
}

// TestPythonConcurrentClients runs 8 client threads adding and updating
// stock at once and checks the final stock and the count of updates.
func TestPythonConcurrentClients(t *testing.T) {
	needPyro4(t)
	inv := newMemInventory()
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0"}, inv)
	out, err := runPython(t, pyEnv(s.NSAddr(), ""), testdataScript(t, "concurrent.py"), "conc")
	if err != nil {
		t.Fatalf("concurrent.py: %v\n%s", err, out)
	}
	var res struct {
		OK       bool
		Expected map[string]int64
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || !res.OK || len(res.Expected) != 8 {
		t.Fatalf("concurrent.py reported failure (%v):\n%s", err, out)
	}
	for id, want := range res.Expected {
		if got, ok := inv.stock(id); !ok || got != want {
			t.Errorf("stock of %s = %d (present %v), want %d", id, got, ok, want)
		}
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if inv.sets != 8*25 {
		t.Errorf("SetStock calls = %d, want %d", inv.sets, 8*25)
	}
}

// TestPythonClientHMAC checks that a client with the server's key works and
// clients with a wrong or no key are refused.
func TestPythonClientHMAC(t *testing.T) {
	needPyro4(t)
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0", HMACKey: []byte("secreto")}, newMemInventory())
	out, err := runPython(t, pyEnv(s.NSAddr(), "", "HMAC_KEY=secreto"), testdataScript(t, "scenario.py"), "hmac")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), "OK") {
		t.Fatalf("scenario with the right key: %v\n%s", err, out)
	}
	for _, tc := range []struct{ name, key string }{
		{"wrong key", "otra"},
		{"no key", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runPython(t, pyEnv(s.NSAddr(), "", "HMAC_KEY="+tc.key), testdataScript(t, "refused.py"), s.URI().String())
			if err != nil || strings.Count(out, "REFUSED") != 2 || !strings.Contains(out, "hmac") {
				t.Fatalf("want a refused connection mentioning hmac: %v\n%s", err, out)
			}
		})
	}
}
