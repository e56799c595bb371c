package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// row matches the live screen's row of sku with quantity.
func row(sku, name, qty string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(sku) + `\s+` + regexp.QuoteMeta(name) + `\s+` + regexp.QuoteMeta(qty) + `\b`)
}

// TestWatchE2E shows the live screen following a change made by another
// client, then the node stopping (reconnecting…) and coming back on the same
// port and data, after which the screen is right again by itself, and a
// deleted product leaving the screen.
func TestWatchE2E(t *testing.T) {
	node := testnode.Start(t)
	mustRun(t, node, "product", "add", "--sku", "A1", "--name", "Bolt", "--price", "1", "--quantity", "10")
	mustRun(t, node, "product", "add", "--sku", "B2", "--name", "Nut", "--price", "1", "--quantity", "7")

	s := startTmux(t, node, "watch")
	sc := s.waitScreen("the initial stock", func(sc string) bool {
		return strings.Contains(sc, "connected, 2 products") && row("A1", "Bolt", "10").MatchString(sc) && row("B2", "Nut", "7").MatchString(sc)
	})
	if !regexp.MustCompile(`(?m)^SKU\s+NAME\s+QUANTITY\s+LAST CHANGE\s+TIME\s*$`).MatchString(sc) {
		t.Errorf("the default screen (the node's own warehouse) has other columns than before:\n%s", sc)
	}

	mustRun(t, node, "stock", "set", "A1", "42")
	s.waitScreen("A1 at 42 after another client's change", func(sc string) bool {
		return row("A1", "Bolt", "42").MatchString(sc) && strings.Contains(sc, "+32 adjustment")
	})
	if colored := s.tmux("capture-pane", "-p", "-e", "-t", "main"); !regexp.MustCompile(`\x1b\[[0-9;]*7[0-9;]*m[^\n]*A1`).MatchString(colored) {
		t.Errorf("the changed row is not highlighted:\n%q", colored)
	}

	node.Stop()
	s.waitScreen("reconnecting…", func(sc string) bool {
		return strings.Contains(sc, "reconnecting…") && row("A1", "Bolt", "42").MatchString(sc)
	})

	node.Restart(t)
	// A change made while the watch may still be waiting to reconnect: the
	// reload (or the new subscription) must show it.
	mustRun(t, node, "move", "purchase", "A1", "8")
	s.waitScreen("A1 at 50 after the node came back", func(sc string) bool {
		return strings.Contains(sc, "connected, 2 products") && row("A1", "Bolt", "50").MatchString(sc)
	})
	mustRun(t, node, "move", "sale", "B2", "3")
	s.waitScreen("B2 at 4 through the new subscription", func(sc string) bool {
		return row("B2", "Nut", "4").MatchString(sc) && strings.Contains(sc, "-3 sale")
	})
	mustRun(t, node, "product", "delete", "B2", "--yes")
	s.waitScreen("B2 gone after its deletion", func(sc string) bool {
		return strings.Contains(sc, "connected, 1 products") && !strings.Contains(sc, "B2") && row("A1", "Bolt", "50").MatchString(sc)
	})

	s.line("q")
	s.expect("[exit 0]")
}

// TestWatchNodeDownE2E starts the watch while the node is down: the screen
// says it is reconnecting, when it tries next and why, never "No products
// yet.", until the node answers.
func TestWatchNodeDownE2E(t *testing.T) {
	node := testnode.Start(t)
	node.Stop()
	s := startTmux(t, node, "watch")
	sc := s.waitScreen("reconnecting with the next attempt and the error", func(sc string) bool {
		joined := strings.ReplaceAll(sc, "\n", "") // the status line is wider than the pane
		return strings.Contains(joined, "reconnecting… next attempt in") && strings.Contains(joined, "is unreachable; is it running?")
	})
	if !strings.Contains(sc, "Nothing to show until the node answers.") || strings.Contains(sc, "No products yet.") {
		t.Errorf("a watch that never reached the node claims what it holds:\n%s", sc)
	}
	node.Restart(t)
	s.waitScreen("the empty node once it answers", func(sc string) bool {
		return strings.Contains(sc, "connected, 0 products") && strings.Contains(sc, "No products yet.")
	})
	s.line("q")
	s.expect("[exit 0]")
}

