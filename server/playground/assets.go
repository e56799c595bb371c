package playground

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/stockmesh/stockmesh/server/playground/internal/bundle"
)

// asset is one file the page loads, with the hashes computed from its bytes.
type asset struct {
	Name        string
	ContentType string
	Data        []byte
	// SRI is the subresource-integrity value, "sha256-<base64>".
	SRI string
	// Version is a short hex digest that changes whenever the bytes do.
	Version string
}

// URL returns the path the page loads a from; its v parameter makes the
// response cacheable for good.
func (a *asset) URL() string {
	return AssetPrefix + a.Name + "?v=" + a.Version
}

func newAsset(name string, data []byte) (*asset, error) {
	ct := contentType(name)
	if ct == "" {
		return nil, fmt.Errorf("playground: no content type for %s", name)
	}
	sum := sha256.Sum256(data)
	return &asset{
		Name:        name,
		ContentType: ct,
		Data:        data,
		SRI:         "sha256-" + base64.StdEncoding.EncodeToString(sum[:]),
		Version:     hex.EncodeToString(sum[:8]),
	}, nil
}

// contentType returns the type of a served file by its extension, "" for
// an unknown one. The system's MIME tables vary, so they are not consulted.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	}
	return ""
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

// ServeHTTP serves the asset named by the request's {name} path value. A
// request carrying the asset's current version may cache it for a year;
// others must revalidate, which the ETag makes cheap.
func (s assetSet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, ok := s[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	securityHeaders(h)
	h.Set("ETag", `"`+a.Version+`"`)
	if r.URL.Query().Get("v") == a.Version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, a.Name, time.Time{}, bytes.NewReader(a.Data))
}
