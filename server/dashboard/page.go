package dashboard

import "github.com/stockmesh/stockmesh/internal/webpage"

// pageData fills static/page.html.
type pageData struct {
	Title, Endpoint     string
	Icon, Style, Script *webpage.Asset
}

// missingData fills static/missing.html.
type missingData struct {
	Title, Endpoint string
	Missing         []string
}

// ContentSecurityPolicy is the policy of the dashboard's responses:
// scripts, styles and images from the node itself only (no inline script
// or style, no CDN), requests and websockets to the node only, and no
// framing by any page. Styles the scripts set through the CSSOM (the
// virtual rows' positions, uPlot's sizes) are not inline styles.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
