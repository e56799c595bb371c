package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// principals of the role tests: a token of each role, a revoked one, and
// none at all.
type principals map[string]string

// issueTokens creates a token of each role and a revoked operator token
// through the admin's GraphQL API.
func issueTokens(t *testing.T, n *testnode.Node) principals {
	t.Helper()
	ps := principals{"none": "", "admin": n.Token}
	for _, role := range []string{"viewer", "operator", "revoked"} {
		gqlRole := strings.ToUpper(role)
		if role == "revoked" {
			gqlRole = "OPERATOR"
		}
		var out struct {
			CreateToken struct{ ID, Token, Role string }
		}
		decode(t, n.MustGraphQL(t, `mutation($n: String!, $r: Role!) { createToken(name: $n, role: $r) { id token role } }`,
			map[string]any{"n": role + "-1", "r": gqlRole}), &out)
		if out.CreateToken.Role != gqlRole || !strings.HasPrefix(out.CreateToken.Token, "smk_") {
			t.Fatalf("createToken answered %+v", out.CreateToken)
		}
		ps[role] = out.CreateToken.Token
		if role == "revoked" {
			n.MustGraphQL(t, `mutation($id: ID!) { revokeToken(id: $id) { id revokedAt } }`, map[string]any{"id": out.CreateToken.ID})
		}
	}
	return ps
}

// as returns a copy of n that calls with token.
func as(n *testnode.Node, token string) *testnode.Node {
	c := *n
	c.Token = token
	return &c
}

// want is the outcome of an operation for a principal: "" allowed, else
// the error code.
func want(caller, need string) string {
	rank := map[string]int{"viewer": 1, "operator": 2, "admin": 3}
	switch caller {
	case "none", "revoked":
		return "UNAUTHENTICATED"
	}
	if rank[caller] >= rank[need] {
		return ""
	}
	return "FORBIDDEN"
}

// rolesNetwork starts MAD-1 and BCN-1, with a product R-0 of 100 units on
// each, and returns MAD-1, BCN-1 and the ids of a transfer MAD-1 sent to
// BCN-1 and of one BCN-1 sent to MAD-1, which MAD-1 knows.
func rolesNetwork(t *testing.T) (n, b *testnode.Node, out, in string) {
	t.Helper()
	n = testnode.Start(t, "--id", "MAD-1", "--name", "Madrid")
	b = testnode.StartJoined(t, n, n.JoinToken(t, 600), "BCN-1")
	for _, m := range []*testnode.Node{n, b} {
		m.WaitPeers(t, 60*time.Second, allOnline([]string{"MAD-1", "BCN-1"}))
		mustCreate(t, m, "R-0", 100)
	}
	sent, code := sendTransfer(n, "R-0", "BCN-1", 1, "")
	got, code2 := sendTransfer(b, "R-0", "MAD-1", 1, "")
	if code != "" || code2 != "" {
		t.Fatalf("transferStock: %q %q", code, code2)
	}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if _, code := transferOn(n, got.ID); code == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("MAD-1 does not know transfer %s after 60 s", got.ID)
		}
	}
	return n, b, sent.ID, got.ID
}

