package pki

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// ServerConfig returns a *tls.Config for an HTTPS server (TLS 1.2+ with
// CipherSuites only, HTTP/2
// via NextProtos "h2", "http/1.1") from PEM cert and key files. The cert file
// may hold a chain, leaf first. Garbage in either file is reported as
// ErrInvalidPEM naming the file.
func ServerConfig(certFile, keyFile string) (*tls.Config, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("reading TLS certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("reading TLS key: %w", err)
	}
	if _, err := parseCerts(certPEM); err != nil {
		return nil, fmt.Errorf("parsing TLS certificate %s: %w", certFile, err)
	}
	if _, err := findKeyBlock(keyPEM); err != nil {
		return nil, fmt.Errorf("parsing TLS key %s: %w", keyFile, err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pairing TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: CipherSuites(),
		Certificates: []tls.Certificate{pair},
		NextProtos:   []string{"h2", "http/1.1"},
	}, nil
}

// CipherSuites returns the TLS 1.2 cipher suites a node accepts and offers:
// forward secret (ECDHE) with an AEAD cipher only, as Mozilla's "modern"
// and "intermediate" guidance asks; no CBC, no SHA-1 MACs, no RSA key
// exchange. TLS 1.3, which a node prefers, has only such suites.
func CipherSuites() []uint16 {
	return []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
		tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
		tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
		tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	}
}

// ClientConfig returns a *tls.Config (TLS 1.2+) that trusts only the CA
// certificates in caFile, not the system roots. There is deliberately no way
// to skip verification.
func ClientConfig(caFile string) (*tls.Config, error) {
	pool, err := LoadCAPool(caFile)
	if err != nil {
		return nil, err
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, CipherSuites: CipherSuites(), RootCAs: pool}, nil
}

// LoadCAPool reads every certificate in the PEM file caFile into a new pool.
func LoadCAPool(caFile string) (*x509.CertPool, error) {
	data, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("reading CA certificate: %w", err)
	}
	certs, err := parseCerts(data)
	if err != nil {
		return nil, fmt.Errorf("parsing CA certificate %s: %w", caFile, err)
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
