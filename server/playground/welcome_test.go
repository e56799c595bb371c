package playground

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestWelcomeQuery checks that the editor's first text is valid against
// the node's schema and shows the two things it promises.
func TestWelcomeQuery(t *testing.T) {
	sdl, err := os.ReadFile("../../schema.graphql")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphql", Input: string(sdl)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	welcome := string(mustRead(staticFS(), welcomeName))
	doc, errs := gqlparser.LoadQuery(schema, welcome)
	if len(errs) > 0 {
		t.Fatalf("%s does not validate: %v", welcomeName, errs)
	}
	ops := map[ast.Operation]string{}
	for _, op := range doc.Operations {
		ops[op.Operation] = op.SelectionSet[0].(*ast.Field).Name
	}
	if ops[ast.Query] != "products" || ops[ast.Subscription] != "stockChanged" {
		t.Errorf("operations %v, want a products query and a stockChanged subscription", ops)
	}
	if !strings.Contains(welcome, "token") {
		t.Error("the welcome text says nothing about the token")
	}
	_, body := get(t, newHandler("t", "/graphql", fakeNPM(), staticFS()), "/", nil)
	if !strings.Contains(unescaped(body), `data-default-query="`+welcome+`"`) {
		t.Error("the page does not carry the welcome text as data-default-query")
	}
}

// welcomeWidth is the widest line of the welcome text: GraphiQL's editor
// pane, beside the result pane, shows about 70 characters in a window
// 1,400 px wide and does not wrap, so the text stays well within it.
const welcomeWidth = 56

// TestWelcomeFits keeps every line of the welcome text visible in the
// editor of a window 1,400 px wide, or narrower down to about 1,150 px.
func TestWelcomeFits(t *testing.T) {
	for i, line := range strings.Split(string(mustRead(staticFS(), welcomeName)), "\n") {
		if n := utf8.RuneCountInString(line); n > welcomeWidth {
			t.Errorf("%s:%d is %d characters wide, more than %d: %q", welcomeName, i+1, n, welcomeWidth, line)
		}
	}
}

func TestFavicon(t *testing.T) {
	icon := mustRead(staticFS(), iconName)
	for _, c := range []struct {
		name    string
		missing []string // npm files not built
	}{{name: "assets built"}, {name: "assets missing", missing: []string{"graphiql.min.js"}}} {
		t.Run(c.name, func(t *testing.T) {
			h := newHandler("t", "/graphql", fakeNPM(c.missing...), staticFS())
			resp, body := get(t, h, "/favicon.ico", nil)
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || body != string(icon) {
				t.Fatalf("GET /favicon.ico: %d %q %.80s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	_, page := get(t, newHandler("t", "/graphql", fakeNPM(), staticFS()), "/", nil)
	if !strings.Contains(page, `rel="icon" type="image/svg+xml" href="`+AssetPrefix+iconName+"?v=") {
		t.Error("the page names no icon")
	}
}
