package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
)

// Config says how to reach a node. ServerURL and CAFile are required.
type Config struct {
	// ServerURL is the node's base URL, such as https://localhost:8443; the
	// API is at ServerURL + "/graphql".
	ServerURL string
	// Token is sent as "Authorization: Bearer Token".
	Token string
	// CAFile is a PEM file of the CA certificates the node's certificate must
	// verify against. The system roots are not used.
	CAFile string
	// Retry is how often and how patiently requests are retried; the zero
	// value means DefaultRetry.
	Retry Retry
	// AttemptTimeout bounds each HTTP attempt; zero means 15 seconds.
	AttemptTimeout time.Duration
	// Logger receives retries at debug level; nil discards them.
	Logger *slog.Logger
}

// Client sends GraphQL requests to one node. It is safe for concurrent use.
type Client struct {
	endpoint string
	token    string
	wsTLS    *tls.Config // TLS of websocket dials: offers only http/1.1
	http     *http.Client
	retry    Retry
	timeout  time.Duration
	log      *slog.Logger
}

// NewClient returns a Client for cfg. It fails when the URL is not https or
// the CA file cannot be read.
func NewClient(cfg Config) (*Client, error) {
	endpoint, err := graphqlURL(cfg.ServerURL)
	if err != nil {
		return nil, err
	}
	tlsCfg, err := tlsConfig(cfg.CAFile)
	if err != nil {
		return nil, err
	}
	// The Transport adds "h2" to its TLS config's NextProtos in place, and
	// websockets upgrade over HTTP/1.1 only, so the websocket dialer gets a
	// config of its own that offers only http/1.1.
	wsTLS := tlsCfg.Clone()
	wsTLS.NextProtos = []string{"http/1.1"}
	c := &Client{
		endpoint: endpoint,
		token:    cfg.Token,
		wsTLS:    wsTLS,
		retry:    cfg.Retry.orDefault(),
		timeout:  cfg.AttemptTimeout,
		log:      cfg.Logger,
	}
	if c.timeout <= 0 {
		c.timeout = 15 * time.Second
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.http = &http.Client{Transport: &http.Transport{
		TLSClientConfig:     tlsCfg,
		ForceAttemptHTTP2:   true,
		TLSHandshakeTimeout: 10 * time.Second,
		IdleConnTimeout:     30 * time.Second,
	}}
	return c, nil
}

// Close releases idle connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// graphqlURL checks base and returns its /graphql endpoint.
func graphqlURL(base string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return "", fmt.Errorf("parsing server URL %q: %w", base, err)
	}
	if u.Scheme != "https" || u.Host == "" {
		return "", fmt.Errorf("server URL %q: %w", base, ErrNotHTTPS)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(u.Path, "/graphql") {
		u.Path += "/graphql"
	}
	return u.String(), nil
}

// ErrNotHTTPS reports a server URL that is not an https:// URL with a host.
var ErrNotHTTPS = errors.New("remote: server URL must start with https:// and name a host")

// tlsConfig trusts exactly the certificates in caFile.
func tlsConfig(caFile string) (*tls.Config, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("parsing CA certificate %s: %w", caFile, ErrNoCertificate)
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool}, nil
}

// ErrNoCertificate reports a CA file without a PEM certificate.
var ErrNoCertificate = errors.New("remote: no PEM certificate found")

// request is the body of a GraphQL POST.
type request struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables,omitempty"`
}

// response is the body of a GraphQL answer.
type response struct {
	Data   json.RawMessage `json:"data"`
	Errors gqlErrors       `json:"errors"`
}

// Idempotency says whether a request may be sent again after it may have
// reached the node.
type Idempotency bool

// Whether a request may be repeated once sent.
const (
	// Repeatable requests (reads, and mutations carrying an idempotency key)
	// are retried after any dropped connection.
	Repeatable Idempotency = true
	// Once requests are retried only when they never left the client.
	Once Idempotency = false
)

// Do sends query with vars, retrying as Config.Retry allows, and decodes the
// response's data into out (which may be nil). A GraphQL error is returned as
// an *Error; a node that stays unreachable as ErrUnavailable (wrapped with the
// last cause); a certificate that does not verify as ErrUntrusted.
func (c *Client) Do(ctx context.Context, idem Idempotency, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(request{Query: query, Variables: vars})
	if err != nil {
		return fmt.Errorf("encoding request: %w", err)
	}
	var last error
	b := c.retry.backoff()
	for attempt := 0; attempt < c.retry.Attempts; attempt++ {
		if attempt > 0 {
			if err := b.Wait(ctx); err != nil {
				return err
			}
			c.log.Debug("retrying request", "attempt", attempt+1, "err", last)
		}
		resp, err := c.post(ctx, body)
		if err == nil {
			return decode(resp, out)
		}
		if canceled(ctx, err) {
			return ctx.Err()
		}
		if untrusted(err) {
			return fmt.Errorf("connecting to %s: %w: %v", c.endpoint, ErrUntrusted, err)
		}
		last = err
		if !retryable(err, idem) {
			break
		}
	}
	return fmt.Errorf("%w: %v", ErrUnavailable, last)
}

// retryable reports whether a failed attempt may be repeated: a request
// the node answered UNAVAILABLE (it applied nothing: a write whose outcome
// it could not tell is OUTCOME_UNKNOWN, never retried), a repeatable one,
// or one that never left the client.
func retryable(err error, idem Idempotency) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Code == api.CodeUnavailable
	}
	return bool(idem) || notSent(err)
}

// post sends one attempt. Transport failures and "unavailable" answers come
// back as errors; any other answer as a response.
func (c *Client) post(ctx context.Context, body []byte) (*response, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("reading response: %w", err)
	}
	return parseResponse(res.StatusCode, raw)
}

// parseResponse turns an HTTP answer into a response, or into an error that
// may be retried when the node says it is unavailable.
func parseResponse(status int, raw []byte) (*response, error) {
	var r response
	jsonErr := json.Unmarshal(raw, &r)
	if jsonErr == nil && (r.Data != nil || len(r.Errors) > 0) {
		if len(r.Errors) > 0 && r.Errors[0].Extensions.Code == api.CodeUnavailable {
			return nil, r.Errors.first()
		}
		return &r, nil
	}
	switch {
	case status == http.StatusUnauthorized:
		return &response{Errors: statusError(api.CodeUnauthenticated, status, raw)}, nil
	case status == http.StatusForbidden:
		return &response{Errors: statusError(api.CodeForbidden, status, raw)}, nil
	case status == http.StatusBadGateway || status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout:
		return nil, fmt.Errorf("node answered %s", http.StatusText(status))
	case jsonErr != nil:
		return &response{Errors: statusError(api.CodeInternal, status, raw)}, nil
	}
	return &r, nil
}

// statusError makes a one-error list from an answer without GraphQL errors.
func statusError(code string, status int, raw []byte) gqlErrors {
	msg := strings.TrimSpace(string(raw))
	if len(msg) > 200 {
		msg = msg[:200]
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	es := make(gqlErrors, 1)
	es[0].Message = msg
	es[0].Extensions.Code = code
	return es
}

// decode returns the response's first error, or unmarshals its data into out.
func decode(r *response, out any) error {
	if err := r.Errors.first(); err != nil {
		return err
	}
	if out == nil || len(r.Data) == 0 {
		return nil
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return fmt.Errorf("decoding response data: %w", err)
	}
	return nil
}
