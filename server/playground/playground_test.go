package playground

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stockmesh/stockmesh/server/playground/internal/bundle"
)

// fakeNPM returns an assets directory holding every bundle file, each with
// distinct made-up contents, minus the names in without.
func fakeNPM(without ...string) fstest.MapFS {
	fsys := fstest.MapFS{"README.md": {Data: []byte("placeholder")}}
	for _, f := range bundle.Files() {
		fsys[f.Name] = &fstest.MapFile{Data: []byte("/* fake " + f.Name + " */")}
	}
	for _, name := range without {
		delete(fsys, name)
	}
	return fsys
}

func staticFS() fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, name := range []string{"page.html", "missing.html", "playground.css", "playground.js", iconName, welcomeName} {
		data, err := embeddedStatic.ReadFile("static/" + name)
		if err != nil {
			panic(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func get(t *testing.T, h http.Handler, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	resp := w.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

// unescaped returns body with its HTML character references decoded, as a
// browser reads attribute values (html/template writes "+" as "&#43;").
func unescaped(body string) string {
	return html.UnescapeString(body)
}

func sri(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

func TestPage(t *testing.T) {
	npm := fakeNPM()
	h := newHandler(`Stock <mesh>`, "/graphql", npm, staticFS())
	resp, body := get(t, h, "/", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control %q, want no-cache", cc)
	}
	for _, want := range []string{
		"<title>Stock &lt;mesh&gt;</title>",
		`data-endpoint="/graphql"`,
		`id="token"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	for _, f := range bundle.Files() {
		if !f.Required {
			continue
		}
		if want := sri(npm[f.Name].Data); !strings.Contains(unescaped(body), `integrity="`+want+`"`) {
			t.Errorf("page lacks integrity %s for %s", want, f.Name)
		}
	}
}

func TestPageLoadsOnlyEmbeddedFiles(t *testing.T) {
	h := newHandler("t", "/graphql", fakeNPM(), staticFS())
	_, body := get(t, h, "/", nil)
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(refs) != 7 {
		t.Errorf("page loads %d files, want 7 (4 scripts, 2 styles, the icon)", len(refs))
	}
	for _, m := range refs {
		if !strings.HasPrefix(m[1], AssetPrefix) {
			t.Errorf("page loads %s from outside %s", m[1], AssetPrefix)
			continue
		}
		// The page's own references must be servable as the page wrote them.
		if resp, _ := get(t, h, unescaped(m[1]), nil); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d", m[1], resp.StatusCode)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "cdn") {
		t.Error("page has an inline script or a CDN reference")
	}
}

func TestAssets(t *testing.T) {
	npm := fakeNPM()
	static := staticFS()
	h := newHandler("t", "/graphql", npm, static)
	set, err := loadAssets(npm, static)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		target       string
		header       http.Header
		status       int
		contentType  string
		cacheControl string
		body         []byte
	}{
		{"script at its version is immutable", set["graphiql.min.js"].URL(), nil, 200,
			"text/javascript; charset=utf-8", "public, max-age=31536000, immutable", npm["graphiql.min.js"].Data},
		{"stylesheet", set["graphiql.min.css"].URL(), nil, 200,
			"text/css; charset=utf-8", "public, max-age=31536000, immutable", npm["graphiql.min.css"].Data},
		{"page script", set["playground.js"].URL(), nil, 200,
			"text/javascript; charset=utf-8", "public, max-age=31536000, immutable", static["playground.js"].Data},
		{"license", AssetPrefix + "react.LICENSE.txt", nil, 200,
			"text/plain; charset=utf-8", "no-cache", npm["react.LICENSE.txt"].Data},
		{"without version must revalidate", AssetPrefix + "react.production.min.js", nil, 200,
			"text/javascript; charset=utf-8", "no-cache", npm["react.production.min.js"].Data},
		{"stale version must revalidate", AssetPrefix + "react.production.min.js?v=0000", nil, 200,
			"text/javascript; charset=utf-8", "no-cache", npm["react.production.min.js"].Data},
		{"revalidation hits", AssetPrefix + "react.production.min.js",
			http.Header{"If-None-Match": {`"` + set["react.production.min.js"].Version + `"`}}, 304,
			"", "no-cache", nil},
		{"unknown asset", AssetPrefix + "nope.js", nil, 404, "", "", nil},
		{"template is not an asset", AssetPrefix + "page.html", nil, 404, "", "", nil},
		{"other path", "/elsewhere", nil, 404, "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, h, tt.target, tt.header)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				if cc := resp.Header.Get("Cache-Control"); cc != tt.cacheControl {
					t.Errorf("Cache-Control %q, want %q", cc, tt.cacheControl)
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != tt.contentType {
				t.Errorf("Content-Type %q, want %q", ct, tt.contentType)
			}
			if cc := resp.Header.Get("Cache-Control"); cc != tt.cacheControl {
				t.Errorf("Cache-Control %q, want %q", cc, tt.cacheControl)
			}
			if nosniff := resp.Header.Get("X-Content-Type-Options"); nosniff != "nosniff" {
				t.Errorf("X-Content-Type-Options %q", nosniff)
			}
			if body != string(tt.body) {
				t.Errorf("body %q, want %q", body, tt.body)
			}
		})
	}
}

func TestMissingAssets(t *testing.T) {
	h := newHandler("Stockmesh", "/graphql", fakeNPM("graphiql.min.js", "react.production.min.js"), staticFS())
	resp, body := get(t, h, "/", nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	for _, want := range []string{"make assets", "make run", "graphiql.min.js", "react.production.min.js", "/graphql"} {
		if !strings.Contains(body, want) {
			t.Errorf("missing-assets page lacks %q", want)
		}
	}
	if resp, _ := get(t, h, AssetPrefix+"react-dom.production.min.js", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("asset served without a complete bundle: status %d", resp.StatusCode)
	}
}

func TestMissing(t *testing.T) {
	tests := []struct {
		name string
		npm  fstest.MapFS
		want []string
	}{
		{"all present", fakeNPM(), nil},
		{"optional license absent", fakeNPM("react.LICENSE.txt"), nil},
		{"placeholder only", fstest.MapFS{"README.md": {}}, []string{
			"react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := missing(tt.npm); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("missing = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestEmbedded checks the binary as built: without assets it must say how
// to build them; with them, their hashes must be those of the pinned npm
// releases (as gqlgen's playground pins them on its CDN).
func TestEmbedded(t *testing.T) {
	resp, body := get(t, Handler("Stockmesh", "/graphql"), "/", nil)
	if !Ready() {
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make assets") {
			t.Fatalf("assets not built, but / gives %d:\n%s", resp.StatusCode, body)
		}
		return
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("assets built, but / gives %d", resp.StatusCode)
	}
	for _, want := range []string{
		"sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs=", // graphiql@4.1.2 graphiql.min.js
		"sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU=", // graphiql@4.1.2 graphiql.min.css
		"sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY=", // react@18.2.0
		"sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc=", // react-dom@18.2.0
	} {
		if !strings.Contains(unescaped(body), want) {
			t.Errorf("embedded assets lack the pinned release with %s", want)
		}
	}
}
