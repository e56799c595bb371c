// Package pki owns a node's TLS material: a private certificate authority,
// the node certificate it issues, and the tls.Config values built from them.
//
// A node serves HTTPS only. Ensure creates the CA and a node certificate on
// first start and reuses them later, reissuing only the node certificate when
// it misses a requested name or nears expiry. The CA and node issuing are
// separate (see CA) so that all nodes of a network can later trust one CA.
package pki

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
)

// File names inside the directory given to Ensure (DATA/tls).
const (
	// CACertFile holds the CA certificate that clients trust.
	CACertFile = "ca.crt"
	// CAKeyFile holds the CA's private key (mode 0600).
	CAKeyFile = "ca.key"
	// NodeCertFile holds the node certificate the HTTPS server presents.
	NodeCertFile = "node.crt"
	// NodeKeyFile holds the node certificate's private key (mode 0600).
	NodeKeyFile = "node.key"
)

// Validity periods and the renewal window.
const (
	// CAValidity is how long a new CA is valid.
	CAValidity = 10 * 365 * 24 * time.Hour
	// NodeValidity is how long a new node certificate is valid.
	NodeValidity = 365 * 24 * time.Hour
	// RenewBefore is how long before its expiry Ensure replaces a node
	// certificate.
	RenewBefore = 30 * 24 * time.Hour
	// ClockSkew backdates NotBefore so that peers with slightly slow clocks
	// accept a fresh certificate.
	ClockSkew = 5 * time.Minute
)

var (
	// ErrInvalidPEM reports a file that holds no usable PEM block of the
	// expected kind.
	ErrInvalidPEM = errors.New("pki: invalid PEM")
	// ErrIncompleteCA reports a CA certificate without its key or a key
	// without its certificate; Ensure refuses to replace half a CA.
	ErrIncompleteCA = errors.New("pki: incomplete CA")
	// ErrInvalidSAN reports a subject alternative name that is neither an IP
	// address nor a plausible DNS name.
	ErrInvalidSAN = errors.New("pki: invalid subject alternative name")
)

// Files names the PEM files a node serves with.
type Files struct{ CACert, Cert, Key string }

// FilesIn returns the paths Ensure uses inside dir.
func FilesIn(dir string) Files {
	return Files{
		CACert: filepath.Join(dir, CACertFile),
		Cert:   filepath.Join(dir, NodeCertFile),
		Key:    filepath.Join(dir, NodeKeyFile),
	}
}

// Ensure makes sure dir (DATA/tls) holds a CA and a node certificate covering
// sans plus the defaults (localhost, 127.0.0.1, ::1 and the host name),
// creating or renewing as needed, and returns their paths.
//
// dir is created with mode 0700 and private keys with mode 0600. An existing
// CA is always kept; the node certificate is reissued from it when it lacks a
// requested name, expires within RenewBefore, does not match its key or does
// not verify against the CA. Files that hold garbage are reported, not
// replaced.
func Ensure(dir string, sans []string) (Files, error) {
	return EnsureNode(dir, "", sans)
}

// EnsureNode is Ensure for a node whose identity is id: the node
// certificate's CommonName, which is reissued when it names another id.
// An empty id names the certificate after its first DNS name.
func EnsureNode(dir, id string, sans []string) (Files, error) {
	all, err := normalizeSANs(append(DefaultSANs(), sans...))
	if err != nil {
		return Files{}, err
	}
	return ensureAt(dir, id, all, time.Now())
}

// ensureAt is EnsureNode with the SANs already normalized and the clock given.
func ensureAt(dir, id string, sans []string, now time.Time) (Files, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Files{}, fmt.Errorf("creating TLS directory: %w", err)
	}
	ca, err := loadOrCreateCA(dir, now)
	if err != nil {
		return Files{}, err
	}
	f := FilesIn(dir)
	reissue, err := nodeNeedsIssue(f, ca, id, sans, now)
	if err != nil {
		return Files{}, err
	}
	if reissue {
		if err := writeNode(f, ca, id, sans, now); err != nil {
			return Files{}, err
		}
	}
	return f, nil
}

// loadOrCreateCA loads the CA in dir, or creates one when neither of its
// files exists.
func loadOrCreateCA(dir string, now time.Time) (*CA, error) {
	certFile := filepath.Join(dir, CACertFile)
	keyFile := filepath.Join(dir, CAKeyFile)
	certOK, err := exists(certFile)
	if err != nil {
		return nil, err
	}
	keyOK, err := exists(keyFile)
	if err != nil {
		return nil, err
	}
	switch {
	case certOK && keyOK:
		return LoadCA(certFile, keyFile)
	case certOK || keyOK:
		return nil, fmt.Errorf("loading CA from %s: %w: need both %s and %s", dir, ErrIncompleteCA, CACertFile, CAKeyFile)
	}
	ca, err := newCA(caName(), now)
	if err != nil {
		return nil, err
	}
	if err := ca.Save(certFile, keyFile); err != nil {
		return nil, err
	}
	return ca, nil
}

// writeNode issues a node certificate and writes key first, then
// certificate, each atomically; a crash between the two leaves a mismatched
// pair, which the next Ensure detects and reissues.
func writeNode(f Files, ca *CA, id string, sans []string, now time.Time) error {
	certPEM, keyPEM, err := ca.issueNode(id, sans, now)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(f.Key, keyPEM, 0o600); err != nil {
		return fmt.Errorf("writing node key: %w", err)
	}
	if err := atomicfile.Write(f.Cert, certPEM, 0o600); err != nil {
		return fmt.Errorf("writing node certificate: %w", err)
	}
	return nil
}

// caName names a new CA after the host, so operators can tell CAs apart.
func caName() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		return "stockmesh CA"
	}
	return "stockmesh CA " + host
}

// exists reports whether path exists; errors other than "not found" are
// returned.
func exists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	default:
		return false, fmt.Errorf("checking %s: %w", path, err)
	}
}
