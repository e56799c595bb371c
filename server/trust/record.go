package trust

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"

	"github.com/stockmesh/stockmesh/server/stock"
)

// This file signs and verifies membership records (stock.MemberRecord):
// what the network knows of a warehouse, signed by that warehouse's
// log-signing key (its binding proving the key is the warehouse's) or by
// the network CA's key, so that any member checks a record whoever
// relayed it, with only the CA certificate.

// Errors of record verification; a *RecordError wraps one of them.
var (
	// ErrRecordSignature reports a record whose signature does not verify.
	ErrRecordSignature = errors.New("trust: the membership record's signature does not verify")
	// ErrCAClaim reports a record claiming that its node holds the CA
	// without the CA key's signature.
	ErrCAClaim = errors.New("trust: the record claims the network CA without the CA's signature")
)

// recordDigest is what a record's signatures cover: the SHA-256 of every
// field but the signatures and the key binding (which proves the key, and
// is verified on its own).
func recordDigest(r *stock.MemberRecord) []byte {
	b := make([]byte, 0, 128+len(r.ID)+len(r.Name)+len(r.URL))
	b = append(b, "stockmesh member record v1\n"...)
	b = append(strconv.AppendQuote(b, r.ID), '\n')
	b = append(strconv.AppendQuote(b, r.Name), '\n')
	b = append(strconv.AppendQuote(b, r.URL), '\n')
	b = append(strconv.AppendBool(b, r.HoldsCA), '\n')
	var departed int64
	if r.DepartedAt != nil {
		departed = r.DepartedAt.UnixNano()
	}
	b = append(strconv.AppendInt(b, departed, 10), '\n')
	b = append(strconv.AppendInt(b, r.Version, 10), '\n')
	b = append(b, r.By...)
	sum := sha256.Sum256(b)
	return sum[:]
}

// SignRecord signs r as its own warehouse's word: with key, the
// warehouse's log-signing key, whose binding b travels with it. A claim to
// hold the CA needs CountersignCA after.
func SignRecord(r *stock.MemberRecord, key ed25519.PrivateKey, b *stock.KeyBinding) {
	r.By, r.Key, r.CASig = stock.SignedBySelf, b, nil
	r.Sig = ed25519.Sign(key, recordDigest(r))
}

// CountersignCA signs r, signed already by its warehouse, with the CA's
// key: the proof that its node holds the CA.
func CountersignCA(r *stock.MemberRecord, ca crypto.Signer) error {
	sig, err := ca.Sign(rand.Reader, recordDigest(r), crypto.SHA256)
	if err != nil {
		return fmt.Errorf("countersigning the record of %s with the CA: %w", r.ID, err)
	}
	r.CASig = sig
	return nil
}

// SignRecordByCA signs r as the network CA's word (an admission, or an
// admin's removal of a warehouse gone for good).
func SignRecordByCA(r *stock.MemberRecord, ca crypto.Signer) error {
	r.By, r.Key, r.CASig = stock.SignedByCA, nil, nil
	sig, err := ca.Sign(rand.Reader, recordDigest(r), crypto.SHA256)
	if err != nil {
		return fmt.Errorf("signing the record of %s with the CA: %w", r.ID, err)
	}
	r.Sig = sig
	return nil
}

// LoadCASigner returns the CA's key from its certificate and key files
// (on the node holding the CA).
func LoadCASigner(certFile, keyFile string) (crypto.Signer, error) {
	s, _, err := loadSigner(certFile, keyFile, "the network CA's key")
	return s, err
}

// RecordError is a record that failed verification: Reason is one of
// stock.RejectSig, RejectBinding and RejectCAClaim; Err wraps
// ErrRecordSignature, ErrBadBinding or ErrCAClaim.
type RecordError struct {
	Reason string
	Err    error
}

// Error implements error.
func (e *RecordError) Error() string { return e.Err.Error() }

// Unwrap returns the sentinel the error wraps.
func (e *RecordError) Unwrap() error { return e.Err }

// RecordVerifier verifies membership records against the network's CA.
type RecordVerifier struct {
	ca    *x509.Certificate
	roots *x509.CertPool
}

// NewRecordVerifier returns a verifier trusting the CA certificate ca.
func NewRecordVerifier(ca *x509.Certificate) *RecordVerifier {
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	return &RecordVerifier{ca: ca, roots: roots}
}

// Verify checks r's signatures and returns the log-signing key it proves
// for r.ID (nil for a record the CA signed), or a *RecordError: a record
// signed by its warehouse needs a binding of its key by a certificate the
// CA issued for r.ID, and, to claim the CA, the CA's countersignature; a
// record the CA signed, the CA key's signature.
func (v *RecordVerifier) Verify(r *stock.MemberRecord) (ed25519.PublicKey, error) {
	sum := recordDigest(r)
	switch r.By {
	case stock.SignedByCA:
		if err := verifySig(v.ca.PublicKey, sum, r.Sig); err != nil {
			return nil, &RecordError{stock.RejectSig, fmt.Errorf("%w: %v", ErrRecordSignature, err)}
		}
		return nil, nil
	case stock.SignedBySelf:
		pub, err := v.binding(r)
		if err != nil {
			return nil, &RecordError{stock.RejectBinding, err}
		}
		if !ed25519.Verify(pub, sum, r.Sig) {
			return nil, &RecordError{stock.RejectSig, ErrRecordSignature}
		}
		if r.HoldsCA && verifySig(v.ca.PublicKey, sum, r.CASig) != nil {
			return nil, &RecordError{stock.RejectCAClaim, ErrCAClaim}
		}
		return pub, nil
	}
	return nil, &RecordError{stock.RejectSig, fmt.Errorf("%w: unknown signer %q", ErrRecordSignature, r.By)}
}

// binding returns the key r's binding proves for r.ID, checking first,
// cheaply, that its certificate names r.ID.
func (v *RecordVerifier) binding(r *stock.MemberRecord) (ed25519.PublicKey, error) {
	if r.Key == nil {
		return nil, fmt.Errorf("%w: no key", ErrBadBinding)
	}
	cert, err := x509.ParseCertificate(r.Key.Cert)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBinding, err)
	}
	if cert.Subject.CommonName != r.ID {
		return nil, fmt.Errorf("%w: the certificate names %q, not %q", ErrBadBinding, cert.Subject.CommonName, r.ID)
	}
	return VerifyBinding(r.Key, r.ID, v.roots)
}
