package e2e

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/internal/testnode"
)

// pyroRoleScript calls every method of inventario.servicio once and prints
// each outcome as "method ok" or "method ExceptionClass: message".
const pyroRoleScript = `
import Pyro4
p = Pyro4.Proxy("PYRONAME:inventario.servicio")
calls = [
    ("listar_productos", lambda: p.listar_productos()),
    ("obtener_producto", lambda: p.obtener_producto("PR-1")),
    ("agregar_producto", lambda: p.agregar_producto("PR-2", "nuevo", 1)),
    ("actualizar_stock", lambda: p.actualizar_stock("PR-1", 9)),
    ("eliminar_producto", lambda: p.eliminar_producto("PR-1")),
]
for name, call in calls:
    try:
        call()
        print(name, "ok")
    except Exception as e:
        print(name, type(e).__name__ + ":", e)
`

// TestPyro4Roles: Pyro4 clients carry no identity, so --pyro-role says what
// they may do: every method against every role (the default, admin, runs
// the exercise's five methods as they are). A refusal is a PermissionError
// naming the role needed.
func TestPyro4Roles(t *testing.T) {
	needPyro4(t)
	need := map[string]string{"listar_productos": "viewer", "obtener_producto": "viewer",
		"agregar_producto": "operator", "actualizar_stock": "operator", "eliminar_producto": "admin"}
	for _, role := range []string{"viewer", "operator", "admin", ""} {
		name := role
		if role == "" {
			name = "default"
		}
		t.Run(name, func(t *testing.T) {
			ns := testnode.FreeAddr(t)
			args := []string{"--pyro", testnode.FreeAddr(t), "--pyro-ns-embedded", ns}
			if role != "" {
				args = append(args, "--pyro-role", role)
			}
			n := testnode.Start(t, args...)
			mustCreate(t, n, "PR-1", 5)
			waitRegistered(t, ns)
			out, err := runPython(t, pyEnv(ns, ""), "", "-c", pyroRoleScript)
			if err != nil {
				t.Fatalf("python: %v\n%s", err, out)
			}
			caller := role
			if caller == "" {
				caller = "admin"
			}
			for method, min := range need {
				line := lineOf(out, method+" ")
				switch want(caller, min) {
				case "":
					if line != method+" ok" {
						t.Errorf("as %s: %q, want ok", caller, line)
					}
				default:
					if !strings.HasPrefix(line, method+" PermissionError:") || !strings.Contains(line, "the "+min+" role") {
						t.Errorf("as %s: %q, want a PermissionError naming the %s role", caller, line, min)
					}
				}
			}
		})
	}
	t.Run("bad role", func(t *testing.T) {
		out := testnode.RunFailing(t, 30e9, "--data", t.TempDir(), "--listen", testnode.FreeAddr(t),
			"--pyro", testnode.FreeAddr(t), "--pyro-role", "root")
		if !strings.Contains(out, "--pyro-role") {
			t.Errorf("a bad --pyro-role is refused without naming the flag:\n%s", out)
		}
	})
}

// lineOf returns the first line of out starting with prefix.
func lineOf(out, prefix string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, prefix) {
			return l
		}
	}
	return ""
}
