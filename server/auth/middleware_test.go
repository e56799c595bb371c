package auth

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestMiddleware(t *testing.T) {
	store := newFakeStore()
	jo := Principal{Name: "jo", Role: RoleAdmin}
	tok := store.add(t, jo)
	down := newFakeStore()
	down.fail(errors.New("queue down"))
	downTok := down.add(t, jo)
	tests := []struct {
		name       string
		store      *fakeStore
		header     string
		wantStatus int
		wantCode   string // error code in the JSON body; empty for success
	}{
		{"valid token", store, "Bearer " + tok, http.StatusOK, ""},
		{"missing header", store, "", http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"wrong scheme", store, "Token " + tok, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"unknown token", store, "Bearer " + TokenPrefix + strings.Repeat("A", len(tok)-len(TokenPrefix)), http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"store down", down, "Bearer " + downTok, http.StatusServiceUnavailable, "UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := newTestAuthenticator(t, tt.store)
			var seen *Principal
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				p, ok := FromContext(r.Context())
				if ok {
					seen = &p
				}
				w.WriteHeader(http.StatusOK)
			})
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodGet, "/api/v1/products", nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			a.Middleware(next, nil).ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if tt.wantCode == "" {
				if seen == nil || *seen != jo {
					t.Errorf("handler saw principal %v, want %+v", seen, jo)
				}
				return
			}
			if seen != nil {
				t.Error("handler ran for a refused request")
			}
			checkErrorBody(t, rec, tt.wantCode)
		})
	}
}

func TestMiddlewareCustomOnError(t *testing.T) {
	a, _ := newTestAuthenticator(t, newFakeStore())
	var got error
	onError := func(w http.ResponseWriter, _ *http.Request, err error) {
		got = err
		w.WriteHeader(http.StatusTeapot)
	}
	next := http.HandlerFunc(func(http.ResponseWriter, *http.Request) { t.Error("handler ran without a token") })
	rec := httptest.NewRecorder()
	a.Middleware(next, onError).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusTeapot || !errors.Is(got, ErrUnauthenticated) {
		t.Errorf("status %d, onError got %v; want 418 and ErrUnauthenticated", rec.Code, got)
	}
}

func checkErrorBody(t *testing.T, rec *httptest.ResponseRecorder, wantCode string) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	wantChallenge := ""
	if rec.Code == http.StatusUnauthorized {
		wantChallenge = "Bearer"
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != wantChallenge {
		t.Errorf("WWW-Authenticate = %q, want %q", got, wantChallenge)
	}
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if body.Error.Code != wantCode || body.Error.Message == "" {
		t.Errorf("error body = %+v, want code %s and a message", body.Error, wantCode)
	}
	if strings.Contains(body.Error.Message, "queue down") {
		t.Errorf("message %q leaks an internal error", body.Error.Message)
	}
}
