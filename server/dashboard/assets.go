package dashboard

import (
	"fmt"
	"io/fs"
	"net/http"

	"github.com/stockmesh/stockmesh/internal/webpage"
)

// The files the page loads: built by `make assets` (the script, styles
// and licences), and the favicon committed under static/.
const (
	scriptName  = "dashboard.js"
	styleName   = "dashboard.css"
	licenseName = "licenses.txt"
	iconName    = "favicon.svg"
)

// builtFiles lists the files `make assets` must have built.
var builtFiles = []string{scriptName, styleName, licenseName}

// missing returns the names of the built files absent from built.
func missing(built fs.FS) []string {
	var absent []string
	for _, name := range builtFiles {
		if _, err := fs.Stat(built, name); err != nil {
			absent = append(absent, name)
		}
	}
	return absent
}

// assetSet is every file served under AssetPrefix, by name.
type assetSet map[string]*webpage.Asset

// loadAssets reads and hashes the built files and the favicon.
func loadAssets(built, static fs.FS) (assetSet, error) {
	set := assetSet{}
	add := func(fsys fs.FS, name string) error {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("reading asset %s: %w", name, err)
		}
		set[name], err = webpage.NewAsset(AssetPrefix, name, data)
		return err
	}
	for _, name := range builtFiles {
		if err := add(built, name); err != nil {
			return nil, err
		}
	}
	return set, add(static, iconName)
}

// ServeHTTP serves the asset named by the request's {name} path value
// (see webpage.ServeAsset).
func (s assetSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	webpage.ServeAsset(w, r, a, ContentSecurityPolicy)
}