// TestRolesGraphQL: every GraphQL operation against every role, no token
// and a revoked token, over the real HTTPS server of a node of a network
// of two (transfers go to a member). A refusal names the role needed.
func TestRolesGraphQL(t *testing.T) {
	n, _, out, in := rolesNetwork(t)
	ps := issueTokens(t, n)
	ops := []struct {
		name, need, query string
	}{
		{"localWarehouse", "viewer", `{ localWarehouse { id } }`},
		{"warehouses", "viewer", `{ warehouses { id } }`},
		{"product", "viewer", `{ product(sku: "R-0") { sku } }`},
		{"products", "viewer", `{ products { totalCount } }`},
		{"movements", "viewer", `{ movements { edges { cursor } } }`},
		{"stockLevels", "viewer", `{ stockLevels(sku: "R-0") { quantity } }`},
		{"movementReport", "viewer", `{ movementReport(groupBy: [SKU]) { keys net } }`},
		{"stockAt", "viewer", `{ stockAt(sku: "R-0", at: "2030-01-01T00:00:00Z") }`},
		{"lowStock", "viewer", `{ lowStock { sku } }`},
		{"productHistory", "viewer", `{ product(sku: "R-0") { history { kind actor } } }`},
		{"createProduct", "operator", `mutation { createProduct(input: {sku: "R-%[1]s", name: "r", price: "1"}) { sku } }`},
		{"updateProduct", "operator", `mutation { updateProduct(sku: "R-0", input: {name: "r %[1]s"}) { sku } }`},
		{"recordMovement", "operator", `mutation { recordMovement(input: {sku: "R-0", kind: PURCHASE, quantity: 1}) { id } }`},
		{"setStock", "operator", `mutation { setStock(sku: "R-0", quantity: 50) { id } }`},
		{"transfers", "viewer", `{ transfers(first: 5) { edges { node { id reference note } } } }`},
		{"transfer", "viewer", `{ transfer(id: "{out}") { id status } }`},
		{"movementTransfer", "viewer", `{ movements(filter: {reference: "{out}"}) { edges { node { transfer { id } } } } }`},
		{"transferStock", "operator", `mutation { transferStock(input: {sku: "R-0", to: "BCN-1", quantity: 1, idempotencyKey: "rt-%[1]s"}) { id } }`},
		{"receiveTransfer", "operator", `mutation { receiveTransfer(id: "{in}") { id status } }`},
		{"cancelTransfer", "operator", `mutation { cancelTransfer(id: "{out}") { id } }`},
		{"deleteProduct", "admin", `mutation { deleteProduct(sku: "D-%[1]s") { sku } }`},
		{"tokens", "admin", `{ tokens { id name role } }`},
		{"auditLog", "admin", `{ auditLog(first: 5) { edges { node { actor action } } } }`},
		{"createToken", "admin", `mutation { createToken(name: "t-%[1]s", role: VIEWER) { id } }`},
		{"revokeToken", "admin", `mutation { revokeToken(id: "999999") { id } }`},
		{"rotateKeys", "admin", `mutation { rotateKeys { key } }`},
		{"createJoinToken", "admin", `mutation { createJoinToken { expiresAt } }`},
		{"leaveNetwork", "admin", `mutation { leaveNetwork { id departed } }`}, // last: the admin's call leaves
	}
	for _, op := range ops {
		for _, who := range []string{"none", "revoked", "viewer", "operator", "admin"} {
			t.Run(op.name+"/"+who, func(t *testing.T) {
				if op.name == "deleteProduct" {
					mustCreate(t, n, "D-"+who, 1)
				}
				q := fmt.Sprintf(op.query, who)
				if !strings.Contains(op.query, "%[1]s") {
					q = op.query
				}
				q = strings.NewReplacer("{out}", out, "{in}", in).Replace(q)
				r, err := as(n, ps[who]).GraphQL(context.Background(), q, nil)
				if err != nil {
					t.Fatal(err)
				}
				got := r.Code()
				exp := want(who, op.need)
				if op.name == "revokeToken" && exp == "" {
					exp = "NOT_FOUND" // allowed, and the id is unknown
				}
				if got != exp {
					t.Fatalf("%s as %s: code %q, want %q (%v)", op.name, who, got, exp, r.Errors)
				}
				if exp == "FORBIDDEN" && !strings.Contains(r.Errors[0].Message, "the "+op.need+" role") {
					t.Fatalf("refusal %q does not name the %s role", r.Errors[0].Message, op.need)
				}
				if exp == "FORBIDDEN" {
					if x := r.Errors[0].Extensions; x["neededRole"] != op.need || x["tokenRole"] != who {
						t.Fatalf("refusal's extensions %v, want neededRole %s and tokenRole %s", x, op.need, who)
					}
				}
			})
		}
	}
}

