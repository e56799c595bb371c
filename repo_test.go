package stockmesh

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDependencyDirection keeps the layering: only the store reaches the
// database. The console client's and server/pyro's stricter rules are in
// their own tests (client/deps_test.go, server/pyro/inventory_test.go).
func TestDependencyDirection(t *testing.T) {
	const (
		ent    = "github.com/stockmesh/stockmesh/ent"
		sqlite = "github.com/mattn/go-sqlite3"
		entgo  = "entgo.io/ent"
	)
	cases := []struct {
		pkg       string
		direct    bool // check only the package's own imports, not everything below them
		forbidden []string
	}{
		{"./graph/...", false, []string{ent, entgo, sqlite}},
		{"./server/rest", false, []string{ent, entgo, sqlite}},
		{"./server/stock", false, []string{ent, entgo, sqlite}},
		{"./server/node", true, []string{ent, entgo, sqlite}},
		{"./server/jobq", false, []string{ent, entgo, sqlite}},
		// member is shared with the replication engine: it reaches the
		// database only through stock.Service, never the queue or store.
		{"./server/member", false, []string{ent, entgo, sqlite, "github.com/stockmesh/stockmesh/server/jobq", "github.com/stockmesh/stockmesh/server/store"}},
	}
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			args := []string{"list", "-deps", c.pkg}
			if c.direct {
				args = []string{"list", "-f", `{{join .Imports "\n"}}`, c.pkg}
			}
			out, err := exec.Command("go", args...).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range c.forbidden {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", c.pkg, dep)
					}
				}
			}
		})
	}
}

// TestOnlyTransportLinksZMQ keeps the domain away from the transport:
// of every package in the module, only the job queue, the store, the node
// that wires them and stockmeshd itself may depend on pebbe/zmq4 (and so
// on cgo for it). The domain, the feed, the APIs and the clients name job
// classes and errors of their own.
func TestOnlyTransportLinksZMQ(t *testing.T) {
	const zmq = "github.com/pebbe/zmq4"
	allowed := map[string]bool{}
	for _, p := range []string{"server", "server/jobq", "server/store", "server/node"} {
		allowed["github.com/stockmesh/stockmesh/"+p] = true
	}
	out, err := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, deps := fields[0], fields[1:]
		if strings.HasSuffix(pkg, ".test") {
			continue // a test binary's main: it links what its package's tests do, checked below
		}
		if len(deps) > 0 && strings.HasPrefix(deps[0], "[") {
			deps = deps[1:] // pkg compiled with its tests: they must not link the queue either
		}
		checked++
		for _, dep := range deps {
			if dep == zmq && !allowed[pkg] {
				t.Errorf("%s depends on %s; only %v may", pkg, zmq, allowed)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d packages: go list output changed?\n%s", checked, out)
	}
}

// TestDocComments: every hand-written package has a package comment and
// every exported top-level name a doc comment.
func TestDocComments(t *testing.T) {
	pkgs := map[string]bool{} // dir -> has package doc
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || generated(path) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		pkgs[dir] = pkgs[dir] || f.Doc != nil
		for _, decl := range f.Decls {
			checkDecl(t, path, decl)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, ok := range pkgs {
		if !ok {
			t.Errorf("package in %s has no package doc comment", dir)
		}
	}
}

// generated reports whether path is generated code (ent's and gqlgen's).
func generated(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	head := string(b[:min(len(b), 600)])
	return strings.Contains(head, "Code generated") && strings.Contains(head, "DO NOT EDIT") ||
		strings.HasPrefix(path, "ent/") && !strings.HasPrefix(path, "ent/schema/") && path != "ent/generate.go"
}

func checkDecl(t *testing.T, path string, decl ast.Decl) {
	switch d := decl.(type) {
	case *ast.FuncDecl:
		if d.Name.IsExported() && d.Doc == nil && receiverExported(d) {
			t.Errorf("%s: %s has no doc comment", path, d.Name.Name)
		}
	case *ast.GenDecl:
		for _, s := range d.Specs {
			var names []*ast.Ident
			var doc *ast.CommentGroup
			switch s := s.(type) {
			case *ast.TypeSpec:
				names, doc = []*ast.Ident{s.Name}, s.Doc
			case *ast.ValueSpec:
				names, doc = s.Names, s.Doc
			}
			for _, n := range names {
				if n.IsExported() && doc == nil && d.Doc == nil {
					t.Errorf("%s: %s has no doc comment", path, n.Name)
				}
			}
		}
	}
}

// receiverExported reports whether a method's receiver type is exported
// (methods of unexported types need no doc comment), or d is a function.
func receiverExported(d *ast.FuncDecl) bool {
	if d.Recv == nil || len(d.Recv.List) == 0 {
		return true
	}
	typ := d.Recv.List[0].Type
	if s, ok := typ.(*ast.StarExpr); ok {
		typ = s.X
	}
	if ix, ok := typ.(*ast.IndexExpr); ok {
		typ = ix.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.IsExported()
}

// TestGofmt: every Go file is formatted as gofmt formats it.
func TestGofmt(t *testing.T) {
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if out, err := format.Source(src); err != nil || !bytes.Equal(out, src) {
			t.Errorf("%s is not gofmt-formatted (run gofmt -w %s)", path, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
