package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestReservationsE2E: reserve, reservations, release, fulfil and who-has
// against real nodes, in English and Spanish, with the usual exit codes.
func TestReservationsE2E(t *testing.T) {
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
	must(a, 0, "product", "add", "--sku", "BOX", "--name", "Box", "--price", "2.50", "--quantity", "10")
	must(b, 0, "product", "add", "--sku", "BOX", "--name", "Box", "--price", "2.50", "--quantity", "3")

	var r1 struct{ ID, Status string }
	decode(t, must(a, 0, "reserve", "BOX", "6", "--ref", "ORD-1", "--json").stdout, &r1)
	if r1.Status != "ACTIVE" || !strings.HasPrefix(r1.ID, "MAD-1:R") {
		t.Fatalf("reserve --json: %+v", r1)
	}
	if r := must(a, 0, "reserve", "BOX", "1", "--expires", "2h"); !strings.Contains(r.stdout, "Reserved 1 × BOX for reservation MAD-1:R") ||
		!strings.Contains(r.stdout, ", until ") {
		t.Fatalf("reserve --expires 2h:\n%s", r.stdout)
	}
	if r := must(a, 0, "product", "get", "BOX"); !regexp.MustCompile(`RESERVED +7`).MatchString(r.stdout) || !regexp.MustCompile(`AVAILABLE +3`).MatchString(r.stdout) {
		t.Fatalf("product get with 7 reserved:\n%s", r.stdout)
	}
	if r := must(a, 1, "move", "sale", "BOX", "5"); !strings.Contains(r.stderr, "10 in stock, 7 reserved for orders, 3 available, 5 requested") {
		t.Fatalf("a sale of reserved units:\n%s", r.stderr)
	}
	if r := must(a, 1, "--lang", "es", "move", "sale", "BOX", "5"); !strings.Contains(r.stderr, "7 reservadas para pedidos, 3 disponibles") {
		t.Fatalf("a sale of reserved units in Spanish:\n%s", r.stderr)
	}
	if r := must(a, 2, "reserve", "BOX", "1", "--expires", "soon"); !strings.Contains(r.stderr, "--expires") {
		t.Fatalf("a bad --expires:\n%s", r.stderr)
	}
	must(a, 2, "reserve", "BOX", "0")
	if r := must(a, 1, "reserve", "box", "1"); !strings.Contains(r.stderr, "did you mean BOX?") {
		t.Fatalf("reserving a sku in the wrong case:\n%s", r.stderr)
	}
	if r := must(a, 0, "--lang", "es", "reservations", "--status", "activa"); !strings.Contains(r.stdout, r1.ID) || !strings.Contains(r.stdout, "activa") ||
		!strings.Contains(r.stdout, "ORD-1") {
		t.Fatalf("reservations in Spanish:\n%s", r.stdout)
	}
	if r := must(a, 0, "fulfil", r1.ID, "--quantity", "4"); !strings.Contains(r.stdout, "Reservation "+r1.ID+" fulfilled: sold 4 × BOX") {
		t.Fatalf("fulfil:\n%s", r.stdout)
	}
	if r := must(a, 0, "release", r1.ID); !strings.Contains(r.stdout, "had already ended (fulfilled)") {
		t.Fatalf("releasing a fulfilled reservation:\n%s", r.stdout)
	}
	must(a, 1, "release", "MAD-1:R999")

	// The count falls below what is reserved: the reservation is at risk.
	var r2 struct{ ID string }
	decode(t, must(a, 0, "reserve", "BOX", "5", "--json").stdout, &r2)
	must(a, 0, "stock", "set", "BOX", "2")
	if r := must(a, 0, "reservations", "--status", "active"); !strings.Contains(r.stdout, "! active") || !strings.Contains(r.stdout, "at risk") {
		t.Fatalf("reservations at risk:\n%s", r.stdout)
	}
	if r := must(a, 0, "--lang", "es", "release", r2.ID); !strings.Contains(r.stdout, "Reserva "+r2.ID+" liberada") {
		t.Fatalf("release in Spanish:\n%s", r.stdout)
	}

	// BCN-1 has 3 and MAD-1 2 (1 of its 2 reserved for 2 h), once BCN-1 holds MAD-1's count and release.
	deadline := time.Now().Add(e2eDeadline)
	for {
		var levels []struct {
			Warehouse struct{ ID string }
			Quantity  int
		}
		decode(t, must(b, 0, "stock", "levels", "BOX", "--json").stdout, &levels)
		released := must(b, 0, "reservations", "--status", "released").stdout
		if len(levels) == 2 && levels[1].Warehouse.ID == "MAD-1" && levels[1].Quantity == 2 && strings.Contains(released, r2.ID) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("BCN-1 never held MAD-1's count of BOX: %+v", levels)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := must(b, 0, "who-has", "BOX", "1"); !strings.Contains(r.stdout, "MAD-1") || !strings.Contains(r.stdout, "BCN-1") {
		t.Fatalf("who-has BOX 1:\n%s", r.stdout)
	}
	if r := must(b, 0, "who-has", "BOX", "2"); !strings.Contains(r.stdout, "BCN-1") || strings.Contains(r.stdout, "MAD-1") {
		t.Fatalf("who-has BOX 2 (MAD-1 has 1 available):\n%s", r.stdout)
	}
	if r := must(b, 0, "--lang", "es", "who-has", "BOX", "4"); !strings.Contains(r.stdout, "Ningún almacén de este nodo puede servir 4 × BOX") {
		t.Fatalf("who-has in Spanish, none:\n%s", r.stdout)
	}
	must(b, 2, "who-has", "BOX")
}
