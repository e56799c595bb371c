package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestNoForbiddenDependencies keeps the client a static, cgo-free binary that
// talks to the node only over its API.
func TestNoForbiddenDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	forbidden := []string{
		"entgo.io/ent",
		"github.com/stockmesh/stockmesh/ent",
		"github.com/pebbe/zmq4",
		"github.com/mattn/go-sqlite3",
		"github.com/stockmesh/stockmesh/server",
		"github.com/99designs/gqlgen",
		"runtime/cgo",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !contains(deps, "github.com/gorilla/websocket") {
		t.Fatalf("go list -deps gave an implausible list: %v", deps)
	}
	for _, d := range deps {
		for _, f := range forbidden {
			if d == f || strings.HasPrefix(d, f+"/") {
				t.Errorf("client depends on %s", d)
			}
		}
	}
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