// TestRolesREST: every REST route and /metrics against every role, no
// token and a revoked one: reads take any valid token, the CSV import an
// operator's; a missing or revoked token is 401, a role too low 403.
func TestRolesREST(t *testing.T) {
	n := testnode.Start(t)
	ps := issueTokens(t, n)
	mustCreate(t, n, "R-1", 1)
	routes := []struct{ method, path, need, body string }{
		{"GET", "/api/v1/inventory", "viewer", ""},
		{"GET", "/api/v1/products/R-1", "viewer", ""},
		{"GET", "/api/v1/movements", "viewer", ""},
		{"GET", "/api/v1/peers", "viewer", ""},
		{"GET", "/api/v1/transfers", "viewer", ""},
		{"GET", "/api/v1/products.csv", "viewer", ""},
		{"GET", "/api/v1/reports/movements.csv", "viewer", ""},
		{"GET", "/api/v1/reports/summary.csv?groupBy=SKU", "viewer", ""},
		{"GET", "/metrics", "viewer", ""},
		{"POST", "/api/v1/products/import", "operator", "sku,name,price\nIMP-%s,imported,1.50\n"},
	}
	for _, rt := range routes {
		for _, who := range []string{"none", "revoked", "viewer", "operator", "admin"} {
			t.Run(rt.method+" "+rt.path+"/"+who, func(t *testing.T) {
				var body io.Reader
				if rt.body != "" {
					body = strings.NewReader(fmt.Sprintf(rt.body, who))
				}
				req, _ := http.NewRequest(rt.method, n.URL+rt.path, body)
				if ps[who] != "" {
					req.Header.Set("Authorization", "Bearer "+ps[who])
				}
				resp, err := n.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				exp := map[string]int{"": http.StatusOK, "UNAUTHENTICATED": http.StatusUnauthorized,
					"FORBIDDEN": http.StatusForbidden}[want(who, rt.need)]
				if resp.StatusCode != exp {
					t.Fatalf("%s %s as %s: %d %s, want %d", rt.method, rt.path, who, resp.StatusCode, b, exp)
				}
				if exp == http.StatusForbidden && !strings.Contains(string(b), `"needs":"`+rt.need+`"`) {
					t.Fatalf("%s %s as %s: refusal %s does not give the role needed (%s)", rt.method, rt.path, who, b, rt.need)
				}
			})
		}
	}
}

