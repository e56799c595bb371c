package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestTransfersE2E: transfer, transfers, receive and cancel between two
// real nodes, in English and Spanish, with the usual exit codes.
func TestTransfersE2E(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1")
	b := testnode.StartJoined(t, a, a.JoinToken(t, 600), "BCN-1", "--name", "Barcelona")
	for _, n := range []*testnode.Node{a, b} {
		n.WaitPeers(t, e2eDeadline, func(ps []testnode.Peer) bool { return len(ps) == 2 })
	}
	must := func(n *testnode.Node, wantCode int, args ...string) result {
		t.Helper()
		r := runClient(t, n, args...)
		if r.code != wantCode {
			t.Fatalf("stockmesh %s exited %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, wantCode, r.stdout, r.stderr)
		}
		return r
	}
	must(a, 0, "product", "add", "--sku", "PAL", "--name", "Pallet", "--price", "12.50", "--quantity", "20")

	r := must(a, 0, "transfer", "PAL", "5", "--to", "BCN-1", "--ref", "DN-1", "--json")
	var sent struct{ ID, Status string }
	decode(t, r.stdout, &sent)
	if sent.Status != "IN_TRANSIT" || !strings.HasPrefix(sent.ID, "MAD-1:T") {
		t.Fatalf("transfer --json: %s", r.stdout)
	}
	if r := must(a, 1, "transfer", "PAL", "99", "--to", "BCN-1"); !strings.Contains(r.stderr, "Not enough stock of PAL") {
		t.Fatalf("a transfer beyond the stock: %s", r.stderr)
	}
	must(a, 2, "transfer", "PAL", "1")
	if r := must(a, 1, "receive", sent.ID); !strings.Contains(r.stderr, "BCN-1") {
		t.Fatalf("receiving on the sender: %s", r.stderr)
	}

	deadline := time.Now().Add(e2eDeadline)
	for !strings.Contains(runClient(t, b, "transfers", "--incoming").stdout, sent.ID) {
		if time.Now().After(deadline) {
			t.Fatal("BCN-1 never listed the incoming transfer")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := must(b, 0, "--lang", "es", "transfers", "--incoming"); !strings.Contains(r.stdout, "en tránsito") || !strings.Contains(r.stdout, "DN-1") {
		t.Fatalf("transfers --incoming in Spanish:\n%s", r.stdout)
	}
	var levels []struct {
		Warehouse struct{ ID string }
		Quantity  int
		InTransit int
	}
	decode(t, must(b, 0, "stock", "levels", "PAL", "--json").stdout, &levels)
	inTransit := map[string]int{}
	for _, l := range levels {
		inTransit[l.Warehouse.ID] = l.InTransit
	}
	if inTransit["BCN-1"] != 5 {
		t.Fatalf("stock levels of PAL on BCN-1 before receiving: %+v, want 5 in transit to BCN-1", levels)
	}
	// The catalogue across warehouses (BCN-1, its own, first): none at BCN-1 yet, MAD-1's 15, 5 on their way to BCN-1.
	if r := must(b, 0, "products", "--warehouse", "all"); !regexp.MustCompile(`PAL +Pallet +- +15 +5 to BCN-1`).MatchString(r.stdout) ||
		!strings.Contains(r.stdout, "MAD-1") || !strings.Contains(r.stdout, "IN TRANSIT") {
		t.Fatalf("products --warehouse all:\n%s", r.stdout)
	}
	if r := must(b, 0, "stock", "levels", "PAL"); !strings.Contains(r.stdout, "IN TRANSIT") {
		t.Fatalf("stock levels shows no in-transit column:\n%s", r.stdout)
	}
	if r := must(b, 0, "receive", sent.ID); !strings.Contains(r.stdout, "Transfer "+sent.ID+" received: 5 × PAL.") {
		t.Fatalf("receive:\n%s", r.stdout)
	}
	if r := must(b, 0, "receive", sent.ID); !strings.Contains(r.stdout, "Transfer "+sent.ID+" was already received on ") ||
		strings.Contains(r.stdout, "received: 5") { // twice: nothing changes, and it says so
		t.Fatalf("receive again:\n%s", r.stdout)
	}
	if r := must(b, 0, "--lang", "es", "receive", sent.ID); !strings.Contains(r.stdout, "ya se recibió el ") {
		t.Fatalf("receive again in Spanish:\n%s", r.stdout)
	}
	if r := must(b, 1, "cancel", sent.ID); !strings.Contains(r.stderr, "received") {
		t.Fatalf("cancelling a received transfer: %s", r.stderr)
	}
	if r := must(b, 0, "product", "get", "PAL"); !strings.Contains(r.stdout, "Pallet") {
		t.Fatalf("BCN-1's PAL:\n%s", r.stdout)
	}

	// History filters by the transfers' kinds, as it shows them, and a
	// day given as --to takes in the whole day.
	today := time.Now().Format(time.DateOnly)
	for _, args := range [][]string{{"history", "--kind", "transfer_out"}, {"--lang", "es", "history", "--kind", "salida"},
		{"history", "--kind", "transfer out", "--from", today, "--to", today}} {
		if r := must(a, 0, args...); !strings.Contains(r.stdout, sent.ID) || strings.Contains(r.stdout, "purchase") {
			t.Fatalf("stockmesh %s:\n%s", strings.Join(args, " "), r.stdout)
		}
	}

	// A warehouse by its name, or its id in another case; a typo is
	// refused with a suggestion, in either language.
	for _, to := range []string{"Barcelona", "bcn-1"} {
		if r := must(a, 0, "transfer", "PAL", "1", "--to", to); !strings.Contains(r.stdout, "on its way to BCN-1") {
			t.Fatalf("transfer --to %s:\n%s", to, r.stdout)
		}
	}
	if r := must(a, 1, "transfer", "PAL", "1", "--to", "Barcelna"); !strings.Contains(r.stderr, "There is no warehouse Barcelna; did you mean BCN-1 (Barcelona)?") {
		t.Fatalf("transfer --to a typo: %s", r.stderr)
	}
	if r := must(a, 1, "--lang", "es", "transfer", "PAL", "1", "--to", "Zaragoza"); !strings.Contains(r.stderr, "No hay ningún almacén Zaragoza; este nodo conoce MAD-1") {
		t.Fatalf("transfer --to an unknown warehouse in Spanish: %s", r.stderr)
	}

	// The menu offers the other warehouses before asking the units.
	s := startTmux(t, a)
	s.expect("Choose an option:")
	s.line("8")
	s.expect("What to do [2]:")
	s.line("1")
	s.expect("SKU:")
	s.line("PAL")
	s.expect("1  BCN-1 (Barcelona)")
	s.expect("To warehouse:")
	s.line("1")
	s.expect("Units:")
	s.line("1")
	s.expect("Reference (order number):")
	s.line("")
	s.expect("Note:")
	s.line("")
	s.expect("on its way to BCN-1.")

	r = must(a, 0, "transfer", "PAL", "3", "--to", "BCN-1", "--json")
	var second struct{ ID string }
	decode(t, r.stdout, &second)
	if r := must(a, 0, "--lang", "es", "cancel", second.ID); !strings.Contains(r.stdout, "solicitada") {
		t.Fatalf("cancel on the sender in Spanish:\n%s", r.stdout)
	}
	for !strings.Contains(runClient(t, a, "transfers", "--status", "cancelled").stdout, second.ID) {
		if time.Now().After(deadline) {
			t.Fatal("the cancellation never came back to MAD-1")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Units on their way back to their sender count as the node counts
	// them (stock levels, the dashboard): a transfer BCN-1 cancels while
	// MAD-1 is down stays on its way back to MAD-1.
	r = must(a, 0, "transfer", "PAL", "2", "--to", "BCN-1", "--json")
	var third struct{ ID string }
	decode(t, r.stdout, &third)
	deadline = time.Now().Add(e2eDeadline)
	for !strings.Contains(runClient(t, b, "transfers", "--incoming").stdout, third.ID) {
		if time.Now().After(deadline) {
			t.Fatal("BCN-1 never listed the third transfer")
		}
		time.Sleep(200 * time.Millisecond)
	}
	a.Stop()
	must(b, 0, "cancel", third.ID)
	if r := must(b, 0, "products", "--warehouse", "all"); !regexp.MustCompile(`PAL +Pallet .*2 to MAD-1`).MatchString(r.stdout) {
		t.Fatalf("products --warehouse all after BCN-1 cancelled %s with MAD-1 down:\n%s", third.ID, r.stdout)
	}
}
