package main

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestRepeatedSaleE2E: a scripted movement with a reference, run again
// (after a timeout, or by mistake), is not applied twice: it is refused
// with a clear message unless --allow-repeat is given; another quantity,
// kind or reference is another movement.
func TestRepeatedSaleE2E(t *testing.T) {
	node := testnode.Start(t)
	mustRun(t, node, "product", "add", "--sku", "R1", "--name", "Bolt", "--price", "1", "--quantity", "10")
	steps := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{name: "first", args: []string{"move", "sale", "R1", "3", "--ref", "ORD-1"}, stdout: []string{"now 7"}},
		{name: "again", args: []string{"move", "sale", "R1", "3", "--ref", "ORD-1"}, code: 1,
			stderr: []string{"Not applied again: the sale of 3 × R1 with reference ORD-1 was already recorded (WH-1:3, ", "Add --allow-repeat to record it a second time."}},
		{name: "again json", args: []string{"--json", "move", "sale", "R1", "3", "--ref", "ORD-1"}, code: 1,
			stdout: []string{`"code": "ALREADY_RECORDED"`}},
		{name: "again spanish", args: []string{"--lang", "es", "move", "venta", "R1", "3", "--ref", "ORD-1"}, code: 1,
			stderr: []string{"No se aplicó otra vez: ese movimiento (venta de 3 × R1 con referencia ORD-1) ya se registró", "--allow-repeat"}},
		{name: "again with another note", args: []string{"move", "sale", "R1", "3", "--ref", "ORD-1", "--note", "retry"}, code: 1,
			stderr: []string{"was already recorded (with another note)"}},
		{name: "nothing applied", args: []string{"product", "get", "R1"}, stdout: []string{"QUANTITY     7\n"}},
		{name: "allowed", args: []string{"move", "sale", "R1", "3", "--ref", "ORD-1", "--allow-repeat"}, stdout: []string{"now 4"}},
		{name: "another quantity", args: []string{"move", "sale", "R1", "2", "--ref", "ORD-1"}, stdout: []string{"now 2"}},
		{name: "another kind", args: []string{"move", "--allow-repeat", "purchase", "R1", "2", "--ref", "ORD-1"}, stdout: []string{"now 4"}},
		{name: "another reference", args: []string{"move", "sale", "R1", "2", "--ref", "ORD-2"}, stdout: []string{"now 2"}},
		{name: "own key wins", args: []string{"move", "sale", "R1", "1", "--ref", "ORD-2", "--key", "k-1"}, stdout: []string{"now 1"}},
		{name: "own key again applies once", args: []string{"move", "sale", "R1", "1", "--ref", "ORD-2", "--key", "k-1"}, stdout: []string{"now 1"}},
		{name: "no reference, no guard", args: []string{"move", "purchase", "R1", "1"}, stdout: []string{"now 2"}},
		{name: "no reference again", args: []string{"move", "purchase", "R1", "1"}, stdout: []string{"now 3"}},
	}
	for _, st := range steps {
		r := runClient(t, node, st.args...)
		if r.code != st.code {
			t.Fatalf("%s: stockmesh %s exited %d, want %d\nstdout: %s\nstderr: %s", st.name, strings.Join(st.args, " "), r.code, st.code, r.stdout, r.stderr)
		}
		for _, w := range st.stdout {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("%s: stdout lacks %q:\n%s", st.name, w, r.stdout)
			}
		}
		for _, w := range st.stderr {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: stderr lacks %q:\n%s", st.name, w, r.stderr)
			}
		}
	}
}