// TestWatchWarehouseE2E follows every warehouse of a single node, with
// the WAREHOUSE column, and checks that a warehouse the node holds nothing
// of ends the watch at once with a clear error, in both languages and in
// JSON.
func TestWatchWarehouseE2E(t *testing.T) {
	node := testnode.Start(t)
	mustRun(t, node, "product", "add", "--sku", "A1", "--name", "Bolt", "--price", "1", "--quantity", "10")
	var local struct{ LocalWarehouse struct{ ID string } }
	if err := json.Unmarshal(node.MustGraphQL(t, `{ localWarehouse { id } }`, nil).Data, &local); err != nil || local.LocalWarehouse.ID == "" {
		t.Fatalf("local warehouse: %v %+v", err, local)
	}
	inLocal := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(local.LocalWarehouse.ID) + ` \(this node\)\s+A1\s+Bolt\s+42\b`)

	s := startTmux(t, node, "watch", "--warehouse", "all")
	s.waitScreen("every warehouse", func(sc string) bool {
		return strings.Contains(sc, "connected, 1 products in 1 warehouses") && regexp.MustCompile(`(?m)^WAREHOUSE\s+SKU\s+NAME`).MatchString(sc)
	})
	mustRun(t, node, "stock", "set", "A1", "42")
	s.waitScreen("A1 at 42 in the node's own warehouse", inLocal.MatchString)
	s.line("q")
	s.expect("[exit 0]")

	cases := []struct {
		name   string
		args   []string
		stdout string
		stderr string
	}{
		{name: "en", args: []string{"watch", "--warehouse", "NOPE-1"}, stderr: "This node holds nothing of warehouse NOPE-1."},
		{name: "es", args: []string{"--lang", "es", "watch", "--warehouse", "NOPE-1"}, stderr: "Este nodo no tiene nada del almacén NOPE-1."},
		{name: "sku", args: []string{"watch", "--sku", "A1", "--warehouse", "NOPE-1"}, stderr: "This node holds nothing of warehouse NOPE-1."},
		{name: "json", args: []string{"--json", "watch", "--warehouse", "NOPE-1"}, stdout: `"code": "NOT_FOUND"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runClient(t, node, c.args...)
			if r.code != 1 || !strings.Contains(r.stdout, c.stdout) || !strings.Contains(r.stderr, c.stderr) {
				t.Fatalf("stockmesh %s: exit %d, want 1 with %q\nstdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), r.code, c.stdout+c.stderr, r.stdout, r.stderr)
			}
		})
	}
}

// mustRun runs the client and fails the test unless it succeeds.
func mustRun(t *testing.T, node *testnode.Node, args ...string) {
	t.Helper()
	if r := runClient(t, node, args...); r.code != 0 {
		t.Fatalf("stockmesh %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
}

// TestWatchReorderPointE2E: a reorder point changed by another client
// marks the row LOW at once, and unmarks it, without a restart of the
// watch (issue 27, point 17); later stock changes are judged against the
// new point.
func TestWatchReorderPointE2E(t *testing.T) {
	node := testnode.Start(t)
	mustRun(t, node, "product", "add", "--sku", "A1", "--name", "Bolt", "--price", "1", "--quantity", "27")

	s := startTmux(t, node, "watch")
	s.waitScreen("the initial stock", func(sc string) bool { return row("A1", "Bolt", "27").MatchString(sc) })
	mustRun(t, node, "product", "update", "A1", "--reorder", "30")
	s.waitScreen("A1 marked LOW after its reorder point went above its stock", func(sc string) bool {
		return row("A1", "Bolt", "LOW 27").MatchString(sc)
	})
	mustRun(t, node, "product", "update", "A1", "--reorder", "10")
	s.waitScreen("A1 no longer LOW after its reorder point went below its stock", func(sc string) bool {
		return row("A1", "Bolt", "27").MatchString(sc) && !strings.Contains(sc, "LOW")
	})
	mustRun(t, node, "move", "sale", "A1", "20")
	s.waitScreen("A1 LOW at 7, below the new reorder point", func(sc string) bool {
		return row("A1", "Bolt", "LOW 7").MatchString(sc)
	})
	s.line("q")
	s.expect("[exit 0]")
}