// TestRolesWebsocket: a viewer subscribes (to stockChanged and to
// transferUpdated); no token and a revoked one are refused at
// connection_init; revoking the token of an open subscription closes it.
func TestRolesWebsocket(t *testing.T) {
	n, _, _, _ := rolesNetwork(t)
	ps := issueTokens(t, n)
	for _, who := range []string{"none", "revoked"} {
		if c, err := dialWS(t, n, "graphql-transport-ws", ps[who]); err == nil {
			c.c.Close()
			t.Fatalf("connection_init as %s was accepted", who)
		}
	}
	mustCreate(t, n, "W-1", 1)
	var out struct{ CreateToken struct{ ID, Token string } }
	decode(t, n.MustGraphQL(t, `mutation { createToken(name: "screen", role: VIEWER) { id token } }`, nil), &out)
	c, err := dialWS(t, n, "graphql-transport-ws", out.CreateToken.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer c.c.Close()
	c.subscribe("1", `subscription { stockChanged(sku: "W-1") { quantity } }`)
	tc, err := dialWS(t, n, "graphql-transport-ws", out.CreateToken.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.c.Close()
	tc.subscribe("1", `subscription { transferUpdated(warehouse: "MAD-1") { sku status reference } }`)
	waitMetric(t, n, "stockmesh_subscriptions_open", 2) // both started before the changes
	n.MustGraphQL(t, `mutation { setStock(sku: "W-1", quantity: 7) { id } }`, nil)
	for d := c.next(); fmt.Sprint(d) != "map[stockChanged:map[quantity:7]]"; d = c.next() {
		if fmt.Sprint(d) != "map[stockChanged:map[quantity:1]]" { // the creation, when it reaches the feed late
			t.Fatalf("viewer's subscription got %v", d)
		}
	}
	mustCreate(t, n, "W-2", 5)
	if _, code := sendTransfer(n, "W-2", "BCN-1", 2, "ws"); code != "" {
		t.Fatalf("transferStock: %s", code)
	}
	for d := tc.next(); fmt.Sprint(d) != "map[transferUpdated:map[reference:DN-ws sku:W-2 status:IN_TRANSIT]]"; d = tc.next() {
		if fmt.Sprint(d["transferUpdated"]) == "<nil>" { // rolesNetwork's transfers, when they reach the desk late
			t.Fatalf("viewer's transfer subscription got %v", d)
		}
	}
	n.MustGraphQL(t, `mutation($id: ID!) { revokeToken(id: $id) { id } }`, map[string]any{"id": out.CreateToken.ID})
	waitClosed(t, c)
	waitClosed(t, tc)
}

// waitClosed reads c until the node closes it with 4401 (the token no
// longer valid); a read that times out (30 s) means the node kept it open.
func waitClosed(t *testing.T, c *wsConn) {
	t.Helper()
	for {
		m, err := c.read()
		var ne net.Error
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			t.Fatal("the socket stayed open")
		case websocket.IsCloseError(err, 4401):
			return
		case err != nil:
			t.Fatalf("the socket ended with %v, want a close with 4401", err)
		case m["type"] == "next", m["type"] == "complete", m["type"] == "ping", m["type"] == "pong", m["type"] == "ka":
		default:
			t.Fatalf("the socket sent %v", m)
		}
	}
}

// TestTokenExpires: a token with expiresAt works until then and is refused
// from then on; its open subscription is closed when it expires.
func TestTokenExpires(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "E-1", 1)
	exp := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
	var out struct {
		CreateToken struct{ Token, ExpiresAt string }
	}
	decode(t, n.MustGraphQL(t, `mutation($e: Time) { createToken(name: "temp", role: VIEWER, expiresAt: $e) { token expiresAt } }`,
		map[string]any{"e": exp}), &out)
	v := as(n, out.CreateToken.Token)
	if r, err := v.GraphQL(context.Background(), `{ product(sku: "E-1") { sku } }`, nil); err != nil || r.Code() != "" {
		t.Fatalf("before it expires: %v %v", err, r.Errors)
	}
	c, err := dialWS(t, n, "graphql-transport-ws", out.CreateToken.Token)
	if err != nil {
		t.Fatal(err)
	}
	defer c.c.Close()
	c.subscribe("1", `subscription { stockChanged(sku: "E-1") { quantity } }`)
	waitClosed(t, c) // at expiry
	if r, err := v.GraphQL(context.Background(), `{ product(sku: "E-1") { sku } }`, nil); err != nil || r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("after it expired: %v %+v", err, r)
	}
	r, err := n.GraphQL(context.Background(), `mutation { createToken(name: "late", role: VIEWER, expiresAt: "2020-01-01T00:00:00Z") { id } }`, nil)
	if err != nil || r.Code() != "INVALID_INPUT" {
		t.Fatalf("a token expiring in the past: %v %+v", err, r)
	}
}

