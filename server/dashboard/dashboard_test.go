package dashboard

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

// fakeBuilt returns a built assets directory holding every built file,
// each with made-up contents, minus the names in without.
func fakeBuilt(without ...string) fstest.MapFS {
	fsys := fstest.MapFS{"README.md": {Data: []byte("placeholder")}}
	for _, name := range builtFiles {
		fsys[name] = &fstest.MapFile{Data: []byte("/* fake " + name + " */")}
	}
	for _, name := range without {
		delete(fsys, name)
	}
	return fsys
}

func get(t *testing.T, h http.Handler, target string) (*http.Response, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	resp := w.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestPage(t *testing.T) {
	built := fakeBuilt()
	h := newHandler("Stock <mesh>", "/graphql", built, sub(embeddedStatic, "static"))
	resp, body := get(t, h, Path)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); csp != ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	for _, forbidden := range []string{"'unsafe-inline'", "'unsafe-eval'", "http:", "https:", "*"} {
		if strings.Contains(ContentSecurityPolicy, forbidden) {
			t.Errorf("the policy allows %s", forbidden)
		}
	}
	page := html.UnescapeString(body)
	for _, name := range []string{scriptName, styleName} {
		sum := sha256.Sum256(built[name].Data)
		sri := "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
		if !strings.Contains(page, sri) {
			t.Errorf("the page does not load %s with integrity %s:\n%s", name, sri, page)
		}
	}
	if !strings.Contains(page, `data-endpoint="/graphql"`) || !strings.Contains(page, "Stock <mesh>") {
		t.Errorf("the page lacks its endpoint or title:\n%s", page)
	}
	if strings.Contains(page, "<script>") || strings.Contains(page, "style=") {
		t.Errorf("the page has inline script or style, which its policy refuses:\n%s", page)
	}
}

func TestAssets(t *testing.T) {
	h := newHandler("stockmesh", "/graphql", fakeBuilt(), sub(embeddedStatic, "static"))
	set, _ := loadAssets(fakeBuilt(), sub(embeddedStatic, "static"))
	cases := []struct {
		name, target string
		status       int
		cache        string
	}{
		{"versioned script", set[scriptName].URL(), http.StatusOK, "public, max-age=31536000, immutable"},
		{"unversioned styles", AssetPrefix + styleName, http.StatusOK, "no-cache"},
		{"licences", AssetPrefix + licenseName, http.StatusOK, "no-cache"},
		{"favicon", set[iconName].URL(), http.StatusOK, "public, max-age=31536000, immutable"},
		{"unknown", AssetPrefix + "other.js", http.StatusNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := get(t, h, c.target)
			if resp.StatusCode != c.status || resp.Header.Get("Cache-Control") != c.cache {
				t.Errorf("%s: status %d, Cache-Control %q; want %d, %q", c.target, resp.StatusCode,
					resp.Header.Get("Cache-Control"), c.status, c.cache)
			}
		})
	}
}

func TestTrailingSlash(t *testing.T) {
	h := newHandler("stockmesh", "/graphql", fakeBuilt(), sub(embeddedStatic, "static"))
	resp, _ := get(t, h, Path+"/")
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != Path {
		t.Errorf("GET %s/: status %d, Location %q; want a redirect to %s", Path, resp.StatusCode, resp.Header.Get("Location"), Path)
	}
}

func TestMissingAssets(t *testing.T) {
	h := newHandler("stockmesh", "/graphql", fakeBuilt(scriptName), sub(embeddedStatic, "static"))
	resp, body := get(t, h, Path)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "make assets") || !strings.Contains(body, scriptName) {
		t.Errorf("status %d, body:\n%s\nwant 503 naming %s and make assets", resp.StatusCode, body, scriptName)
	}
	if resp.Header.Get("Content-Security-Policy") != ContentSecurityPolicy {
		t.Errorf("the missing page lacks the policy")
	}
}
