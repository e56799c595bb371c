package member

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// tokenPrefix starts every join token; the digit is the format's version.
const tokenPrefix = "SMJ1."

// Bounds of a join token's lifetime.
const (
	// DefaultTokenTTL is how long a join token is accepted when the
	// issuer does not say.
	DefaultTokenTTL = time.Hour
	// MaxTokenTTL is the longest lifetime a join token may have.
	MaxTokenTTL = 7 * 24 * time.Hour
)

// ErrBadToken reports a string that is not a join token.
var ErrBadToken = errors.New("member: not a join token")

// Token is a one-time join token: who issued it (the node that stores its
// hash and consumes it), its secret, and the fingerprint of the network's
// CA, which a joiner checks before sending anything secret.
type Token struct {
	Issuer      string `json:"i"`
	Secret      string `json:"s"`
	Fingerprint string `json:"f"`
}

// JoinToken is a join token as handed to an administrator.
type JoinToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// newToken returns a token with a fresh 256-bit secret.
func newToken(issuer, fingerprint string) (Token, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Token{}, fmt.Errorf("generating join token: %w", err)
	}
	return Token{Issuer: issuer, Secret: base64.RawURLEncoding.EncodeToString(b[:]), Fingerprint: fingerprint}, nil
}

// String returns the token as given to a joiner: "SMJ1." and the base64url
// JSON of its fields.
func (t Token) String() string {
	b, _ := json.Marshal(t)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// Hash returns the hex SHA-256 of the secret: all the issuer stores.
func (t Token) Hash() string {
	sum := sha256.Sum256([]byte(t.Secret))
	return hex.EncodeToString(sum[:])
}

// ParseToken parses a token made by String; it fails with ErrBadToken.
func ParseToken(s string) (Token, error) {
	var t Token
	rest, ok := strings.CutPrefix(strings.TrimSpace(s), tokenPrefix)
	if !ok {
		return t, fmt.Errorf("%w: it does not start with %s", ErrBadToken, tokenPrefix)
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return t, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, fmt.Errorf("%w: %w", ErrBadToken, err)
	}
	if t.Issuer == "" || t.Secret == "" || len(t.Fingerprint) != 2*sha256.Size {
		return t, fmt.Errorf("%w: it lacks the issuer, the secret or the CA fingerprint", ErrBadToken)
	}
	return t, nil
}
