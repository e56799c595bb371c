package playground

import (
	"io/fs"
	"net/http"
	"strconv"

	"github.com/stockmesh/stockmesh/internal/webpage"
)

// pageData fills static/page.html.
type pageData struct {
	Title        string
	Endpoint     string
	DefaultQuery string // static/welcome.graphql: the editor's text on a first visit
	Icon         *asset
	Styles       []*asset
	Scripts      []*asset // in load order
}

// missingData fills static/missing.html.
type missingData struct {
	Title    string
	Endpoint string
	Missing  []string
}

func (s assetSet) pageData(title, endpoint, defaultQuery string) pageData {
	return pageData{
		Title:        title,
		Endpoint:     endpoint,
		DefaultQuery: defaultQuery,
		Icon:         s[iconName],
		Styles:       []*asset{s["graphiql.min.css"], s["playground.css"]},
		Scripts: []*asset{
			s["react.production.min.js"], s["react-dom.production.min.js"],
			s["graphiql.min.js"], s["playground.js"],
		},
	}
}

// render executes the template in static named name with data (see
// webpage.Render).
func render(static fs.FS, name string, data any) []byte { return webpage.Render(static, name, data) }

// iconHandler serves the favicon at /favicon.ico, where browsers look
// when a page names none (the missing-assets page, other tools).
func iconHandler(icon []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", webpage.ContentType(iconName))
		h.Set("Content-Length", strconv.Itoa(len(icon)))
		h.Set("Cache-Control", "public, max-age=86400")
		webpage.SecurityHeaders(h, ContentSecurityPolicy)
		w.Write(icon)
	})
}

// ContentSecurityPolicy is the policy of the playground's pages: scripts,
// styles, images and fonts from the node itself only (no inline scripts,
// no CDN), requests and websockets to the node only, and no framing by any
// page (clickjacking). GraphiQL sets styles from its scripts, hence inline
// styles; its icons are data: URIs.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; manifest-src 'self'; " +
	"frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// pageHandler serves a page rendered once, never cached.
func pageHandler(status int, page []byte) http.Handler {
	return webpage.Page(ContentSecurityPolicy, status, page)
}
