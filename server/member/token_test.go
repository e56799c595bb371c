package member

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestTokenRoundTrip(t *testing.T) {
	fp := strings.Repeat("ab", 32)
	tok, err := newToken("MAD-1", fp)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseToken(" " + tok.String() + "\n")
	if err != nil {
		t.Fatalf("ParseToken: %v", err)
	}
	if got != tok {
		t.Errorf("round trip = %+v, want %+v", got, tok)
	}
	if got.Hash() == tok.Secret || len(got.Hash()) != 64 {
		t.Errorf("Hash = %q, want the hex SHA-256 of the secret", got.Hash())
	}
}

func TestParseTokenErrors(t *testing.T) {
	enc := func(s string) string { return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(s)) }
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"no prefix", "abc"},
		{"not base64", tokenPrefix + "!!!"},
		{"not JSON", enc("hello")},
		{"no issuer", enc(`{"s":"x","f":"` + strings.Repeat("a", 64) + `"}`)},
		{"short fingerprint", enc(`{"i":"A","s":"x","f":"abc"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseToken(tt.in); !errors.Is(err, ErrBadToken) {
				t.Errorf("ParseToken(%q) error = %v, want ErrBadToken", tt.in, err)
			}
		})
	}
}
