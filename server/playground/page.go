package playground

import (
	"bytes"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
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

// iconHandler serves the favicon at /favicon.ico, where browsers look
// when a page names none (the missing-assets page, other tools).
func iconHandler(icon []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType(iconName))
		h.Set("Content-Length", strconv.Itoa(len(icon)))
		h.Set("Cache-Control", "public, max-age=86400")
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write(icon)
	})
}

// pageHandler serves a page rendered once, never cached.
func pageHandler(status int, page []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(status)
		w.Write(page)
	})
}
