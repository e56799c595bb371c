package member

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
)

// ErrCAMismatch reports a member whose certificate chain holds no CA with
// the join token's fingerprint: not the network the token is for, or
// someone in the middle. Nothing secret was sent.
var ErrCAMismatch = errors.New("member: the server's CA does not match the join token's fingerprint")

// JoinConfig is what a new node joins the network with.
type JoinConfig struct {
	URL       string   // any member's base URL
	Token     string   // a join token (ParseToken)
	ID, Name  string   // the new node's warehouse
	Advertise string   // the base URL the new node serves at
	SANs      []string // extra names for its certificate
	TLSDir    string   // DATA/tls, where node.key, node.crt and ca.crt are written
}

// Join joins the network: it makes a key and a certificate request named
// cfg.ID, connects to cfg.URL checking that the server's chain holds the
// CA the token pins (ErrCAMismatch otherwise, before sending anything),
// posts the join request, and writes the certificate, key and CA
// certificate it gets into cfg.TLSDir. The CA signs the key for cfg.ID and
// the names the node declares: the host of cfg.Advertise, this machine's
// (pki.DefaultSANs) and cfg.SANs. It returns the membership records the
// answer carried, for the caller to verify and record (Network.Learn).
func Join(ctx context.Context, cfg JoinConfig) ([]stock.MemberRecord, error) {
	tok, err := ParseToken(cfg.Token)
	if err != nil {
		return nil, err
	}
	if cfg.Advertise == "" {
		return nil, errors.New("joining needs the URL this node advertises (--advertise https://HOST:PORT)")
	}
	csr, key, err := pki.NewCSR(cfg.ID, append(cfg.SANs, hostOf(cfg.Advertise)))
	if err != nil {
		return nil, err
	}
	host := hostOf(cfg.URL)
	tr := &http.Transport{TLSClientConfig: pinned(tok.Fingerprint, host), TLSHandshakeTimeout: 5 * time.Second}
	defer tr.CloseIdleConnections()
	// The names the node declares for its certificate, beside its URL's
	// host: those of this machine, for local clients, and --tls-san.
	sans := append(pki.DefaultSANs(), cfg.SANs...)
	req := JoinRequest{Token: cfg.Token, ID: cfg.ID, Name: cfg.Name, URL: cfg.Advertise, SANs: sans, CSR: string(csr)}
	var answer JoinAnswer
	if err := postJSON(ctx, &http.Client{Transport: tr}, cfg.URL, "/api/v1/join", "", req, &answer); err != nil {
		if errors.Is(err, ErrCAMismatch) {
			return nil, fmt.Errorf("joining through %s: %w", cfg.URL, ErrCAMismatch)
		}
		return nil, fmt.Errorf("joining through %s: %w", cfg.URL, err)
	}
	if fp, err := fingerprintPEM([]byte(answer.CA)); err != nil || fp != tok.Fingerprint {
		return nil, fmt.Errorf("joining through %s: the CA in the answer is not the one the token pins", cfg.URL)
	}
	if err := pki.WriteJoined(cfg.TLSDir, key, []byte(answer.Cert), []byte(answer.CA)); err != nil {
		return nil, fmt.Errorf("writing the certificates of the network: %w", err)
	}
	return answer.Records, nil
}

// pinned returns a TLS configuration that trusts a server only if its chain
// holds a CA certificate with fingerprint fp and the server's certificate,
// verified against that CA alone, covers host: what a joiner has before it
// has the CA certificate (as kubeadm's discovery token CA hash).
func pinned(fp, host string) *tls.Config {
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: pki.CipherSuites(),
		// Verification is done below against the pinned CA; the system
		// roots would not know a private network CA.
		InsecureSkipVerify: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			certs := make([]*x509.Certificate, 0, len(raw))
			for _, r := range raw {
				c, err := x509.ParseCertificate(r)
				if err != nil {
					return err
				}
				certs = append(certs, c)
			}
			for _, c := range certs {
				if c.IsCA && pki.Fingerprint(c) == fp {
					roots := x509.NewCertPool()
					roots.AddCert(c)
					_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, DNSName: host})
					return err
				}
			}
			return ErrCAMismatch
		},
	}
}

// fingerprintPEM returns the fingerprint of the first certificate in data.
func fingerprintPEM(data []byte) (string, error) {
	pool, err := pki.ParseCerts(data)
	if err != nil {
		return "", err
	}
	return pki.Fingerprint(pool[0]), nil
}

// hostOf returns the host of a URL, or "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
