package main

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// runWithInput runs stockmesh with args against node, its standard input
// being input.
func runWithInput(t *testing.T, node *testnode.Node, input string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), e2eDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, clientBinary(t), args...)
	cmd.Env, cmd.Dir, cmd.Stdin = clientEnv(t, node), t.TempDir(), strings.NewReader(input)
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatalf("running stockmesh %v: %v", args, err)
	}
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

// TestStocktakeE2E: count on the floor (picking a stocktake, the sku hint,
// a refused count asked again), then stocktake show, finalize and cancel,
// in English and Spanish.
func TestStocktakeE2E(t *testing.T) {
	n := testnode.Start(t, "--id", "MAD-1")
	must := func(wantCode int, args ...string) result {
		t.Helper()
		r := runClient(t, n, args...)
		if r.code != wantCode {
			t.Fatalf("stockmesh %s exited %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, wantCode, r.stdout, r.stderr)
		}
		return r
	}
	must(0, "product", "add", "--sku", "Bolt", "--name", "Bolt", "--price", "2.00", "--quantity", "10")
	must(0, "product", "add", "--sku", "Nut", "--name", "Nut", "--price", "1.00", "--quantity", "5")
	var st struct{ ID string }
	decode(t, must(0, "stocktake", "start", "--sku", "Bolt", "--note", "aisle 3", "--json").stdout, &st)
	if !strings.HasPrefix(st.ID, "MAD-1:S") {
		t.Fatalf("stocktake start --json: %+v", st)
	}
	if r := must(1, "stocktake", "start", "--sku", "Bolt"); !strings.Contains(r.stderr, st.ID) {
		t.Fatalf("a second stocktake of Bolt:\n%s", r.stderr)
	}
	must(0, "move", "sale", "Bolt", "3") // during the count: not a variance

	// Pick the open stocktake (1), count bolt (hint: Bolt), then Bolt 6, Nut 5 (added), and end.
	r := runWithInput(t, n, "1\nbolt\n6\nBolt\n6\nNut\n5\n\n", "count")
	if r.code != 0 || !strings.Contains(r.stdout, "did you mean Bolt?") || !strings.Contains(r.stdout, "Bolt: counted 6, expected 7, variance -1.") ||
		!strings.Contains(r.stdout, "Nut: counted 5, expected 5, variance 0.") || !strings.Contains(r.stdout, "2 counts recorded") {
		t.Fatalf("count:\n%s\n%s", r.stdout, r.stderr)
	}
	if r := must(0, "--lang", "es", "stocktake", "show", st.ID); !strings.Contains(r.stdout, "abierto") || !strings.Contains(r.stdout, "2 de 2 líneas contadas") ||
		!strings.Contains(r.stdout, "-2,00") {
		t.Fatalf("stocktake show in Spanish:\n%s", r.stdout)
	}
	if r := runWithInput(t, n, "Bolt\n5\n", "--lang", "es", "count", st.ID); r.code != 0 || !strings.Contains(r.stdout, "Bolt: contadas 5, esperadas 7, diferencia -2.") {
		t.Fatalf("count in Spanish:\n%s\n%s", r.stdout, r.stderr)
	}
	if r := must(0, "stocktake", "finalize", st.ID); !strings.Contains(r.stdout, "Stocktake "+st.ID+" finalized: variance value -4.00.") {
		t.Fatalf("stocktake finalize:\n%s", r.stdout)
	}
	var bolt struct{ Quantity int }
	decode(t, must(0, "product", "get", "Bolt", "--json").stdout, &bolt)
	if bolt.Quantity != 5 {
		t.Fatalf("Bolt after finalizing: %d, want 5", bolt.Quantity)
	}
	if r := must(0, "stocktake", "finalize", st.ID); !strings.Contains(r.stdout, "had already ended (finalized)") {
		t.Fatalf("finalizing again:\n%s", r.stdout)
	}
	must(1, "stocktake", "cancel", st.ID)
	must(1, "stocktake", "show", "MAD-1:S999")
	must(2, "stocktake", "finalize")

	// No stocktake open: count starts one of every product.
	r = runWithInput(t, n, "1\nNut\n4\n", "count")
	if r.code != 0 || !strings.Contains(r.stdout, "start a new stocktake") || !strings.Contains(r.stdout, "2 lines to count") ||
		!strings.Contains(r.stdout, "Nut: counted 4, expected 5, variance -1.") {
		t.Fatalf("count with none open:\n%s\n%s", r.stdout, r.stderr)
	}
	if r := must(0, "stocktake", "show"); !strings.Contains(r.stdout, "open") || !strings.Contains(r.stdout, "finalized") {
		t.Fatalf("stocktake show:\n%s", r.stdout)
	}
}
