package playground

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"

	"github.com/stockmesh/stockmesh/internal/webpage"
	"github.com/stockmesh/stockmesh/server/playground/internal/bundle"
)

// asset is one file the page loads, with its hashes.
type asset = webpage.Asset

// newAsset returns the file name with data, served under AssetPrefix.
func newAsset(name string, data []byte) (*asset, error) {
	return webpage.NewAsset(AssetPrefix, name, data)
}

// iconName is the page's favicon under static/, a small SVG.
const iconName = "favicon.svg"

// welcomeName is the editor's text on a first visit, under static/.
const welcomeName = "welcome.graphql"

// staticFiles returns the page's own files served under AssetPrefix,
// committed under static/.
func staticFiles() []string {
	return []string{"playground.css", "playground.js", iconName}
}

// missing returns the names of the required npm files absent from npm.
func missing(npm fs.FS) []string {
	var absent []string
	for _, f := range bundle.Files() {
		if _, err := fs.Stat(npm, f.Name); f.Required && err != nil {
			absent = append(absent, f.Name)
		}
	}
	return absent
}

// assetSet is every file served under AssetPrefix, by name.
type assetSet map[string]*asset

// loadAssets reads the npm files present in npm and the page's own files
// from static, and hashes them.
func loadAssets(npm, static fs.FS) (assetSet, error) {
	set := assetSet{}
	add := func(fsys fs.FS, name string, optional bool) error {
		data, err := fs.ReadFile(fsys, name)
		if optional && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading asset %s: %w", name, err)
		}
		a, err := newAsset(name, data)
		set[name] = a
		return err
	}
	for _, f := range bundle.Files() {
		if err := add(npm, f.Name, !f.Required); err != nil {
			return nil, err
		}
	}
	for _, name := range staticFiles() {
		if err := add(static, name, false); err != nil {
			return nil, err
		}
	}
	return set, nil
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
