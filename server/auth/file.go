package auth

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
)

// ErrEmptyTokenFile reports a token file that holds only white space.
var ErrEmptyTokenFile = errors.New("auth: empty token file")

// WriteTokenFile writes token and a newline to path. The file is created
// with mode 0600 beside path and renamed over it, so it is never readable by
// others, not even when it replaces a more open file; missing parent
// directories are created with mode 0700.
func WriteTokenFile(path, token string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("creating token directory: %w", err)
	}
	if err := atomicfile.Write(path, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("writing token file: %w", err)
	}
	return nil
}

// ReadTokenFile reads the token in path, without surrounding white space. It
// returns an error wrapping ErrEmptyTokenFile when there is none.
func ReadTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading token file: %w", err)
	}
	token := strings.TrimSpace(string(b))
	if token == "" {
		return "", fmt.Errorf("reading token file %s: %w", path, ErrEmptyTokenFile)
	}
	return token, nil
}
