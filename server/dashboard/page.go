package dashboard

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
)

// pageData fills static/page.html.
type pageData struct {
	Title, Endpoint     string
	Icon, Style, Script *asset
}

// missingData fills static/missing.html.
type missingData struct {
	Title, Endpoint string
	Missing         []string
}

// render executes the template in static named name with data. The
// templates are built in and tested, so a failure means a broken binary.
func render(static fs.FS, name string, data any) []byte {
	t := template.Must(template.ParseFS(static, name))
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// ContentSecurityPolicy is the policy of the dashboard's responses:
// scripts, styles and images from the node itself only (no inline script
// or style, no CDN), requests and websockets to the node only, and no
// framing by any page. Styles the scripts set through the CSSOM (the
// virtual rows' positions, uPlot's sizes) are not inline styles.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// securityHeaders sets the headers every dashboard response carries: the
// content security policy, no framing, no type sniffing, no referrer.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// pageHandler serves a page rendered once, never cached.
func pageHandler(status int, page []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		securityHeaders(h)
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		h.Set("Cache-Control", "no-cache")
		w.WriteHeader(status)
		w.Write(page)
	})
}
