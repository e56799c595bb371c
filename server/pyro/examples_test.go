package pyro

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// exampleScript returns the path of an example program, skipping t when
// the examples directory is absent.
func exampleScript(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", "examples", "pyro4", name))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("skipping: example %s not found: %v", p, err)
	}
	return p
}

// TestExampleClientMenu drives examples/pyro4/client.py through stdin over
// every menu entry and error case.
func TestExampleClientMenu(t *testing.T) {
	needPyro4(t)
	script := exampleScript(t, "client.py")
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0"}, newMemInventory())
	input := strings.Join([]string{
		"1", "7", "Tornillo", "100",
		"1", "7", "Otro", "5",
		"2", "7",
		"2", "99",
		"3", "7", "-5",
		"3", "7", "abc",
		"3", "7", "42",
		"4",
		"5", "7",
		"5", "7",
		"9",
		"0",
	}, "\n") + "\n"
	for _, ser := range []string{"", "json"} {
		t.Run("serializer "+ser, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, python, "-u", script)
			cmd.Env = pyEnv(s.NSAddr(), ser)
			cmd.Stdin = strings.NewReader(input)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("client.py: %v\n%s", err, out)
			}
			for _, want := range []string{
				"Producto agregado.",
				"Error: producto 7 ya existe",
				"id: 7 | nombre: Tornillo | stock: 100",
				"No encontrado: producto 99 no encontrado",
				"Error: entrada inválida: el stock no puede ser negativo: -5",
				"Error: entrada inválida: el stock debe ser un entero, no str",
				"Stock actualizado.",
				"id: 7 | nombre: Tornillo | stock: 42",
				"Producto eliminado.",
				"No encontrado: producto 7 no encontrado",
				"Opción no válida.",
				"Hasta luego.",
			} {
				if !strings.Contains(string(out), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			if bytes.Contains(out, []byte("Traceback")) {
				t.Errorf("output has a traceback:\n%s", out)
			}
			if t.Failed() {
				t.Logf("output:\n%s", out)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestExampleClientLostConnection stops the server under an idle menu
// client: the next operation reports the lost connection, without a traceback.
func TestExampleClientLostConnection(t *testing.T) {
	needPyro4(t)
	script := exampleScript(t, "client.py")
	s, err := NewServer(Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0", Classify: classifyDouble,
		Logger: testLogger(t)}, newMemInventory())
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	cctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(cctx, python, "-u", script)
	cmd.Env = pyEnv(s.NSAddr(), "")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "4\n")
	pollUntil(t, "the first listing", time.Minute, func() bool { return strings.Contains(out.String(), "(sin productos)") })
	stop()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	io.WriteString(stdin, "4\n")
	pollUntil(t, "the lost-connection message", time.Minute, func() bool {
		return strings.Contains(out.String(), "Se perdió la conexión")
	})
	io.WriteString(stdin, "0\n")
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("client.py: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "Traceback") {
		t.Errorf("output has a traceback:\n%s", out.String())
	}
}

// TestExampleConcurrent runs examples/pyro4/concurrent.py with threads and
// with processes and checks its report against the inventory.
func TestExampleConcurrent(t *testing.T) {
	needPyro4(t)
	script := exampleScript(t, "concurrent.py")
	inv := newMemInventory()
	s := startServer(t, Config{Listen: "127.0.0.1:0", EmbeddedNS: "127.0.0.1:0"}, inv)
	for _, mode := range []string{"threads", "processes"} {
		t.Run(mode, func(t *testing.T) {
			out, err := runPython(t, pyEnv(s.NSAddr(), ""), script, "--mode", mode, "--workers", "8",
				"--rounds", "10", "--prefix", mode, "--json")
			if err != nil {
				t.Fatalf("concurrent.py: %v\n%s", err, out)
			}
			var rep struct {
				OK            bool
				Products      int
				ExpectedTotal int64 `json:"expected_total"`
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.OK || rep.Products != 24 {
				t.Fatalf("report (%v):\n%s", err, out)
			}
			ps, _ := inv.ListProducts(context.Background())
			var total int64
			for _, p := range ps {
				if strings.HasPrefix(p.ID, mode+"-w") {
					total += p.Stock
				}
			}
			if total != rep.ExpectedTotal {
				t.Errorf("inventory total %d, script expected %d", total, rep.ExpectedTotal)
			}
		})
	}
}
