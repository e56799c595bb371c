package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/faultproxy"
	"github.com/stockmesh/stockmesh/internal/testnode"
)

// dashboardReport is dashboard.mjs's last output line.
type dashboardReport struct {
	Event           string
	Requests        []string
	WSReceived      []string
	Errors          []string
	TokenLeftInURL  bool
	TokenStored     bool
	OperatorRole    string
	ViewerRole      string
	ViewerButtons   int
	OperatorButtons int
	ChartPoints     int
	Spanish         struct{ Lang, Title, LastMovementBalance string }
}

// TestDashboard opens the dashboard of BCN-1, in a network of three
// warehouses (make demo's), in headless Chromium: as an operator it shows
// every warehouse online, a sale made on MAD-1 once the page has loaded
// reaches the stock table, the page's button receives a transfer and
// BCN-1's stock grows by it, units on their way back to VLC-1 (a transfer
// BCN-1 cancelled while VLC-1 is down) show as stockLevels counts them,
// the chart of a product with 10,000 movements renders with the stock now
// as its last point, a lot VLC-1 holds shows in the product panel, and a
// product deleted while the page's link to the node was cut leaves the
// table once the page reconnects; as a viewer it shows the transfer still
// on its way without any button. No page asked anything of a host but the
// node (through a proxy the test can cut).
func TestDashboard(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium and three nodes")
	}
	script := browserTooling(t, "dashboard.mjs")
	mad := testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	bcn := testnode.StartJoined(t, mad, mad.JoinToken(t, 600), "BCN-1", "--name", "Barcelona")
	vlc := testnode.StartJoined(t, mad, mad.JoinToken(t, 600), "VLC-1", "--name", "Valencia")
	all := []string{"MAD-1", "BCN-1", "VLC-1"}
	for _, n := range []*testnode.Node{mad, bcn, vlc} {
		n.WaitPeers(t, 60*time.Second, allOnline(all))
	}
	mustCreate(t, mad, "DASH-1", 40)
	mustCreate(t, bcn, "DASH-1", 10)
	mustCreate(t, vlc, "DASH-1", 7)
	mustCreate(t, bcn, "HIST-1", 0)
	histQty := recordMany(t, bcn, "HIST-1", 10_000)
	received, pending := mustSend(t, mad, "DASH-1", "BCN-1", 5), mustSend(t, mad, "DASH-1", "BCN-1", 2)
	back := mustSend(t, vlc, "DASH-1", "BCN-1", 3)
	mustCreate(t, bcn, "GONE-1", 4)
	mustCreate(t, vlc, "LOT-1", 0)
	decode(t, vlc.MustGraphQL(t, `mutation { recordMovement(input: {sku: "LOT-1", kind: PURCHASE, quantity: 5,
		lot: {code: "L-77", expiresOn: "2031-06-30"}}) { id } }`, nil), &struct{}{})
	waitStatus(t, &meshNode{Node: bcn, ID: "BCN-1"}, back.ID, "IN_TRANSIT")
	waitLevel(t, bcn, "LOT-1", "VLC-1", 5)
	operator, viewer := issueToken(t, bcn, "floor-1", "OPERATOR"), issueToken(t, bcn, "manager-1", "VIEWER")
	shot := artifactPath(t, "dashboard.png")
	front, err := faultproxy.Start(bcn.Addr) // the page's only way to BCN-1
	if err != nil {
		t.Fatal(err)
	}
	defer front.Close()

	args := []string{script, "--url", "https://" + front.Addr(), "--operator", operator, "--viewer", viewer,
		"--warehouses", strings.Join(all, ","), "--sale", "MAD-1|DASH-1|30",
		"--receive", received.ID, "--received", "BCN-1|DASH-1|15", "--pending", pending.ID,
		"--chart", fmt.Sprintf("HIST-1|%d", histQty), "--transit", "VLC-1|DASH-1|3", "--lot", "VLC-1|LOT-1|L-77",
		"--gone", "GONE-1", "--screenshot", shot,
		"--chromium", chromiumPath, "--timeout", fmt.Sprint(browserWait.Milliseconds())}
	for _, k := range nodeKeys(t, bcn) {
		args = append(args, "--spki", k)
	}
	run := startScript(t, args)
	run.waitFor(t, "ready")
	decode(t, mad.MustGraphQL(t, recordMovement, mv("DASH-1", "SALE", 3)), &struct{}{})
	// VLC-1 down, its transfer cancelled by BCN-1: the units are on their
	// way back to VLC-1 until it takes them back, which it cannot yet.
	vlc.Stop()
	if _, code := cancel(bcn, back.ID); code != "" {
		t.Fatalf("cancelling %s on BCN-1: %s", back.ID, code)
	}
	if l := levels(t, bcn, "DASH-1"); l["VLC-1"].InTransit != 3 {
		t.Fatalf("stockLevels on BCN-1: %+v, want 3 units on their way to VLC-1", l)
	}
	run.waitFor(t, "cut")
	front.Cut()
	decode(t, bcn.MustGraphQL(t, `mutation { deleteProduct(sku: "GONE-1") { sku } }`, nil), &struct{}{})
	front.Heal()
	var rep dashboardReport
	run.last(t, &rep)

	if got := quantity(t, bcn, "DASH-1"); got != 15 {
		t.Errorf("BCN-1's stock of DASH-1 after the page received 5: %d, want 15", got)
	}
	cases := []struct {
		name string
		ok   bool
		got  any
	}{
		{"operator's page knows its role", rep.OperatorRole == "OPERATOR", rep.OperatorRole},
		{"viewer's page knows its role", rep.ViewerRole == "VIEWER", rep.ViewerRole},
		{"viewer sees no button", rep.ViewerButtons == 0, rep.ViewerButtons},
		{"operator sees the pending transfer's buttons", rep.OperatorButtons == 2, rep.OperatorButtons},
		{"chart of 30 days by day", rep.ChartPoints == 30, rep.ChartPoints},
		{"a browser in Spanish gets the page in Spanish", rep.Spanish.Lang == "es" && rep.Spanish.Title == "Panel de stockmesh", rep.Spanish},
		{"numbers in Spanish format", rep.Spanish.LastMovementBalance == fmt.Sprintf("%d.%03d", histQty/1000, histQty%1000), rep.Spanish},
		{"live data came over the websocket", slices.Contains(rep.WSReceived, "next"), rep.WSReceived},
		{"pages requested only the node", foreign(rep.Requests, front.Addr()) == nil, foreign(rep.Requests, front.Addr())},
		{"page opened the node's websocket", slices.Contains(rep.Requests, "wss://"+front.Addr()+"/graphql"), rep.Requests},
		{"no uncaught page errors or blocked content", len(rep.Errors) == 0, rep.Errors},
		{"token removed from the address bar", !rep.TokenLeftInURL, rep.TokenLeftInURL},
		{"token kept in session storage", rep.TokenStored, rep.TokenStored},
		{"no token in any URL", !slices.ContainsFunc(rep.Requests, func(u string) bool {
			return strings.Contains(u, operator) || strings.Contains(u, viewer)
		}), rep.Requests},
	}
	for _, c := range cases {
		if !c.ok {
			t.Errorf("%s: got %v", c.name, c.got)
		}
	}
	checkHistory(t, bcn, map[string]int{"BCN-1": 15, "MAD-1": 30, "VLC-1": 4})
	checkScreenshot(t, shot)
	t.Logf("screenshot: %s", shot)
}

