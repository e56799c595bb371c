package pki

import (
	"crypto/x509"
	"fmt"
	"time"
)

// nodeNeedsIssue reports whether the node certificate in f must be (re)issued
// from ca to cover sans at now. Missing files, a key that does not match, a
// certificate that does not verify against ca, one expiring within
// RenewBefore, one naming another id, or one lacking a name all call for a new certificate. Files
// that cannot be parsed are an error.
func nodeNeedsIssue(f Files, ca *CA, id string, sans []string, now time.Time) (bool, error) {
	certOK, err := exists(f.Cert)
	if err != nil {
		return false, err
	}
	keyOK, err := exists(f.Key)
	if err != nil {
		return false, err
	}
	if !certOK || !keyOK {
		return true, nil
	}
	cert, _, err := readCert(f.Cert)
	if err != nil {
		return false, fmt.Errorf("loading node certificate: %w", err)
	}
	key, err := readKey(f.Key)
	if err != nil {
		return false, fmt.Errorf("loading node key: %w", err)
	}
	switch {
	case !key.PublicKey.Equal(cert.PublicKey):
		return true, nil
	case !verifies(cert, ca, now):
		return true, nil
	case id != "" && cert.Subject.CommonName != id:
		return true, nil
	case cert.NotAfter.Sub(now) < RenewBefore:
		return true, nil
	default:
		return len(missingSANs(cert.DNSNames, cert.IPAddresses, sans)) > 0, nil
	}
}

// verifies reports whether cert chains to ca at now for server use.
func verifies(cert *x509.Certificate, ca *CA, now time.Time) bool {
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	_, err := cert.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	return err == nil
}
