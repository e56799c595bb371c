package remote

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/api"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode string // code of the decoded error, "" for success
		wantSKU  string
		retry    bool // parseResponse itself returns an error
	}{
		{name: "data", status: 200, body: `{"data":{"product":{"sku":"A1","price":"9.99","quantity":3}}}`, wantSKU: "A1"},
		{name: "not found", status: 200, body: `{"data":{"product":null},"errors":[{"message":"no A1","path":["product"],"extensions":{"code":"NOT_FOUND"}}]}`, wantCode: api.CodeNotFound},
		{name: "insufficient", status: 200, body: `{"errors":[{"message":"only 2","extensions":{"code":"INSUFFICIENT_STOCK"}}],"data":null}`, wantCode: api.CodeInsufficientStock},
		{name: "validation 422", status: 422, body: `{"errors":[{"message":"bad","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}],"data":null}`, wantCode: "GRAPHQL_VALIDATION_FAILED"},
		{name: "plain 401", status: 401, body: "unauthorized\n", wantCode: api.CodeUnauthenticated},
		{name: "plain 403", status: 403, body: "", wantCode: api.CodeForbidden},
		{name: "plain 500", status: 500, body: "boom", wantCode: api.CodeInternal},
		{name: "503 retried", status: 503, body: "down", retry: true},
		{name: "unavailable code retried", status: 200, body: `{"errors":[{"message":"queue","extensions":{"code":"UNAVAILABLE"}}]}`, retry: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseResponse(tt.status, []byte(tt.body))
			if tt.retry {
				if err == nil {
					t.Fatalf("parseResponse = %+v, want an error to retry", r)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseResponse: %v", err)
			}
			var out struct{ Product *Product }
			err = decode(r, &out)
			if got := Code(err); got != tt.wantCode {
				t.Fatalf("code = %q (err %v), want %q", got, err, tt.wantCode)
			}
			if tt.wantSKU != "" && (out.Product == nil || out.Product.SKU != tt.wantSKU) {
				t.Fatalf("product = %+v, want sku %s", out.Product, tt.wantSKU)
			}
		})
	}
}

func TestProductSendsTokenAndDecodes(t *testing.T) {
	f := newFakeNode(t)
	f.answer = func(_ int, _ fakeRequest, w http.ResponseWriter) {
		reply(w, 200, `{"data":{"product":{"sku":"A1","name":"Bolt","price":"0.25","quantity":40,
			"warehouse":{"id":"MAD","name":"Madrid","local":true},"createdAt":"2026-11-23T10:15:00Z","updatedAt":"2026-11-23T10:15:00Z"}}}`)
	}
	p, err := f.client(t).Product(context.Background(), "A1")
	if err != nil {
		t.Fatal(err)
	}
	if p.SKU != "A1" || p.Quantity != 40 || p.Price != "0.25" || p.Warehouse.Name != "Madrid" || p.CreatedAt.IsZero() {
		t.Fatalf("product = %+v", p)
	}
	req := f.seen()[0]
	if wh, ok := req.Variables["warehouse"]; req.Auth != "Bearer secret" || req.Variables["sku"] != "A1" || !ok || wh != nil ||
		!strings.Contains(req.Query, "product(sku: $sku, warehouse: $warehouse)") {
		t.Fatalf("request = %+v", req)
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		call      func(c *Client) error
		wantCalls int
		wantErr   error
	}{
		{
			name: "movement retried with the same key",
			call: func(c *Client) error {
				_, err := c.RecordMovement(context.Background(), NewMovement{SKU: "A1", Kind: api.KindSale, Quantity: 1})
				return err
			},
			wantCalls: 2,
		},
		{
			name: "create not repeated once sent",
			call: func(c *Client) error {
				_, err := c.CreateProduct(context.Background(), NewProduct{SKU: "A1", Name: "x", Price: "1"})
				return err
			},
			wantCalls: 1,
			wantErr:   ErrUnavailable,
		},
		{
			name: "read retried",
			call: func(c *Client) error {
				_, err := c.Warehouses(context.Background())
				return err
			},
			wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNode(t)
			f.answer = func(n int, _ fakeRequest, w http.ResponseWriter) {
				if n == 1 {
					drop(w)
					return
				}
				reply(w, 200, `{"data":{"recordMovement":{"sku":"A1","kind":"SALE","quantity":-1,"balance":9},"warehouses":[]}}`)
			}
			err := tt.call(f.client(t))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			seen := f.seen()
			if len(seen) != tt.wantCalls {
				t.Fatalf("node saw %d requests, want %d", len(seen), tt.wantCalls)
			}
			if len(seen) == 2 && strings.Contains(seen[0].Query, "recordMovement") {
				k1 := seen[0].Variables["input"].(map[string]any)["idempotencyKey"]
				k2 := seen[1].Variables["input"].(map[string]any)["idempotencyKey"]
				if k1 == nil || k1 == "" || k1 != k2 {
					t.Fatalf("idempotency keys %v and %v, want the same non-empty key", k1, k2)
				}
			}
		})
	}
}

