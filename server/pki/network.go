package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
)

// pemCSR is the PEM type of a certificate signing request.
const pemCSR = "CERTIFICATE REQUEST"

// ErrBadCSR reports a certificate signing request that does not parse, is
// not signed by its own key, or names another identity than expected.
var ErrBadCSR = errors.New("pki: bad certificate signing request")

// Fingerprint returns the lower-case hex SHA-256 of cert's DER bytes: what
// a join token carries so that a joiner can pin the network's CA.
func Fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return hex.EncodeToString(sum[:])
}

// FingerprintFile returns the Fingerprint of the first certificate in the
// PEM file path.
func FingerprintFile(path string) (string, error) {
	cert, _, err := readCert(path)
	if err != nil {
		return "", err
	}
	return Fingerprint(cert), nil
}

// Fingerprint returns the CA certificate's Fingerprint.
func (c *CA) Fingerprint() string { return Fingerprint(c.cert) }

// CertPEM returns the CA certificate in PEM form.
func (c *CA) CertPEM() []byte { return c.certPEM }

// NewCSR makes a fresh ECDSA P-256 key and a certificate signing request
// for a node whose identity is id (the CommonName), covering sans plus the
// defaults. It returns both in PEM form.
func NewCSR(id string, sans []string) (csrPEM, keyPEM []byte, err error) {
	all, err := normalizeSANs(append(DefaultSANs(), sans...))
	if err != nil {
		return nil, nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating node key: %w", err)
	}
	dns, ips := splitSANs(all)
	tmpl := &x509.CertificateRequest{
		Subject:     pkix.Name{CommonName: id, Organization: []string{"stockmesh"}},
		DNSNames:    dns,
		IPAddresses: ips,
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, tmpl, key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating certificate request: %w", err)
	}
	if keyPEM, err = encodeKey(key); err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemCSR, Bytes: der}), keyPEM, nil
}

// ParseCSR parses the certificate request in csrPEM and checks that it is
// signed by its own key and names id as its CommonName; anything else is
// ErrBadCSR.
func ParseCSR(csrPEM []byte, id string) (*x509.CertificateRequest, error) {
	block, _ := pem.Decode(csrPEM)
	if block == nil || block.Type != pemCSR {
		return nil, fmt.Errorf("%w: no %s block", ErrBadCSR, pemCSR)
	}
	req, err := x509.ParseCertificateRequest(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCSR, err)
	}
	if err := req.CheckSignature(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadCSR, err)
	}
	if req.Subject.CommonName != id {
		return nil, fmt.Errorf("%w: it names %q, not %q", ErrBadCSR, req.Subject.CommonName, id)
	}
	return req, nil
}

// MaxNames is the most names (DNS names and IP addresses) a node
// certificate the CA signs may cover.
const MaxNames = 32

// NormalizeNames returns names as a node certificate holds them: trimmed,
// lower-cased, deduplicated, IP addresses in canonical form, empty ones
// dropped. A name that is neither an IP address nor a plausible DNS name,
// a wildcard, or more than MaxNames names is ErrInvalidSAN.
func NormalizeNames(names []string) ([]string, error) {
	norm, err := normalizeSANs(names)
	if err != nil {
		return nil, err
	}
	if len(norm) > MaxNames {
		return nil, fmt.Errorf("%w: %d names, at most %d", ErrInvalidSAN, len(norm), MaxNames)
	}
	for _, n := range norm {
		if strings.Contains(n, "*") {
			return nil, fmt.Errorf("%w: %q is a wildcard", ErrInvalidSAN, n)
		}
	}
	return norm, nil
}

