package ent_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

// handWritten lists the files of ent/ that the generator does not write.
var handWritten = map[string]bool{"generate.go": true, "entc.go": true, "gen_test.go": true}

// versionFile records the generator's version, which a test binary cannot
// read from its build info; it is not compared.
var versionFile = filepath.Join("runtime", "runtime.go")

// TestGeneratedCodeIsFresh regenerates the code from ./schema into a temp
// dir and fails when it differs from the committed code: run
// go generate ./ent after changing the schema.
func TestGeneratedCodeIsFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("regenerating takes a while")
	}
	tmp := t.TempDir()
	cfg := &gen.Config{Target: tmp, Package: "github.com/stockmesh/stockmesh/ent"}
	if err := entc.Generate("./schema", cfg); err != nil {
		t.Fatalf("generating: %v", err)
	}
	fresh := map[string]bool{}
	err := filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, path)
		fresh[rel] = true
		if rel == versionFile {
			return nil
		}
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(rel)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is stale: run go generate ./ent", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path == "schema":
			return filepath.SkipDir
		case !d.IsDir() && !fresh[path] && !handWritten[path]:
			t.Errorf("%s is no longer generated: remove it", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
