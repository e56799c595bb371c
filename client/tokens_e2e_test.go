package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// TestTokensE2E: an admin issues, lists and revokes tokens with the
// console client, in English and Spanish; the issued token works within
// its role, a refusal names the role needed, and a revoked token is
// refused.
func TestTokensE2E(t *testing.T) {
	node := testnode.Start(t)
	if r := runClient(t, node, "product", "add", "--sku", "T1", "--name", "Tuerca", "--price", "1", "--quantity", "5"); r.code != 0 {
		t.Fatalf("product add: %d %s", r.code, r.stderr)
	}
	r := runClient(t, node, "token", "create", "--role", "operator", "--name", "scanner-3")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 2 || !strings.Contains(lines[0], "for scanner-3 (operator)") || !strings.HasPrefix(lines[1], "smk_") {
		t.Fatalf("token create: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	secret := lines[1]
	var created struct{ ID, Token, Name, Role string }
	r = runClient(t, node, "token", "create", "--role", "viewer", "--name", "wall", "--expires-in", "720h", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &created); err != nil || created.Role != "viewer" || created.Token == "" {
		t.Fatalf("token create --json: %v %d\n%s%s", err, r.code, r.stdout, r.stderr)
	}
	for _, bad := range [][]string{{"token", "create", "--role", "root", "--name", "x"}, {"token", "create", "--role", "viewer"},
		{"token", "create", "--role", "viewer", "--name", "x", "--expires-in", "soon"}, {"token", "revoke"}} {
		if r := runClient(t, node, bad...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (usage)\n%s", bad, r.code, r.stderr)
		}
	}
	r = runClient(t, node, "token", "list")
	for _, want := range []string{"ROLE", "scanner-3", "operator", "wall", "viewer", "admin", "active"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Fatalf("token list lacks %q: %d\n%s%s", want, r.code, r.stdout, r.stderr)
		}
	}
	op := *node
	op.Token = secret
	if r := runClient(t, &op, "stock", "set", "T1", "9"); r.code != 0 {
		t.Fatalf("the operator setting stock: %d %s", r.code, r.stderr)
	}
	r = runClient(t, &op, "product", "delete", "T1", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "Not allowed") || !strings.Contains(r.stderr, "admin role") {
		t.Fatalf("the operator deleting: %d %s", r.code, r.stderr)
	}
	// In Spanish, the refusal is all Spanish, naming the role needed: the
	// node's English stays out.
	if r := runClient(t, &op, "token", "list", "--lang", "es"); r.code != 1 ||
		!strings.Contains(r.stderr, "No permitido: esto necesita el rol admin (administrador) (o uno superior); el token «scanner-3» tiene el rol operator (operador).") ||
		strings.Contains(r.stderr, "needs") || strings.Contains(r.stderr, " has the ") {
		t.Fatalf("the operator listing tokens: %d %s", r.code, r.stderr)
	}
	r = runClient(t, node, "token", "list", "--json")
	var list []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("token list --json: %v\n%s", err, r.stdout)
	}
	i := slices.IndexFunc(list, func(x struct{ ID, Name string }) bool { return x.Name == "scanner-3" })
	if i < 0 {
		t.Fatalf("scanner-3 not listed: %+v", list)
	}
	if r := runClient(t, node, "token", "revoke", list[i].ID, "--lang", "es"); r.code != 0 || !strings.Contains(r.stdout, "Revocado el token "+list[i].ID+" (scanner-3)") {
		t.Fatalf("token revoke: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runClient(t, &op, "products"); r.code != 1 || !strings.Contains(r.stderr, "did not accept the token") {
		t.Fatalf("the revoked token: %d %s", r.code, r.stderr)
	}
	if r := runClient(t, node, "token", "list", "--lang", "es"); !strings.Contains(r.stdout, "revocado") || !strings.Contains(r.stdout, "ROL") {
		t.Fatalf("token list in Spanish:\n%s", r.stdout)
	}
}
