package rest

import (
	"net/http"
	"strings"

	"github.com/stockmesh/stockmesh/server/stock"
)

// Prefix is the path under which every REST endpoint lives; the node's
// other APIs (member, peer) register theirs under it too.
const Prefix = "/api/v1/"

// catchAll are the prefixes whose unknown paths answer as REST errors:
// Prefix, and the rest of /api/ (other versions, and paths such as
// /api/v1/.. that clean to /api/).
var catchAll = []string{Prefix, "/api/"}

// probed are the methods a catch-all answers for and the methods it tries
// when telling 405 from 404; HEAD is served by the GET patterns.
var probed = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// registerNotFound makes every request under /api/ that no endpoint takes
// answer as a REST error with code NOT_FOUND: status 405 with an Allow
// header when the path exists for other methods, else 404. Methods outside
// probed (TRACE, CONNECT, …) still get the mux's plain-text answer.
// The patterns carry a method so they do not conflict with "GET /".
func registerNotFound(mux *http.ServeMux, public Wrap) {
	for _, prefix := range catchAll {
		h := public(prefix, notFound(mux))
		for _, m := range probed {
			mux.Handle(m+" "+prefix, h)
		}
	}
}

// notFound answers a request that reached the catch-all of mux.
func notFound(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, ErrorBody{Error: *stock.Errorf(stock.CodeNotFound,
				"%s %s: no such endpoint for this method; allowed: %s", r.Method, r.URL.Path, strings.Join(allow, ", "))})
			return
		}
		WriteError(w, stock.Errorf(stock.CodeNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path))
	})
}

// allowed returns the methods for which mux has an endpoint at r's path
// other than the catch-all.
func allowed(mux *http.ServeMux, r *http.Request) []string {
	var allow []string
	for _, m := range probed {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); pattern != "" && !isCatchAll(pattern, m) {
			allow = append(allow, m)
			if m == "GET" {
				allow = append(allow, "HEAD")
			}
		}
	}
	return allow
}

// isCatchAll reports whether pattern is one of the catch-alls for method m.
func isCatchAll(pattern, m string) bool {
	for _, prefix := range catchAll {
		if pattern == m+" "+prefix {
			return true
		}
	}
	return false
}