// waitLevel waits until n holds qty units of sku in warehouse.
func waitLevel(t *testing.T, n *testnode.Node, sku, warehouse string, qty int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for levels(t, n, sku)[warehouse].Quantity != qty {
		if time.Now().After(deadline) {
			t.Fatalf("%s of %s never reached %d on %s", sku, warehouse, qty, n.Addr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkHistory asks n for DASH-1's stockHistory of the last two days by
// day in every warehouse: the local one first, then by id, each ending at
// its stock now (want), as the replicas n holds have it.
func checkHistory(t *testing.T, n *testnode.Node, want map[string]int) {
	t.Helper()
	now := time.Now().UTC()
	var out struct {
		StockHistory []struct {
			Warehouse struct{ ID string }
			At        time.Time
			Quantity  int
		}
	}
	decode(t, n.MustGraphQL(t, `query($f: Time!, $t: Time!) { stockHistory(sku: "DASH-1", from: $f, to: $t, step: DAY) { warehouse { id } at quantity } }`,
		map[string]any{"f": now.Add(-48 * time.Hour), "t": now.Add(time.Minute)}), &out)
	var order []string
	last := map[string]int{}
	for _, p := range out.StockHistory {
		if !slices.Contains(order, p.Warehouse.ID) {
			order = append(order, p.Warehouse.ID)
		}
		last[p.Warehouse.ID] = p.Quantity
	}
	if !slices.Equal(order, []string{"BCN-1", "MAD-1", "VLC-1"}) || fmt.Sprint(last) != fmt.Sprint(want) {
		t.Errorf("stockHistory answered %+v: warehouses %v ending at %v, want BCN-1, MAD-1, VLC-1 ending at %v", out.StockHistory, order, last, want)
	}
}

// recordMany records n movements of sku on node, a hundred per request
// (the two inputs in variables, as the parser limits tokens), alternately
// purchases of 3 and sales of 1, and returns the stock after them (from 0).
func recordMany(t *testing.T, node *testnode.Node, sku string, n int) int {
	t.Helper()
	vars := map[string]any{
		"p": map[string]any{"sku": sku, "kind": "PURCHASE", "quantity": 3},
		"s": map[string]any{"sku": sku, "kind": "SALE", "quantity": 1},
	}
	qty := 0
	for done := 0; done < n; {
		var b strings.Builder
		b.WriteString("mutation($p: MovementInput!, $s: MovementInput!) {")
		for i := 0; i < 100 && done < n; i, done = i+1, done+1 {
			in := "p"
			if done%2 == 1 {
				in, qty = "s", qty-1
			} else {
				qty += 3
			}
			fmt.Fprintf(&b, " m%d: recordMovement(input: $%s) { id }", i, in)
		}
		b.WriteString(" }")
		decode(t, node.MustGraphQL(t, b.String(), vars), &struct{}{})
	}
	return qty
}

// issueToken creates a token of role on n through its admin's API.
func issueToken(t *testing.T, n *testnode.Node, name, role string) string {
	t.Helper()
	var out struct{ CreateToken struct{ Token string } }
	decode(t, n.MustGraphQL(t, `mutation($n: String!, $r: Role!) { createToken(name: $n, role: $r) { token } }`,
		map[string]any{"n": name, "r": role}), &out)
	return out.CreateToken.Token
}

// scriptRun is a browser script running, its output lines arriving on lines.
type scriptRun struct {
	lines  chan string
	done   chan struct{}
	err    error
	stderr testnode.Buffer
}

// startScript runs node with args; the script is stopped (SIGTERM, on
// which puppeteer closes Chromium) at the end of the test.
func startScript(t *testing.T, args []string) *scriptRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	cmd := exec.CommandContext(ctx, "node", args...)
	r := &scriptRun{lines: make(chan string, 64), done: make(chan struct{})}
	cmd.Stderr = &r.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("starting node %s: %v", args[0], err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			r.lines <- sc.Text()
		}
		r.err = cmd.Wait()
		close(r.lines)
		close(r.done)
	}()
	t.Cleanup(func() { cancel(); <-r.done })
	return r
}

// next returns the script's next output line, failing the test when it
// ended without one.
func (r *scriptRun) next(t *testing.T) string {
	t.Helper()
	line, ok := <-r.lines // bounded by browserTimeout
	if !ok {
		<-r.done
		t.Fatalf("browser script ended: %v\nstderr:\n%s", r.err, r.stderr.String())
	}
	return line
}

// waitFor waits for the script's {"event": event} line.
func (r *scriptRun) waitFor(t *testing.T, event string) {
	t.Helper()
	for {
		var ev struct{ Event string }
		if line := r.next(t); json.Unmarshal([]byte(line), &ev) == nil && ev.Event == event {
			return
		}
	}
}

// last waits for the script's done line and decodes it into v.
func (r *scriptRun) last(t *testing.T, v any) {
	t.Helper()
	for {
		line := r.next(t)
		var ev struct{ Event string }
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Event == "done" {
			if err := json.Unmarshal([]byte(line), v); err != nil {
				t.Fatalf("decoding %q: %v", line, err)
			}
			return
		}
	}
}
