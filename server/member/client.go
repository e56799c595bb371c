package member

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/rest"
	"github.com/stockmesh/stockmesh/server/stock"
)

// CallTimeout bounds one node-to-node call made by this package.
const CallTimeout = 10 * time.Second

// NewClient returns an HTTP client for node-to-node calls: it presents the
// node certificate in f as its client certificate and trusts only the
// network's CA (f.CACert). With proxy set, every call goes through that
// HTTP CONNECT proxy (the TLS session stays end to end). It sets no
// overall timeout; give each request a context deadline.
func NewClient(f pki.Files, proxy *url.URL) (*http.Client, error) {
	cfg, err := pki.PeerConfig(f)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true, MaxIdleConnsPerHost: 4,
		IdleConnTimeout: time.Minute, TLSHandshakeTimeout: 5 * time.Second}
	if proxy != nil {
		tr.Proxy = http.ProxyURL(proxy)
	}
	return &http.Client{Transport: tr}, nil
}

// postJSON posts in as JSON to base+path, the address of the member id,
// and decodes the 200 answer into out. The body is sent only once the
// connection is known to reach id (VerifyServer), and the answer is read
// only from it; id "" is a joiner's call, which knows the network's CA
// but not the member it calls. A refusal in the REST error body comes back
// as the *stock.Error it holds, so a joiner sees the issuer's own words.
func postJSON(ctx context.Context, c *http.Client, base, path, id string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	var sent atomic.Bool // the request was written: the member may have acted on it
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteRequest: func(i httptrace.WroteRequestInfo) {
		if i.Err == nil {
			sent.Store(true)
		}
	}})
	req, err := newPost(ctx, strings.TrimRight(base, "/")+path, id, body)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil && sent.Load() {
		return lostAnswer(base, path, err)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", stock.Errorf(stock.CodeUnavailable, "cannot reach %s: %v", base, err), err)
	}
	defer resp.Body.Close()
	if id != "" {
		if err := VerifyServer(resp.TLS, id); err != nil {
			return fmt.Errorf("%w: %w", stock.Errorf(stock.CodeUnavailable, "cannot reach %s: %v", base, err), err)
		}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return lostAnswer(base, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var eb rest.ErrorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error.Code != "" {
			e := eb.Error
			return &e
		}
		return fmt.Errorf("%s%s answered %s", base, path, resp.Status)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding answer of %s%s: %w", base, path, err)
	}
	return nil
}

// lostAnswer is the error of a call whose request reached the member and
// whose answer did not come back (cause): the member may have acted on it,
// so it is OUTCOME_UNKNOWN, never UNAVAILABLE (which says nothing was
// applied).
func lostAnswer(base, path string, cause error) error {
	return fmt.Errorf("%w: %w", stock.Errorf(stock.CodeOutcomeUnknown,
		"%s%s was sent, but its answer was lost (%v): it may have been applied; check before asking again", base, path, cause), cause)
}

// newPost returns a JSON POST of body to url; with id set, the body is
// held back until the connection is verified to reach member id.
func newPost(ctx context.Context, url, id string, body []byte) (*http.Request, error) {
	if id == "" {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	}
	check := &serverCheck{id: id}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, check.trace()), http.MethodPost, url, check.body(body))
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(len(body))
	req.GetBody = func() (io.ReadCloser, error) { return check.body(body), nil }
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}
