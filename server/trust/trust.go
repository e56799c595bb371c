// Package trust owns what makes a warehouse's history verifiable by any
// node, whoever relays it: the warehouse's log-signing key (Ed25519, in
// the data folder), the binding of that key to the warehouse's identity
// (signed with the key of a certificate the network's CA issued for the
// warehouse), and the signed heads of its log.
//
// A head commits to every entry before it (stock.LogDigest chains them),
// so a node that holds a verified head and receives the entries after it
// with a later signed head checks the whole run with one signature.
package trust

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"

	"github.com/stockmesh/stockmesh/internal/atomicfile"
	"github.com/stockmesh/stockmesh/server/stock"
)

// KeyFile is the name of the log-signing key in the data folder. It is
// one of the folder's keys: losing it means the warehouse rejoins the
// network under a new id, since no other key may sign its log.
const KeyFile = "sign.key"

// ErrBadBinding reports a key binding that does not prove that the
// warehouse holds the key.
var ErrBadBinding = errors.New("trust: the key binding does not verify")

// LoadOrCreateKey returns the Ed25519 key at path (PKCS #8 PEM), creating
// it with mode 0600 when the file does not exist. Two processes of one
// data folder (a node and its dbworker) starting at once get the same
// key: the file is created only if absent, and the loser reads it.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		_, key, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generating the log-signing key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		err = atomicfile.Create(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
		if errors.Is(err, fs.ErrExist) {
			return LoadOrCreateKey(path)
		}
		if err != nil {
			return nil, fmt.Errorf("writing the log-signing key: %w", err)
		}
		return key, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the log-signing key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("reading the log-signing key %s: no PEM block", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("reading the log-signing key %s: %w", path, err)
	}
	key, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("reading the log-signing key %s: not an Ed25519 key", path)
	}
	return key, nil
}

// headMessage is what a signed head's signature covers.
func headMessage(origin, epoch string, seq int64, digest string) []byte {
	b := make([]byte, 0, 64+len(origin)+len(epoch)+len(digest))
	b = append(b, "stockmesh log head v1\n"...)
	b = append(append(b, origin...), '\n')
	b = append(append(b, epoch...), '\n')
	b = append(strconv.AppendInt(b, seq, 10), '\n')
	return append(b, digest...)
}

// SignHead signs the head of origin's log (of epoch) at seq, whose digest
// is digest (hexadecimal).
func SignHead(key ed25519.PrivateKey, origin, epoch string, seq int64, digest string) stock.SignedHead {
	return stock.SignedHead{Seq: seq, Digest: digest, Sig: ed25519.Sign(key, headMessage(origin, epoch, seq, digest))}
}

// VerifyHead reports whether h is validly signed by pub as a head of
// origin's log of epoch.
func VerifyHead(pub ed25519.PublicKey, origin, epoch string, h *stock.SignedHead) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, headMessage(origin, epoch, h.Seq, h.Digest), h.Sig)
}

// bindingMessage is what a key binding's signature covers.
func bindingMessage(id string, key []byte) []byte {
	sum := sha256.Sum256(append([]byte("stockmesh log key v1\n"+id+"\n"), key...))
	return sum[:]
}

// Bind returns the binding of key to the warehouse id, signed with the
// node's certificate and its key in the TLS files certFile and keyFile.
func Bind(id string, key ed25519.PublicKey, certFile, keyFile string) (*stock.KeyBinding, error) {
	signer, pair, err := loadSigner(certFile, keyFile, "the node certificate")
	if err != nil {
		return nil, fmt.Errorf("binding the log key: %w", err)
	}
	sig, err := signer.Sign(rand.Reader, bindingMessage(id, key), crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("binding the log key: %w", err)
	}
	return &stock.KeyBinding{Key: append([]byte(nil), key...), Cert: pair.Certificate[0], Sig: sig}, nil
}

// VerifyBinding returns the key b binds to the warehouse id when b's
// certificate was issued by a CA in roots for id (its CommonName) and its
// key signed the binding; ErrBadBinding otherwise. The certificate's
// validity period is not checked against today: a binding made while it
// was valid stays a proof for the history it signed.
func VerifyBinding(b *stock.KeyBinding, id string, roots *x509.CertPool) (ed25519.PublicKey, error) {
	if b == nil || len(b.Key) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: no key", ErrBadBinding)
	}
	cert, err := x509.ParseCertificate(b.Cert)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBinding, err)
	}
	opts := x509.VerifyOptions{Roots: roots, CurrentTime: cert.NotBefore.Add(cert.NotAfter.Sub(cert.NotBefore) / 2),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if _, err := cert.Verify(opts); err != nil {
		return nil, fmt.Errorf("%w: the certificate is not the network CA's: %v", ErrBadBinding, err)
	}
	if cert.Subject.CommonName != id {
		return nil, fmt.Errorf("%w: the certificate names %q, not %q", ErrBadBinding, cert.Subject.CommonName, id)
	}
	if err := verifySig(cert.PublicKey, bindingMessage(id, b.Key), b.Sig); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadBinding, err)
	}
	return ed25519.PublicKey(b.Key), nil
}

// loadSigner returns the key of the certificate and key in certFile and
// keyFile, what names, with the pair.
func loadSigner(certFile, keyFile, what string) (crypto.Signer, *tls.Certificate, error) {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, fmt.Errorf("loading %s: %w", what, err)
	}
	s, ok := pair.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("loading %s: its key cannot sign", what)
	}
	return s, &pair, nil
}
