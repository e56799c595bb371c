package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/playground/internal/bundle"
)

// fakeWeb writes a web directory whose package.json pins 1.0.0 of every
// package and whose node_modules holds the given installed versions.
func fakeWeb(t *testing.T, installed map[string]string) string {
	t.Helper()
	web := t.TempDir()
	write := func(path, data string) {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(web, "package.json"),
		`{"dependencies":{"graphiql":"1.0.0","react":"1.0.0","react-dom":"1.0.0"}}`)
	for pkg, version := range installed {
		write(filepath.Join(web, "node_modules", pkg, "package.json"), `{"version":"`+version+`"}`)
	}
	for _, f := range bundle.Files() {
		write(filepath.Join(web, "node_modules", f.Package, f.Source), f.Package+"/"+f.Source)
	}
	return web
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		installed map[string]string
		wantErr   string
	}{
		{"pinned versions are copied", map[string]string{"graphiql": "1.0.0", "react": "1.0.0", "react-dom": "1.0.0"}, ""},
		{"stale package is refused", map[string]string{"graphiql": "1.0.0", "react": "0.9.0", "react-dom": "1.0.0"}, "installed version 0.9.0"},
		{"absent package is refused", map[string]string{"react": "1.0.0", "react-dom": "1.0.0"}, "run npm ci"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			web, out := fakeWeb(t, tt.installed), t.TempDir()
			err := run(web, out)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("run = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range bundle.Files() {
				got, err := os.ReadFile(filepath.Join(out, f.Name))
				if err != nil || string(got) != f.Package+"/"+f.Source {
					t.Errorf("%s = %q, %v; want the contents of %s/%s", f.Name, got, err, f.Package, f.Source)
				}
			}
		})
	}
}
