package pki

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestHTTPSRoundTrip(t *testing.T) {
	f, err := Ensure(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	url := serveHTTPS(t, f)

	t.Run("trusted CA", func(t *testing.T) {
		resp, err := clientFor(t, f.CACert).Get(url)
		if err != nil {
			t.Fatalf("GET: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || string(body) != "hello" {
			t.Errorf("got %d %q, want 200 \"hello\"", resp.StatusCode, body)
		}
		if resp.ProtoMajor != 2 {
			t.Errorf("protocol = %s, want HTTP/2", resp.Proto)
		}
	})

	t.Run("unrelated CA", func(t *testing.T) {
		other, err := Ensure(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := clientFor(t, other.CACert).Get(url)
		if err == nil {
			resp.Body.Close()
			t.Fatal("GET succeeded with a client that trusts another CA")
		}
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("error = %v, want x509.UnknownAuthorityError", err)
		}
	})
}

func TestServerConfig(t *testing.T) {
	f, err := Ensure(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ServerConfig(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", cfg.MinVersion)
	}
	if strings.Join(cfg.NextProtos, ",") != "h2,http/1.1" {
		t.Errorf("NextProtos = %q", cfg.NextProtos)
	}
	if len(cfg.Certificates) != 1 {
		t.Errorf("got %d certificates, want 1", len(cfg.Certificates))
	}
}

func TestConfigErrors(t *testing.T) {
	f, err := Ensure(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pem")
	writeFile(t, garbage, []byte("this is not PEM\n"))
	otherDir := t.TempDir()
	other, err := Ensure(otherDir, nil)
	if err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.pem")
	tests := []struct {
		name    string
		load    func() error
		want    error
		mention string
	}{
		{"server garbage cert", func() error { _, err := ServerConfig(garbage, f.Key); return err }, ErrInvalidPEM, garbage},
		{"server garbage key", func() error { _, err := ServerConfig(f.Cert, garbage); return err }, ErrInvalidPEM, garbage},
		{"server key as cert", func() error { _, err := ServerConfig(f.Key, f.Key); return err }, ErrInvalidPEM, f.Key},
		{"server missing cert", func() error { _, err := ServerConfig(missing, f.Key); return err }, os.ErrNotExist, missing},
		{"server mismatched pair", func() error { _, err := ServerConfig(f.Cert, other.Key); return err }, nil, other.Key},
		{"client garbage CA", func() error { _, err := ClientConfig(garbage); return err }, ErrInvalidPEM, garbage},
		{"client missing CA", func() error { _, err := ClientConfig(missing); return err }, os.ErrNotExist, missing},
		{"load CA garbage key", func() error { _, err := LoadCA(f.CACert, garbage); return err }, ErrInvalidPEM, garbage},
		{"load CA from node cert", func() error { _, err := LoadCA(f.Cert, f.Key); return err }, nil, f.Cert},
		{"load CA wrong key", func() error {
			_, err := LoadCA(f.CACert, filepath.Join(otherDir, CAKeyFile))
			return err
		}, nil, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.load()
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("error = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.mention) {
				t.Errorf("error %q does not mention %q", err, tt.mention)
			}
		})
	}
}

// serveHTTPS starts an HTTPS server on 127.0.0.1 using f and returns its URL.
func serveHTTPS(t *testing.T, f Files) string {
	t.Helper()
	cfg, err := ServerConfig(f.Cert, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, "hello")
		}),
		TLSConfig:         cfg,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          log.New(t.Output(), "https server: ", 0),
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	return "https://" + ln.Addr().String() + "/"
}

func clientFor(t *testing.T, caFile string) *http.Client {
	t.Helper()
	cfg, err := ClientConfig(caFile)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
