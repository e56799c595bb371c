package graph

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/stockmesh/stockmesh/server/stock"
)

// The media types of GraphQL-over-HTTP responses.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// Request errors our transports raise before GraphQL sees the request.
var (
	errBodyNotRequest = stock.Errorf(stock.CodeInvalidInput,
		`the request body is not a GraphQL request in JSON ({"query": …, "variables": {…}})`)
	errBodyUnread  = stock.Errorf(stock.CodeInvalidInput, "the request body could not be read")
	errNotJSON     = stock.Errorf(stock.CodeInvalidInput, "POST /graphql needs Content-Type: application/json")
	errQueryOnly   = stock.Errorf(stock.CodeInvalidInput, "GET serves queries only; send mutations with POST")
	errGetParams   = stock.Errorf(stock.CodeInvalidInput, "the URL's query string is malformed")
	errGetVarsJSON = stock.Errorf(stock.CodeInvalidInput, "variables and extensions must be JSON objects")
	errNotUTF8     = stock.Errorf(stock.CodeInvalidInput, "the request is not valid UTF-8")
)

// WriteError answers a /graphql request refused before GraphQL execution
// (a missing token, a body over the size limit) with a GraphQL response
// that has errors and no data entry. Its status follows the error: 401 with
// WWW-Authenticate for UNAUTHENTICATED, 413 for an *http.MaxBytesError, 400
// for other INVALID_INPUT, 503 for UNAVAILABLE, 500 for anything else.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="stockmesh"`)
	}
	writeError(w, r, status, err)
}

// writeError writes err alone, with status.
func writeError(w http.ResponseWriter, r *http.Request, status int, err error) {
	write(w, r, status, &graphql.Response{Errors: gqlerror.List{present(&gqlerror.Error{}, err)}})
}

// response is the JSON of a GraphQL response. Unlike graphql.Response it has
// no data entry when Data is nil: a request error, raised before execution
// began, has none (GraphQL spec, Response; GraphQL over HTTP).
type response struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// write is the one writer of GraphQL responses over HTTP.
func write(w http.ResponseWriter, r *http.Request, status int, resp *graphql.Response) {
	if resp == nil {
		resp = &graphql.Response{}
	}
	var b []byte
	var err error
	if len(resp.Errors) == 0 && len(resp.Extensions) == 0 && len(resp.Data) > 0 {
		// gqlgen's data is valid JSON already: json.Marshal would only
		// check and copy it again (a tenth of a long list's CPU).
		b = append(append(append(make([]byte, 0, len(resp.Data)+10), `{"data":`...), resp.Data...), '}')
	} else {
		b, err = json.Marshal(response{Errors: resp.Errors, Data: resp.Data, Extensions: resp.Extensions})
	}
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}`)
	}
	w.Header().Set("Content-Type", responseType(r))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// responseType returns the media type r accepts: the first of ours its
// Accept header lists, application/json for none or a wildcard, and
// application/graphql-response+json when it lists only others.
func responseType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		switch mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); mt {
		case mediaJSON, "*/*", "application/*":
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// requestErrorStatus returns the status of a request whose document failed
// to parse or validate, or whose variables could not be coerced: 400 for
// application/graphql-response+json, and 200 for application/json, which
// the GraphQL-over-HTTP specification keeps at 200 for compatibility.
// Other request errors (a persisted query not found) are 200 for both.
func requestErrorStatus(r *http.Request, errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) == errcode.KindProtocol && responseType(r) == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// execute runs the request in p and writes its response; with queryOnly
// (GET) it refuses anything but a query with 405.
func execute(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, p *graphql.RawParams, queryOnly bool) {
	ctx := r.Context()
	oc, errs := exec.CreateOperationContext(ctx, p)
	if errs != nil {
		status := requestErrorStatus(r, errs) // before the presenter replaces the codes
		write(w, r, status, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
		return
	}
	if queryOnly && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, r, http.StatusMethodNotAllowed, errQueryOnly)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	write(w, r, http.StatusOK, responses(ctx))
}

// post serves POST /graphql with a JSON body. It replaces gqlgen's
// transport.POST so that our code decides request errors by type (an
// unreadable or oversized body, JSON that is no GraphQL request) and writes
// every response through write.
type post struct{}

var _ graphql.Transport = post{}

func (post) Supports(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Header.Get("Upgrade") == "" && r.Method == http.MethodPost && mt == mediaJSON
}

func (post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); !ok {
			err = errBodyUnread
		}
		WriteError(w, r, err)
		return
	}
	if !utf8.Valid(body) { // encoding/json would replace the bytes with U+FFFD
		WriteError(w, r, errNotUTF8)
		return
	}
	p := graphql.RawParams{Headers: r.Header}
	if err := decodeJSON(body, &p); err != nil {
		WriteError(w, r, errBodyNotRequest)
		return
	}
	p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, &p, false)
}

// get serves GET /graphql?query=…&variables=…: queries only.
type get struct{}

var _ graphql.Transport = get{}

func (get) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method == http.MethodGet
}

func (get) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		WriteError(w, r, errGetParams)
		return
	}
	for _, vs := range q {
		for _, v := range vs {
			if !utf8.ValidString(v) {
				WriteError(w, r, errNotUTF8)
				return
			}
		}
	}
	p := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, f := range []struct {
		name string
		to   *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		if s := q.Get(f.name); s != "" && decodeJSON([]byte(s), f.to) != nil {
			WriteError(w, r, errGetVarsJSON)
			return
		}
	}
	p.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(w, r, exec, &p, true)
}

// unsupported answers requests no other transport takes (a POST that is not
// JSON) with 415, instead of gqlgen's uncoded "transport not supported".
type unsupported struct{}

var _ graphql.Transport = unsupported{}

func (unsupported) Supports(*http.Request) bool { return true }

func (unsupported) Do(w http.ResponseWriter, r *http.Request, _ graphql.GraphExecutor) {
	writeError(w, r, http.StatusUnsupportedMediaType, errNotJSON)
}

// decodeJSON decodes b into v keeping numbers exact (json.Number), as our
// scalars expect.
func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}
