package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestReplenishE2E: replenish shows the plan (in a tmux pane, in Spanish)
// and --request asks the sources; requests --incoming on the source lists
// them; the menu's requests screen accepts one and sends the transfer
// (accept again answers the same), decline says so; product add --max.
func TestReplenishE2E(t *testing.T) {
	a := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
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
	must(a, 0, "product", "add", "--sku", "BOX", "--name", "Box", "--price", "2.50", "--quantity", "100", "--reorder", "10")
	must(a, 0, "product", "add", "--sku", "CAN", "--name", "Can", "--price", "1", "--quantity", "50", "--reorder", "5")
	if r := must(b, 0, "product", "add", "--sku", "BOX", "--name", "Box", "--price", "2.50", "--quantity", "5", "--reorder", "20", "--max", "60"); !regexp.MustCompile(`MAX +60`).MatchString(r.stdout) {
		t.Fatalf("product add --max:\n%s", r.stdout)
	}
	must(b, 0, "product", "add", "--sku", "CAN", "--name", "Can", "--price", "1", "--quantity", "2", "--reorder", "8", "--max", "30")
	deadline := time.Now().Add(e2eDeadline)
	for !strings.Contains(must(b, 0, "replenish").stdout, "CAN") {
		if time.Now().After(deadline) {
			t.Fatal("BCN-1's plan never drew on MAD-1")
		}
		time.Sleep(200 * time.Millisecond)
	}
	s := startTmux(t, b, "--lang", "es", "replenish", "--warehouse", "Barcelona")
	s.waitScreen("the plan in Spanish", func(sc string) bool {
		return regexp.MustCompile(`ORIGEN +DESTINO +CANTIDAD`).MatchString(sc) &&
			regexp.MustCompile(`BOX +Madrid +Barcelona +55`).MatchString(sc) && regexp.MustCompile(`CAN +Madrid +Barcelona +28`).MatchString(sc) &&
			regexp.MustCompile(`MOTIVO`).MatchString(sc) && strings.Count(sc, "bajo punto de pedido") == 2 && strings.Contains(sc, "[exit 0]")
	})
	r := must(b, 0, "replenish", "--request")
	if !strings.Contains(r.stdout, "Requested BCN-1:Q") || strings.Count(r.stdout, "Requested ") != 2 {
		t.Fatalf("replenish --request:\n%s", r.stdout)
	}
	ids := regexp.MustCompile(`BCN-1:Q\d+`).FindAllString(r.stdout, -1)
	for !strings.Contains(must(a, 0, "requests", "--incoming").stdout, ids[len(ids)-1]) {
		if time.Now().After(deadline) {
			t.Fatal("MAD-1 never saw BCN-1's requests")
		}
		time.Sleep(200 * time.Millisecond)
	}
	if r := must(a, 0, "--lang", "es", "requests", "--incoming"); !strings.Contains(r.stdout, "abierta") {
		t.Fatalf("requests --incoming in Spanish:\n%s", r.stdout)
	}
	// The menu's screen of requests to decide, in Spanish: the first
	// request (listed last: newest first), accepted for 20 units.
	m := startTmux(t, a, "--lang", "es")
	m.expect("Elija una opción")
	m.line("13")
	m.expect("Solicitud [1]")
	option := regexp.MustCompile(`(\d+)  ` + ids[0]).FindStringSubmatch(m.screen())
	if option == nil {
		t.Fatalf("the requests screen lists no %s:\n%s", ids[0], m.screen())
	}
	m.line(option[1])
	m.expect("Decisión [3]")
	m.line("1")
	m.expect("Unidades")
	m.line("20")
	m.expect("Solicitud " + ids[0] + " aceptada: el traspaso MAD-1:T")
	m.expect("Elija una opción")
	m.line("0")
	if r := must(a, 0, "accept", ids[0], "--qty", "20"); !strings.Contains(r.stdout, "Request "+ids[0]+" accepted: transfer MAD-1:T") {
		t.Fatalf("accept again:\n%s", r.stdout) // the same transfer: accepting is idempotent
	}
	if r := must(a, 0, "--lang", "es", "decline", ids[1], "--reason", "feria"); !strings.Contains(r.stdout, "Solicitud "+ids[1]+" rechazada.") {
		t.Fatalf("decline in Spanish:\n%s", r.stdout)
	}
	must(b, 1, "accept", ids[0]) // only the source decides: FORBIDDEN
}
