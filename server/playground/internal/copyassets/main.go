// Command copyassets copies the GraphiQL, React and ReactDOM builds that the
// playground embeds from node_modules into the assets directory, after
// checking that node_modules holds exactly the versions package.json pins.
// Run it from the repository root after npm has installed the packages:
//
//	npm ci --prefix server/playground/web
//	go run ./server/playground/internal/copyassets
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
	"github.com/stockmesh/stockmesh/server/playground/internal/bundle"
)

func main() {
	web := flag.String("web", "server/playground/web", "directory holding package.json and node_modules")
	out := flag.String("out", "server/playground/assets", "assets directory to write")
	flag.Parse()
	if err := run(*web, *out); err != nil {
		fmt.Fprintln(os.Stderr, "copyassets:", err)
		os.Exit(1)
	}
}

// run checks and copies every bundled file from web's node_modules to out.
func run(web, out string) error {
	pins, err := readPins(filepath.Join(web, "package.json"))
	if err != nil {
		return err
	}
	for _, f := range bundle.Files() {
		dir := filepath.Join(web, "node_modules", f.Package)
		if err := checkVersion(dir, pins[f.Package]); err != nil {
			return err
		}
		if err := copyFile(filepath.Join(dir, f.Source), filepath.Join(out, f.Name)); err != nil {
			return err
		}
		fmt.Printf("copied %s@%s/%s to %s\n", f.Package, pins[f.Package], f.Source, filepath.Join(out, f.Name))
	}
	return nil
}

// packageJSON is the part of a package.json that copyassets reads.
type packageJSON struct {
	Version      string            `json:"version"`
	Dependencies map[string]string `json:"dependencies"`
}

// readPackageJSON reads and decodes the package.json at path.
func readPackageJSON(path string) (packageJSON, error) {
	var p packageJSON
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("decoding %s: %w", path, err)
	}
	return p, nil
}

// readPins returns the dependency versions the package.json at path pins.
func readPins(path string) (map[string]string, error) {
	p, err := readPackageJSON(path)
	return p.Dependencies, err
}

// checkVersion fails unless the package installed in dir has version want.
func checkVersion(dir, want string) error {
	p, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return fmt.Errorf("%w (run npm ci first)", err)
	}
	if want == "" || p.Version != want {
		return fmt.Errorf("checking %s: installed version %s, package.json pins %q (run npm ci)", dir, p.Version, want)
	}
	return nil
}

// copyFile copies src to dst (mode 0644) atomically, so dst is never half written.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading %s: %w", src, err)
	}
	return atomicfile.Write(dst, b, 0o644)
}
