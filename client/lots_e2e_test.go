package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestLotsE2E runs the console's lots, bins and packs commands against a
// real node, in English and in Spanish.
func TestLotsE2E(t *testing.T) {
	node := testnode.Start(t)
	soon, later := time.Now().AddDate(0, 0, 2).Format("2006-01-02"), time.Now().AddDate(0, 0, 9).Format("2006-01-02")
	past := time.Now().AddDate(0, 0, -1).Format("2006-01-02")
	steps := []struct {
		name     string
		args     []string
		wantCode int
		stdout   []string
		stderr   []string
	}{
		{name: "add with packs", args: []string{"product", "add", "--sku", "EGG", "--name", "Eggs", "--price", "0.20", "--packs", "box=12"},
			stdout: []string{"Created EGG."}},
		{name: "bad packs", args: []string{"product", "add", "--sku", "EGG2", "--name", "x", "--price", "1", "--packs", "box"},
			wantCode: 2, stderr: []string{"NAME=SIZE"}},
		{name: "boxes into a lot", args: []string{"move", "purchase", "EGG", "2", "--pack", "box", "--lot", "L1", "--expires", later},
			stdout: []string{"now 24", "2 box (24)", "L1 24"}},
		{name: "a sooner lot", args: []string{"move", "purchase", "EGG", "5", "--lot", "L2", "--expires", soon}, stdout: []string{"now 29"}},
		{name: "an expired lot", args: []string{"move", "purchase", "EGG", "1", "--lot", "OLD", "--expires", past}, stdout: []string{"now 30"}},
		{name: "expires without lot", args: []string{"move", "purchase", "EGG", "1", "--expires", soon}, wantCode: 2,
			stderr: []string{"--expires needs --lot"}},
		{name: "FEFO sale", args: []string{"move", "sale", "EGG", "6"}, stdout: []string{"now 24", "L2 5, L1 1"}},
		{name: "lots", args: []string{"lots", "EGG"}, stdout: []string{"OLD", past, "L1", later, "23"}},
		{name: "bins empty", args: []string{"bins"}, stdout: []string{"No locations."}},
		{name: "bin", args: []string{"bins", "add", "A1", "--name", "Aisle 1"}, stdout: []string{"Created location A1."}},
		{name: "shelf", args: []string{"bins", "add", "S1", "--parent", "A1"}, stdout: []string{"Created location A1/S1."}},
		{name: "relocate", args: []string{"relocate", "EGG", "4", "--to", "S1", "--lot", "L1"},
			stdout: []string{"Moved 4 of EGG to S1; the stock stays 24.", "L1 4 → S1"}},
		{name: "bins", args: []string{"bins"}, stdout: []string{"A1/S1", "Aisle 1", "4"}},
		{name: "history by location", args: []string{"history", "--sku", "EGG", "--location", "S1"}, stdout: []string{"relocation"}},
		{name: "history by lot", args: []string{"history", "--sku", "EGG", "--lot", "L2"}, stdout: []string{"L2 5"}},
	}
	for _, st := range steps {
		r := runClient(t, node, st.args...)
		if r.code != st.wantCode {
			t.Fatalf("%s: stockmesh %s exited %d, want %d\nstdout: %s\nstderr: %s", st.name, strings.Join(st.args, " "),
				r.code, st.wantCode, r.stdout, r.stderr)
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

	// In Spanish, as an operator: the expired lot is refused in words of
	// the language, and the lots read in Spanish.
	op := runClient(t, node, "token", "create", "--role", "operator", "--name", "floor", "--json")
	var tok struct{ Token string }
	decode(t, op.stdout, &tok)
	env := append(clientEnv(t, node), "LANG=es_ES.UTF-8", "STOCKMESH_TOKEN="+tok.Token)
	r := runIn(t, env, t.TempDir(), "move", "sale", "EGG", "1", "--lot", "OLD")
	if r.code != 1 || !strings.Contains(r.stderr, "El lote OLD caducó el "+past) {
		t.Fatalf("an operator selling expired lot OLD: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runIn(t, env, t.TempDir(), "lots", "EGG")
	if r.code != 0 || !strings.Contains(r.stdout, "LOTE") || !strings.Contains(r.stdout, "CADUCA") {
		t.Fatalf("lots in Spanish: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runIn(t, env, t.TempDir(), "bins")
	if r.code != 0 || !strings.Contains(r.stdout, "UBICACIÓN") || !strings.Contains(r.stdout, "A1/S1") {
		t.Fatalf("bins in Spanish: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