// TestUnknownTokensCostNoJob: a flood of made-up bearer tokens is refused
// without a database job each, and counted in /metrics; an address that
// keeps failing has its failures answered late, while a valid token from
// it still works.
func TestUnknownTokensCostNoJob(t *testing.T) {
	n := testnode.Start(t)
	before := sample(t, n, `stockmesh_job_wait_seconds_count{class="lookup"}`)
	const flood, workers = 150, 50
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < flood; i += workers {
				req, _ := http.NewRequest(http.MethodGet, n.URL+"/api/v1/inventory", nil)
				req.Header.Set("Authorization", fmt.Sprintf("Bearer smk_%043d", i))
				resp, err := n.Client().Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	t.Logf("statuses: %v", codes)
	after := sample(t, n, `stockmesh_job_wait_seconds_count{class="lookup"}`)
	if after-before > 10 {
		t.Errorf("%d made-up tokens made %v lookup jobs", flood, after-before)
	}
	if codes[http.StatusUnauthorized] != flood {
		t.Errorf("statuses of %d made-up tokens from one address: %v, want 401s", flood, codes)
	}
	refused := sample(t, n, `stockmesh_auth_failures_total{result="refused"}`)
	delayed := sample(t, n, `stockmesh_auth_failures_total{result="delayed"}`)
	if refused != 50 || refused+delayed != flood {
		t.Errorf("failures refused at once %v, delayed %v; want the first 50 at once and the other %d delayed", refused, delayed, flood-50)
	}
	if r, err := n.GraphQL(context.Background(), `{ localWarehouse { id } }`, nil); err != nil || r.Code() != "" {
		t.Fatalf("the admin token from the same address: %v %v", err, r.Errors)
	}
}

// sample returns the value of the sample named exactly name (with its
// labels) in n's /metrics, 0 when absent.
func sample(t *testing.T, n *testnode.Node, name string) float64 {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+n.Token)
	resp, err := n.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return 0
}

// TestTokenCreateOffline: stockmeshd token create works on a stopped node,
// and the token works once it starts; the change log and audit log name
// who did what.
func TestTokenCreateOffline(t *testing.T) {
	n := testnode.Start(t)
	mustCreate(t, n, "O-1", 3)
	n.Stop()
	cmd := exec.Command(testnode.Binary(t), "token", "create", "--data", n.DataDir, "--role", "operator", "--name", "scanner-3")
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("stockmeshd token create on a stopped node: %v", err)
	}
	out := string(b)
	n.Restart(t)
	op := as(n, strings.TrimSpace(out))
	r, err := op.GraphQL(context.Background(), `mutation { recordMovement(input: {sku: "O-1", kind: SALE, quantity: 1}) { actor } }`, nil)
	if err != nil || r.Code() != "" {
		t.Fatalf("the offline token: %v %v", err, r.Errors)
	}
	// With the node running it asks the node; the defaults are an admin named admin.
	b, err = exec.Command(testnode.Binary(t), "token", "create", "--data", n.DataDir).Output()
	if err != nil {
		t.Fatalf("stockmeshd token create on a running node: %v", err)
	}
	r, err = as(n, strings.TrimSpace(string(b))).GraphQL(context.Background(), `{ tokens { name role } }`, nil)
	if err != nil || r.Code() != "" {
		t.Fatalf("the admin token made online: %v %v", err, r.Errors)
	}
	var audit struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Actor, Action, Subject string }
			}
		}
	}
	decode(t, n.MustGraphQL(t, `{ auditLog(first: 10) { edges { node { actor action subject } } } }`, nil), &audit)
	got := fmt.Sprint(audit.AuditLog.Edges)
	for _, w := range []string{"{{scanner-3 movement O-1}}", "{{stockmeshd token.created", "{{admin product.created O-1}}"} {
		if !strings.Contains(got, w) {
			t.Errorf("audit log %s lacks %s", got, w)
		}
	}
	decode(t, n.MustGraphQL(t, `{ auditLog(first: 10, actor: "scanner-3") { edges { node { actor action subject } } } }`, nil), &audit)
	if len(audit.AuditLog.Edges) != 1 {
		t.Errorf("auditLog(actor: scanner-3) = %v, want the one movement", audit.AuditLog.Edges)
	}
}
