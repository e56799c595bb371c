// Package playground serves GraphiQL from files built into the binary, so
// the GraphQL playground works without reaching any CDN.
//
// The GraphiQL, React and ReactDOM builds come from the npm packages pinned
// in web/package.json; `make assets` copies them into assets/, which is
// embedded. A fresh clone builds without them: the page then says how to
// build them. Subresource-integrity hashes are computed at start-up from the
// embedded bytes. The page asks for a bearer token once and sends it on
// every HTTP request and in the websocket's connection_init payload. On a
// first visit the editor holds static/welcome.graphql, a products query and
// a stockChanged subscription with a note on the token; the favicon is
// static/favicon.svg, also served at /favicon.ico.
package playground

import (
	"embed"
	"io/fs"
	"net/http"
)

// AssetPrefix is the path under which Handler serves the page's scripts and styles.
const AssetPrefix = "/playground/assets/"

var (
	//go:embed all:assets
	embeddedAssets embed.FS
	//go:embed static
	embeddedStatic embed.FS
)

// Handler returns the playground: at / a GraphiQL page titled title that
// talks to the GraphQL endpoint (a path such as "/graphql" on the same
// host, or an absolute https URL), and the files it loads under
// AssetPrefix, and the favicon at /favicon.ico. When the assets were not built into the binary, / answers
// 503 with a page saying how to build them.
func Handler(title, endpoint string) http.Handler {
	return newHandler(title, endpoint, sub(embeddedAssets, "assets"), sub(embeddedStatic, "static"))
}

// Ready reports whether the GraphiQL assets were built into the binary.
func Ready() bool {
	return len(missing(sub(embeddedAssets, "assets"))) == 0
}

// mustRead returns the built-in file name of static; a failure means a
// broken binary.
func mustRead(static fs.FS, name string) []byte {
	data, err := fs.ReadFile(static, name)
	if err != nil {
		panic(err)
	}
	return data
}

// sub returns the directory dir of an embedded FS; dir is a constant
// embedded above, so fs.Sub cannot fail.
func sub(fsys embed.FS, dir string) fs.FS {
	s, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// newHandler builds the playground from npm, the files copied from
// node_modules, and static, the page's own files.
func newHandler(title, endpoint string, npm, static fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /favicon.ico", iconHandler(mustRead(static, iconName)))
	if absent := missing(npm); len(absent) > 0 {
		page := render(static, "missing.html", missingData{Title: title, Endpoint: endpoint, Missing: absent})
		mux.Handle("GET /{$}", pageHandler(http.StatusServiceUnavailable, page))
		return mux
	}
	set, err := loadAssets(npm, static)
	if err != nil {
		panic(err) // the files were just found; only a broken binary gets here
	}
	page := render(static, "page.html", set.pageData(title, endpoint, string(mustRead(static, welcomeName))))
	mux.Handle("GET /{$}", pageHandler(http.StatusOK, page))
	mux.Handle("GET "+AssetPrefix+"{name}", set)
	return mux
}
