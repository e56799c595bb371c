package dashboard

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"time"
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

// asset is one file the page loads, with the hashes of its bytes.
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

// contentType returns the type of a served file by its extension, "" for
// an unknown one.
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
type assetSet map[string]*asset

// loadAssets reads and hashes the built files and the favicon.
func loadAssets(built, static fs.FS) (assetSet, error) {
	set := assetSet{}
	add := func(fsys fs.FS, name string) error {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return fmt.Errorf("reading asset %s: %w", name, err)
		}
		sum := sha256.Sum256(data)
		set[name] = &asset{Name: name, ContentType: contentType(name), Data: data,
			SRI: "sha256-" + base64.StdEncoding.EncodeToString(sum[:]), Version: hex.EncodeToString(sum[:8])}
		return nil
	}
	for _, name := range builtFiles {
		if err := add(built, name); err != nil {
			return nil, err
		}
	}
	return set, add(static, iconName)
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
