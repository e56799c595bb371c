package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
)

// ReportRow is one group of a movement report: its keys (one per group
// asked, in order), units in and out, their difference, how many
// movements, and their value (a decimal string).
type ReportRow struct {
	Keys     []string `json:"keys"`
	UnitsIn  int      `json:"unitsIn"`
	UnitsOut int      `json:"unitsOut"`
	Net      int      `json:"net"`
	Count    int      `json:"count"`
	Value    string   `json:"value"`
}

// Report returns the totals of the movements f selects grouped by groups
// (SKU, KIND, WAREHOUSE, DAY, WEEK, MONTH), periods in zone ("" for UTC).
func (c *Client) Report(ctx context.Context, f MovementFilter, groups []string, zone string) ([]ReportRow, error) {
	var out struct{ MovementReport []ReportRow }
	q := `query($f: MovementFilter, $g: [ReportGroup!]!, $tz: String) {
		movementReport(filter: $f, groupBy: $g, timeZone: $tz) { keys unitsIn unitsOut net count value } }`
	vars := map[string]any{"f": f, "g": groups, "tz": zone}
	if err := c.Do(ctx, Repeatable, q, vars, &out); err != nil {
		return nil, fmt.Errorf("reading the report: %w", err)
	}
	return out.MovementReport, nil
}

// ProductChange is one change in a product's history.
type ProductChange struct {
	Kind         string    `json:"kind"`
	Changed      []string  `json:"changed"`
	Name         string    `json:"name"`
	Price        string    `json:"price"`
	ReorderPoint int       `json:"reorderPoint"`
	Actor        *string   `json:"actor"`
	At           time.Time `json:"at"`
}

// ProductHistory returns the changes of the local warehouse's product with
// sku, oldest first.
func (c *Client) ProductHistory(ctx context.Context, sku string) ([]ProductChange, error) {
	var out struct {
		Product struct{ History []ProductChange }
	}
	q := `query($sku: ID!) { product(sku: $sku) { history { kind changed name price reorderPoint actor at } } }`
	if err := c.Do(ctx, Repeatable, q, map[string]any{"sku": sku}, &out); err != nil {
		return nil, fmt.Errorf("reading the history of %s: %w", sku, err)
	}
	return out.Product.History, nil
}

// restURL returns the node's REST URL for path (such as
// /api/v1/products.csv) with query.
func (c *Client) restURL(path string, query url.Values) string {
	u := strings.TrimSuffix(c.endpoint, "/graphql") + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	return u
}

// Download copies the body of GET path?query (a CSV report or export) to
// w as it arrives, and returns the bytes copied.
func (c *Client) Download(ctx context.Context, path string, query url.Values, w io.Writer) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.restURL(path, query), nil)
	if err != nil {
		return 0, err
	}
	res, err := c.rest(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	n, err := io.Copy(w, res.Body)
	if err != nil {
		return n, fmt.Errorf("reading %s: %w", path, err)
	}
	return n, nil
}

// rest sends a REST request with the token and returns a 200 response, or
// the REST error it carries as an *Error.
func (c *Client) rest(req *http.Request) (*http.Response, error) {
	res, err := c.send(req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode == http.StatusOK {
		return res, nil
	}
	defer res.Body.Close()
	var body struct{ Error Error }
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&body); err != nil || body.Error.Code == "" {
		return nil, fmt.Errorf("%s %s: %s", req.Method, req.URL.Path, res.Status)
	}
	return nil, &body.Error
}

// send sends a REST request with the token; a failure to reach the node is
// ErrUntrusted (its certificate) or ErrUnavailable.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if untrusted(err) {
			return nil, fmt.Errorf("connecting to %s: %w: %v", c.endpoint, ErrUntrusted, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return res, nil
}

// ImportResult is what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	// Rows is how many products a dry run found valid.
	Rows int `json:"rows"`
}

// LineError is what is wrong with one line of an import.
type LineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
	// Violation is the rule the line broke, when the node names one.
	Violation *Violation `json:"violation,omitempty"`
}

// Violation is a rule a field broke, as the node names it, so that the
// console can say it in its user's language.
type Violation = api.Violation

// ImportError is an import the node refused for the lines named.
type ImportError struct {
	Message string
	Lines   []LineError
}

// Error returns the node's message.
func (e *ImportError) Error() string { return e.Message }

// Import sends csv to the node's product import (a dry run only
// validates it). A real import travels under an idempotency key of its
// own, and is sent again under the same key, as Config.Retry allows, when
// the connection dropped or the node answered UNAVAILABLE or
// OUTCOME_UNKNOWN: the node then answers what that import did, applied
// once. An *ImportError names the lines the node refused.
func (c *Client) Import(ctx context.Context, csv []byte, dryRun bool) (*ImportResult, error) {
	key := ""
	if !dryRun {
		key = NewIdempotencyKey()
	}
	var last error
	b := c.retry.backoff()
	for attempt := 0; attempt < c.retry.Attempts; attempt++ {
		if attempt > 0 {
			if err := b.Wait(ctx); err != nil {
				return nil, err
			}
			c.log.Debug("sending the import again", "attempt", attempt+1, "err", last)
		}
		res, err := c.importOnce(ctx, csv, dryRun, key)
		var e *Error
		switch {
		case err == nil:
			return res, nil
		case canceled(ctx, err):
			return nil, ctx.Err()
		case errors.As(err, &e) && (e.Code == api.CodeUnavailable || (key != "" && e.Code == api.CodeOutcomeUnknown)),
			errors.Is(err, ErrUnavailable) && (key != "" || notSent(err)):
			last = err
		default:
			return nil, err
		}
	}
	return nil, last
}

// importOnce sends csv once, under key when it is not "".
func (c *Client) importOnce(ctx context.Context, csv []byte, dryRun bool, key string) (*ImportResult, error) {
	q := url.Values{}
	if dryRun {
		q.Set("dryRun", "true")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.restURL("/api/v1/products/import", q), bytes.NewReader(csv))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "text/csv")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.send(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var body struct {
		ImportResult
		Error *Error
		Lines []LineError
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 8<<20)).Decode(&body); err != nil {
		return nil, fmt.Errorf("importing: %s", res.Status)
	}
	switch {
	case len(body.Lines) > 0:
		return nil, &ImportError{Message: body.Error.Message, Lines: body.Lines}
	case body.Error != nil:
		return nil, body.Error
	}
	return &body.ImportResult, nil
}
