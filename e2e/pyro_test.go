package e2e

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// python is Debian's interpreter, which sees Debian's python3-pyro4 (another
// python3 earlier on PATH may not).
const python = "/usr/bin/python3"

// needPyro4 fails the test when python3-pyro4 is missing: make test
// installs it, so a missing one is a broken set-up, not a reason to skip.
func needPyro4(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no Python clients")
	}
	if out, err := exec.Command(python, "-c", "import Pyro4").CombinedOutput(); err != nil {
		t.Fatalf("%s cannot import Pyro4 (make test installs python3-pyro4): %v %s", python, err, out)
	}
}

// pyEnv is the environment of a Python client finding the name server at ns.
func pyEnv(ns, serializer string) []string {
	host, port, _ := net.SplitHostPort(ns)
	env := append(os.Environ(), "PYRO_NS_HOST="+host, "PYRO_NS_PORT="+port, "PYTHONUNBUFFERED=1")
	if serializer != "" {
		env = append(env, "PYRO_SERIALIZER="+serializer)
	}
	return env
}

// runPython runs a Python script with env and returns its output.
func runPython(t *testing.T, env []string, stdin string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// pythonNameServer starts Pyro4's own name server on a free loopback port.
func pythonNameServer(t *testing.T) string {
	t.Helper()
	addr := testnode.FreeAddr(t)
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(python, "-m", "Pyro4.naming", "-n", host, "-p", port)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return addr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("Pyro4's name server did not start")
	return ""
}

// waitRegistered polls the name server until it resolves inventario.servicio.
func waitRegistered(t *testing.T, ns string) {
	t.Helper()
	host, port, _ := net.SplitHostPort(ns)
	probe := "import Pyro4; Pyro4.locateNS(host='" + host + "', port=" + port + ").lookup('inventario.servicio')"
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := exec.Command(python, "-c", probe).CombinedOutput()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("inventario.servicio never registered in %s: %s", ns, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestPyro4Clients: unmodified Python Pyro4 clients use a real node through
// its embedded name server and through Python's own, with the default
// serializer (serpent) and with json: all five methods and every error case
// (server/pyro/testdata/scenario.py), and the exercise's menu client.
func TestPyro4Clients(t *testing.T) {
	needPyro4(t)
	for _, embedded := range []bool{true, false} {
		name := map[bool]string{true: "embedded name server", false: "Python name server"}[embedded]
		t.Run(name, func(t *testing.T) {
			ns := testnode.FreeAddr(t)
			args := []string{"--pyro", testnode.FreeAddr(t)}
			if embedded {
				args = append(args, "--pyro-ns-embedded", ns)
			} else {
				ns = pythonNameServer(t)
				args = append(args, "--pyro-ns", ns)
			}
			n := testnode.Start(t, args...)
			waitRegistered(t, ns)
			for _, ser := range []string{"", "json"} {
				out, err := runPython(t, pyEnv(ns, ser), "", testnode.RepoFile("server", "pyro", "testdata", "scenario.py"), "e2e"+ser)
				if err != nil || !strings.Contains(out, "OK") {
					t.Fatalf("scenario.py with serializer %q: %v\n%s", ser, err, out)
				}
			}
			menu := strings.Join([]string{"1", "M-1", "Tornillo", "100", "3", "M-1", "-5", "3", "M-1", "42", "2", "M-1", "0"}, "\n") + "\n"
			out, err := runPython(t, pyEnv(ns, ""), menu, testnode.RepoFile("examples", "pyro4", "client.py"))
			for _, want := range []string{"Producto agregado.", "el stock no puede ser negativo", "Stock actualizado.", "stock: 42"} {
				if err != nil || !strings.Contains(out, want) || strings.Contains(out, "Traceback") {
					t.Fatalf("client.py: %v, output lacks %q or has a traceback:\n%s", err, want, out)
				}
			}
			// The menu's changes are the node's: the same ledger GraphQL reads.
			if q := quantity(t, n, "M-1"); q != 42 {
				t.Fatalf("GraphQL sees stock %d for M-1, want 42", q)
			}
			checkLedger(t, n, "M-1")
		})
	}
}

// TestPyro4ConcurrentClients: 8 Python clients in threads add products and
// set stock at once (examples/pyro4/concurrent.py); the final stock is what
// they wrote, and the ledger agrees with it for every product.
func TestPyro4ConcurrentClients(t *testing.T) {
	needPyro4(t)
	ns := testnode.FreeAddr(t)
	n := testnode.Start(t, "--pyro", testnode.FreeAddr(t), "--pyro-ns-embedded", ns)
	out, err := runPython(t, pyEnv(ns, ""), "", testnode.RepoFile("examples", "pyro4", "concurrent.py"),
		"--workers", "8", "--mode", "threads", "--json", "--prefix", "CC")
	var sum struct {
		OK            bool `json:"ok"`
		Products      int  `json:"products"`
		ExpectedTotal int  `json:"expected_total"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || json.Unmarshal([]byte(lines[len(lines)-1]), &sum) != nil || !sum.OK || sum.Products != 24 {
		t.Fatalf("concurrent.py: %v\n%s", err, out)
	}
	var list struct {
		Products struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					SKU      string
					Quantity int
				}
			}
		}
	}
	decode(t, n.MustGraphQL(t, `{ products(search: "CC", first: 500) { totalCount edges { node { sku quantity } } } }`, nil), &list)
	total := 0
	for _, e := range list.Products.Edges {
		checkLedger(t, n, e.Node.SKU)
		if !strings.HasSuffix(e.Node.SKU, "-shared") {
			total += e.Node.Quantity
		}
	}
	if total != sum.ExpectedTotal {
		t.Fatalf("GraphQL lists a total stock of %d, the clients wrote %d", total, sum.ExpectedTotal)
	}
}
