package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every token, so that leaked tokens are easy to
// recognize (and to scan for).
const TokenPrefix = "smk_"

const (
	tokenBytes = 32
	// tokenLen is the length of a token: the prefix and 32 bytes in unpadded
	// base64url.
	tokenLen = len(TokenPrefix) + (tokenBytes*8+5)/6
)

// NewToken returns a new random token (TokenPrefix followed by 32 random
// bytes in unpadded base64url) and its hash, the only form to store.
func NewToken() (token, hash string, err error) {
	var b [tokenBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err // never happens since Go 1.24: crypto/rand.Read cannot fail
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, Hash(token), nil
}

// Hash returns the lower-case hex SHA-256 of token, the form in which tokens
// are stored and looked up. A salt or slow hash is unnecessary because tokens
// carry 256 bits of entropy.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether token has the shape NewToken produces.
func wellFormed(token string) bool {
	if len(token) != tokenLen || !strings.HasPrefix(token, TokenPrefix) {
		return false
	}
	for i := len(TokenPrefix); i < len(token); i++ {
		if !isBase64URL(token[i]) {
			return false
		}
	}
	return true
}

func isBase64URL(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}
