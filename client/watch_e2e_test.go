package main

import (
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
// port and data, after which the screen is right again by itself.
func TestWatchE2E(t *testing.T) {
	node := testnode.Start(t)
	mustRun(t, node, "product", "add", "--sku", "A1", "--name", "Bolt", "--price", "1", "--quantity", "10")
	mustRun(t, node, "product", "add", "--sku", "B2", "--name", "Nut", "--price", "1", "--quantity", "7")

	s := startTmux(t, node, "watch")
	s.waitScreen("the initial stock", func(sc string) bool {
		return strings.Contains(sc, "connected, 2 products") && row("A1", "Bolt", "10").MatchString(sc) && row("B2", "Nut", "7").MatchString(sc)
	})

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

	s.line("q")
	s.expect("[exit 0]")
}

// mustRun runs the client and fails the test unless it succeeds.
func mustRun(t *testing.T, node *testnode.Node, args ...string) {
	t.Helper()
	if r := runClient(t, node, args...); r.code != 0 {
		t.Fatalf("stockmesh %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
}
