package trust

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
)

// verifySig checks sig of the SHA-256 digest sum by pub, a certificate's
// public key.
func verifySig(pub any, sum, sig []byte) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(k, sum, sig) {
			return errors.New("bad ECDSA signature")
		}
		return nil
	case *rsa.PublicKey:
		return rsa.VerifyPKCS1v15(k, crypto.SHA256, sum, sig)
	case ed25519.PublicKey:
		if !ed25519.Verify(k, sum, sig) {
			return errors.New("bad Ed25519 signature")
		}
		return nil
	}
	return errors.New("unsupported certificate key")
}
