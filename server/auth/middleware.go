package auth

import (
	"encoding/json"
	"errors"
	"net/http"
)

// Middleware authenticates every request it sees with the Authorization
// header and calls next with the Principal in the request context (see
// FromContext). Mount routes that need no token, such as /healthz, outside
// it. On failure it calls onError(w, r, err) instead of next; with a nil
// onError it answers errors wrapping ErrUnauthenticated with 401 and
// WWW-Authenticate: Bearer, and other errors (the Store failing) with 503
// after logging them, both with the body
// {"error":{"code":"...","message":"..."}}.
func (a *Authenticator) Middleware(next http.Handler, onError func(http.ResponseWriter, *http.Request, error)) http.Handler {
	if onError == nil {
		onError = a.writeError
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.Authenticate(r.Context(), r.Header.Get("Authorization"))
		if err != nil {
			onError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// errorBody is the JSON error format of the API.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError is Middleware's default error writer.
func (a *Authenticator) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, ErrUnauthenticated) {
		w.Header().Set("WWW-Authenticate", "Bearer")
		writeJSONError(w, http.StatusUnauthorized, "UNAUTHENTICATED", err.Error())
		return
	}
	if r.Context().Err() == nil { // a caller that went away is not worth a log line
		a.log.Error("authenticating request", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSONError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "authentication is temporarily unavailable")
}

func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	var body errorBody
	body.Error.Code = code
	body.Error.Message = message
	b, _ := json.Marshal(body) // cannot fail: two strings
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}