func TestUnreachableAndUntrusted(t *testing.T) {
	f := newFakeNode(t)
	f.answer = func(_ int, _ fakeRequest, w http.ResponseWriter) { reply(w, 200, `{"data":{"warehouses":[]}}`) }
	otherCA := writeSelfSignedCA(t)
	down := newFakeNode(t)
	down.srv.Close()
	tests := []struct {
		name    string
		url, ca string
		want    error
		code    string
	}{
		{name: "closed port", url: down.srv.URL, ca: down.caFile, want: ErrUnavailable, code: api.CodeUnavailable},
		{name: "wrong CA", url: f.srv.URL, ca: otherCA, want: ErrUntrusted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(Config{ServerURL: tt.url, CAFile: tt.ca, Retry: Retry{Attempts: 2, Base: time.Millisecond, Max: time.Millisecond}})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.Warehouses(context.Background())
			if !errors.Is(err, tt.want) || Code(err) != tt.code {
				t.Fatalf("err = %v (code %q), want %v (code %q)", err, Code(err), tt.want, tt.code)
			}
		})
	}
	if len(f.seen()) != 0 {
		t.Fatalf("the node behind an untrusted certificate got %d requests", len(f.seen()))
	}
}

func TestNewClientRefusesBadConfig(t *testing.T) {
	f := newFakeNode(t)
	tests := []struct {
		name, url, ca string
		want          error
	}{
		{name: "http", url: "http://localhost:8443", ca: f.caFile, want: ErrNotHTTPS},
		{name: "no host", url: "https://", ca: f.caFile, want: ErrNotHTTPS},
		{name: "missing CA", url: f.srv.URL, ca: "/nonexistent/ca.crt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(Config{ServerURL: tt.url, CAFile: tt.ca})
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestWriteRetriedOnlyWhenNotApplied: a write without an idempotency key
// is repeated after UNAVAILABLE (the node applied nothing) but never after
// OUTCOME_UNKNOWN (it may have been applied).
func TestWriteRetriedOnlyWhenNotApplied(t *testing.T) {
	tests := []struct {
		code      string
		wantCalls int
		wantCode  string
	}{
		{api.CodeUnavailable, 2, ""},
		{api.CodeOutcomeUnknown, 1, api.CodeOutcomeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			f := newFakeNode(t)
			f.answer = func(n int, _ fakeRequest, w http.ResponseWriter) {
				if n == 1 {
					reply(w, 200, `{"errors":[{"message":"m","extensions":{"code":"`+tt.code+`"}}],"data":null}`)
					return
				}
				reply(w, 200, `{"data":{"createProduct":{"sku":"A1"}}}`)
			}
			_, err := f.client(t).CreateProduct(context.Background(), NewProduct{SKU: "A1", Name: "x", Price: "1"})
			if Code(err) != tt.wantCode {
				t.Fatalf("err = %v, want code %q", err, tt.wantCode)
			}
			if n := len(f.seen()); n != tt.wantCalls {
				t.Fatalf("node saw %d requests, want %d", n, tt.wantCalls)
			}
		})
	}
}

// TestImportSentAgainUnderItsKey: an import whose outcome the node could
// not tell (or whose answer was lost) is sent again under the same
// idempotency key, and the node's answer to that is the result; a dry run
// carries no key, and a refusal is not sent again.
func TestImportSentAgainUnderItsKey(t *testing.T) {
	cases := []struct {
		name    string
		dry     bool
		answers []string // status and body, in turn
		want    int      // requests the fake node sees
		created int
		code    string
	}{
		{"outcome unknown, then the result", false, []string{
			`504 {"error":{"code":"OUTCOME_UNKNOWN","message":"the database did not answer in time"}}`,
			`200 {"created":2,"updated":0,"unchanged":0}`}, 2, 2, ""},
		{"unavailable, then the result", false, []string{
			`503 {"error":{"code":"UNAVAILABLE","message":"starting"}}`,
			`200 {"created":1,"updated":0,"unchanged":0}`}, 2, 1, ""},
		{"refused lines are not sent again", false, []string{
			`400 {"error":{"code":"INVALID_INPUT","message":"1 line is invalid"},"lines":[{"line":2,"message":"price: bad"}]}`}, 1, 0, "lines"},
		{"a dry run's unknown outcome is not sent again", true, []string{
			`504 {"error":{"code":"OUTCOME_UNKNOWN","message":"no"}}`}, 1, 0, api.CodeOutcomeUnknown},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNode(t)
			f.answer = func(n int, _ fakeRequest, w http.ResponseWriter) {
				a := tt.answers[min(n, len(tt.answers))-1]
				status, body, _ := strings.Cut(a, " ")
				code, _ := strconv.Atoi(status)
				reply(w, code, body)
			}
			c := f.client(t)
			res, err := c.Import(context.Background(), []byte("sku,name,price\nA1,Bolt,1.00\n"), tt.dry)
			var ie *ImportError
			switch {
			case tt.code == "lines" && !errors.As(err, &ie):
				t.Fatalf("err %v, want an *ImportError", err)
			case tt.code != "" && tt.code != "lines" && Code(err) != tt.code:
				t.Fatalf("err %v, want %s", err, tt.code)
			case tt.code == "" && (err != nil || res.Created != tt.created):
				t.Fatalf("result %+v, %v; want %d created", res, err, tt.created)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if len(f.requests) != tt.want {
				t.Fatalf("the node saw %d requests, want %d", len(f.requests), tt.want)
			}
			for _, r := range f.requests {
				if (r.Key == "") != tt.dry || r.Key != f.requests[0].Key {
					t.Fatalf("keys %q and %q (dry run %v): want one key on every request of a real import, none on a dry run",
						f.requests[0].Key, r.Key, tt.dry)
				}
			}
		})
	}
}
