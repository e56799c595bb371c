package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
)

// CA is a private certificate authority that issues node certificates. It
// is safe for concurrent use; its fields never change after construction.
type CA struct {
	cert    *x509.Certificate
	certPEM []byte
	key     *ecdsa.PrivateKey
}

// NewCA creates a CA named name with a fresh ECDSA P-256 key, valid for
// CAValidity.
func NewCA(name string) (*CA, error) {
	return newCA(name, time.Now())
}

// LoadCA reads a CA certificate and its private key from PEM files and checks
// that they belong together.
func LoadCA(certFile, keyFile string) (*CA, error) {
	cert, certPEM, err := readCert(certFile)
	if err != nil {
		return nil, fmt.Errorf("loading CA: %w", err)
	}
	key, err := readKey(keyFile)
	if err != nil {
		return nil, fmt.Errorf("loading CA: %w", err)
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("loading CA: %s is not a CA certificate", certFile)
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("loading CA: key %s does not match certificate %s", keyFile, certFile)
	}
	return &CA{cert: cert, certPEM: certPEM, key: key}, nil
}

// Save writes the CA certificate (mode 0644) and key (mode 0600) to the given
// paths, each atomically. The parent directories must exist.
func (c *CA) Save(certFile, keyFile string) error {
	keyPEM, err := encodeKey(c.key)
	if err != nil {
		return fmt.Errorf("saving CA: %w", err)
	}
	if err := atomicfile.Write(keyFile, keyPEM, 0o600); err != nil {
		return fmt.Errorf("saving CA key: %w", err)
	}
	if err := atomicfile.Write(certFile, c.certPEM, 0o600); err != nil {
		return fmt.Errorf("saving CA certificate: %w", err)
	}
	return nil
}

// IssueNode issues a server (and client) certificate for exactly the given
// names, each an IP address or DNS name, with a fresh ECDSA P-256 key. It
// returns the certificate and its key in PEM form. The certificate is valid
// for NodeValidity but never beyond the CA itself.
func (c *CA) IssueNode(sans []string) (certPEM, keyPEM []byte, err error) {
	norm, err := normalizeSANs(sans)
	if err != nil {
		return nil, nil, err
	}
	return c.issueNode("", norm, time.Now())
}

func newCA(name string, now time.Time) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating CA key: %w", err)
	}
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: name, Organization: []string{"stockmesh"}},
		NotBefore:             now.Add(-ClockSkew),
		NotAfter:              now.Add(CAValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parsing new CA certificate: %w", err)
	}
	return &CA{cert: cert, certPEM: encodeCert(der), key: key}, nil
}

// issueNode issues a node certificate named id (or after its first DNS
// name when id is "") for already normalized sans at now.
func (c *CA) issueNode(id string, sans []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating node key: %w", err)
	}
	dns, ips := splitSANs(sans)
	if id == "" {
		id = commonName(dns)
	}
	tmpl, err := c.nodeTemplate(id, dns, ips, now)
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		return nil, nil, fmt.Errorf("creating node certificate: %w", err)
	}
	keyPEM, err = encodeKey(key)
	if err != nil {
		return nil, nil, err
	}
	return encodeCert(der), keyPEM, nil
}

// nodeTemplate returns the template of a node certificate whose identity
// (CommonName) is id: server and client use, valid for NodeValidity but
// never beyond the CA.
func (c *CA) nodeTemplate(id string, dns []string, ips []net.IP, now time.Time) (*x509.Certificate, error) {
	serial, err := randomSerial()
	if err != nil {
		return nil, err
	}
	notAfter := now.Add(NodeValidity)
	if notAfter.After(c.cert.NotAfter) {
		notAfter = c.cert.NotAfter
	}
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: id, Organization: []string{"stockmesh"}},
		NotBefore:    now.Add(-ClockSkew),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     dns,
		IPAddresses:  ips,
	}, nil
}

// randomSerial returns a random positive serial number of 128 bits.
func randomSerial() (*big.Int, error) {
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	n, err := rand.Int(rand.Reader, limit)
	if err != nil {
		return nil, fmt.Errorf("generating serial number: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil // never zero
}

// commonName picks a human-readable subject name: the first DNS name that is
// not localhost, else localhost.
func commonName(dns []string) string {
	for _, d := range dns {
		if d != "localhost" {
			return d
		}
	}
	return "localhost"
}