// SignCSR issues a node certificate for the key of the request in csrPEM
// (see ParseCSR), whose identity (CommonName) is id and which covers
// exactly names (see NormalizeNames), never the names the request lists.
// It serves as server and client, and is valid for NodeValidity but never
// beyond the CA.
func (c *CA) SignCSR(csrPEM []byte, id string, names []string) ([]byte, error) {
	req, err := ParseCSR(csrPEM, id)
	if err != nil {
		return nil, err
	}
	norm, err := NormalizeNames(names)
	if err != nil {
		return nil, err
	}
	dns, ips := splitSANs(norm)
	tmpl, err := c.nodeTemplate(id, dns, ips, time.Now())
	if err != nil {
		return nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, req.PublicKey, c.key)
	if err != nil {
		return nil, fmt.Errorf("signing node certificate for %s: %w", id, err)
	}
	return encodeCert(der), nil
}

// HasCAKey reports whether dir (DATA/tls) holds the network CA's private
// key: true on the node that started the network.
func HasCAKey(dir string) (bool, error) {
	return exists(filepath.Join(dir, CAKeyFile))
}

// LoadCAIn loads the CA whose files are in dir (DATA/tls).
func LoadCAIn(dir string) (*CA, error) {
	return LoadCA(filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile))
}

// Identity returns the CommonName of the node certificate in f: the node's
// warehouse id.
func Identity(f Files) (string, error) {
	cert, _, err := readCert(f.Cert)
	if err != nil {
		return "", err
	}
	return cert.Subject.CommonName, nil
}

// CheckJoined reports whether f holds a node certificate and key that
// belong together and chain to the CA certificate in f: the material a
// node that joined a network serves with.
func CheckJoined(f Files) error {
	cert, _, err := readCert(f.Cert)
	if err != nil {
		return fmt.Errorf("loading node certificate: %w", err)
	}
	key, err := readKey(f.Key)
	if err != nil {
		return fmt.Errorf("loading node key: %w", err)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return fmt.Errorf("node key %s does not match certificate %s", f.Key, f.Cert)
	}
	pool, err := LoadCAPool(f.CACert)
	if err != nil {
		return err
	}
	_, err = cert.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	if err != nil {
		return fmt.Errorf("node certificate %s does not verify against %s: %w", f.Cert, f.CACert, err)
	}
	return nil
}

// NodeConfig returns the HTTPS server's *tls.Config for a member of a
// network: it serves the node certificate followed by the CA certificate
// (so a joiner can pin the CA by its fingerprint) and asks every client for
// a certificate, verifying those given against the CA; clients without one
// (users with bearer tokens) are still served.
func NodeConfig(f Files) (*tls.Config, error) {
	cfg, err := ServerConfig(f.Cert, f.Key)
	if err != nil {
		return nil, err
	}
	ca, _, err := readCert(f.CACert)
	if err != nil {
		return nil, fmt.Errorf("loading CA certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	cfg.Certificates[0].Certificate = append(cfg.Certificates[0].Certificate, ca.Raw)
	cfg.ClientAuth = tls.VerifyClientCertIfGiven
	cfg.ClientCAs = pool
	return cfg, nil
}

// PeerConfig returns the *tls.Config a node uses to call another member:
// it presents the node certificate and trusts only the network's CA.
func PeerConfig(f Files) (*tls.Config, error) {
	cfg, err := ClientConfig(f.CACert)
	if err != nil {
		return nil, err
	}
	pair, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("loading node certificate for peer calls: %w", err)
	}
	cfg.Certificates = []tls.Certificate{pair}
	return cfg, nil
}

// WriteJoined writes what a joining node receives: its key, its signed
// certificate and the network's CA certificate, each atomically, in dir
// (DATA/tls, created with mode 0700). No CA key is written.
func WriteJoined(dir string, keyPEM, certPEM, caPEM []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating TLS directory: %w", err)
	}
	f := FilesIn(dir)
	for _, w := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{f.Key, keyPEM, 0o600}, {f.Cert, certPEM, 0o600}, {f.CACert, caPEM, 0o600}} {
		if err := atomicfile.Write(w.path, w.data, w.mode); err != nil {
			return err
		}
	}
	return CheckJoined(f)
}

// ParseCerts parses every certificate in PEM data; it fails with
// ErrInvalidPEM unless there is at least one and all of them parse.
func ParseCerts(data []byte) ([]*x509.Certificate, error) { return parseCerts(data) }
