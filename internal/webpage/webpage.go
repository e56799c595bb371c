// Package webpage serves the node's browser pages, the playground and the
// dashboard, the same way: files built into the binary and hashed once
// (subresource integrity, and a version in their URL that lets browsers
// cache them for good), pages rendered once and never cached, and the
// security headers every response carries, under each page's own content
// security policy.
package webpage

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"time"
)

// Asset is one file a page loads, with the hashes computed from its bytes.
type Asset struct {
	Name        string
	ContentType string
	Data        []byte
	// SRI is the subresource-integrity value, "sha256-<base64>".
	SRI string
	// Version is a short hex digest that changes whenever the bytes do.
	Version string
	prefix  string
}

// NewAsset returns the file name with data, served under the path prefix.
// It fails for a name whose type ContentType does not know.
func NewAsset(prefix, name string, data []byte) (*Asset, error) {
	ct := ContentType(name)
	if ct == "" {
		return nil, fmt.Errorf("webpage: no content type for %s", name)
	}
	sum := sha256.Sum256(data)
	return &Asset{
		Name:        name,
		ContentType: ct,
		Data:        data,
		SRI:         "sha256-" + base64.StdEncoding.EncodeToString(sum[:]),
		Version:     hex.EncodeToString(sum[:8]),
		prefix:      prefix,
	}, nil
}

// URL returns the path a page loads a from; its v parameter makes the
// response cacheable for good.
func (a *Asset) URL() string {
	return a.prefix + a.Name + "?v=" + a.Version
}

// ContentType returns the type of a served file by its extension, "" for
// an unknown one. The system's MIME tables vary, so they are not consulted.
func ContentType(name string) string {
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

// ServeAsset answers r with a under the content security policy csp. A
// request carrying the asset's current version may cache it for a year;
// others must revalidate, which the ETag makes cheap.
func ServeAsset(w http.ResponseWriter, r *http.Request, a *Asset, csp string) {
	h := w.Header()
	h.Set("Content-Type", a.ContentType)
	SecurityHeaders(h, csp)
	h.Set("ETag", `"`+a.Version+`"`)
	if r.URL.Query().Get("v") == a.Version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	http.ServeContent(w, r, a.Name, time.Time{}, bytes.NewReader(a.Data))
}

// SecurityHeaders sets the headers every page response carries: the
// content security policy csp, no framing, no type sniffing, no referrer.
func SecurityHeaders(h http.Header, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// Page returns a handler serving page, rendered once, with status, under
// the content security policy csp, never cached.
func Page(csp string, status int, page []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		SecurityHeaders(h, csp)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(status)
		w.Write(page)
	})
}

// Render executes the template named name in fsys with data. The
// templates are built into the binary and tested, so a failure means a
// broken binary: it panics.
func Render(fsys fs.FS, name string, data any) []byte {
	t := template.Must(template.ParseFS(fsys, name))
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic(err)
	}
	return b.Bytes()
}
