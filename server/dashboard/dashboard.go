// Package dashboard serves the live dashboard at /dashboard: the network,
// stock across warehouses, a product's stock over time, transfers and
// alerts, kept live through the GraphQL subscriptions.
//
// Its page is built from web/ (React, TanStack Virtual, uPlot and
// graphql-ws, pinned in web/package-lock.json) by esbuild at build time:
// `make assets` writes assets/, which is embedded, so the dashboard loads
// nothing from any other host. A binary built without them answers 503
// with a page saying how to build them. As in the playground, the bearer
// token comes once from the URL fragment (/dashboard#token=…, which
// browsers never send), is kept in the tab's session storage, and goes
// only in the Authorization header and the websocket's connection_init.
package dashboard

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/stockmesh/stockmesh/internal/webpage"
)

// Path is where the node serves the dashboard's page.
const Path = "/dashboard"

// AssetPrefix is the path under which Handler serves the page's script,
// styles and licences.
const AssetPrefix = "/dashboard/assets/"

var (
	//go:embed all:assets
	embeddedAssets embed.FS
	//go:embed static
	embeddedStatic embed.FS
)

// Handler returns the dashboard: the page titled title at Path (Path/
// redirects there, keeping the fragment, which the browser holds), talking
// to the GraphQL endpoint (a path such as "/graphql" on the same host), and
// its files under AssetPrefix. Without built assets the page answers 503
// saying how to build them.
func Handler(title, endpoint string) http.Handler {
	return newHandler(title, endpoint, sub(embeddedAssets, "assets"), sub(embeddedStatic, "static"))
}

// Ready reports whether the dashboard's assets were built into the binary.
func Ready() bool {
	return len(missing(sub(embeddedAssets, "assets"))) == 0
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

// newHandler builds the dashboard from built, the bundled files, and
// static, the page's own.
func newHandler(title, endpoint string, built, static fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+Path+"/{$}", http.RedirectHandler(Path, http.StatusMovedPermanently))
	if absent := missing(built); len(absent) > 0 {
		page := webpage.Render(static, "missing.html", missingData{Title: title, Endpoint: endpoint, Missing: absent})
		mux.Handle("GET "+Path, webpage.Page(ContentSecurityPolicy, http.StatusServiceUnavailable, page))
		return mux
	}
	set, err := loadAssets(built, static)
	if err != nil {
		panic(err) // the files were just found; only a broken binary gets here
	}
	page := webpage.Render(static, "page.html", pageData{Title: title, Endpoint: endpoint,
		Icon: set[iconName], Style: set[styleName], Script: set[scriptName]})
	mux.Handle("GET "+Path, webpage.Page(ContentSecurityPolicy, http.StatusOK, page))
	mux.Handle("GET "+AssetPrefix+"{name}", set)
	return mux
}
