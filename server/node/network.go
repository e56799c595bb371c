package node

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/stockmesh/stockmesh/server/member"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// tlsDir returns DATA/tls, where the node's certificates live.
func (c *Config) tlsDir() string { return filepath.Join(c.DataDir, "tls") }

// joinFirst joins the network through cfg.Join when the data folder has
// not joined one yet, and returns the members the answer named. With
// --join, a new data folder joins through a member; one that joined already
// (its node certificate chains to a CA whose key it does not hold) simply
// starts, so a service manager may keep the flags. A new data folder whose
// warehouse the network already knows (a wiped node joining again under
// its id) first restores that warehouse's history from the member, so that
// its log carries on rather than begins again.
func joinFirst(ctx context.Context, cfg Config, svc *stock.Service) ([]stock.MemberRecord, error) {
	if err := checkIdentity(cfg); err != nil {
		return nil, err
	}
	dir := cfg.tlsDir()
	holds, err := pki.HasCAKey(dir)
	if err != nil {
		return nil, err
	}
	_, caErr := os.Stat(filepath.Join(dir, pki.CACertFile))
	joined := !holds && caErr == nil
	switch {
	case cfg.Join == "":
		return nil, nil
	case holds:
		return nil, fmt.Errorf("node: --join: this data folder started a network of its own (it holds %s); join from a new data folder",
			filepath.Join(dir, pki.CAKeyFile))
	case joined:
		cfg.Logger.Info("this data folder joined the network already; starting", "id", cfg.ID)
		return nil, nil
	}
	jc := member.JoinConfig{URL: cfg.Join, Token: cfg.JoinToken, ID: cfg.ID, Name: cmp.Or(cfg.Name, cfg.ID),
		Advertise: cfg.Advertise, SANs: cfg.TLSSANs, TLSDir: dir}
	learned, err := member.Join(ctx, jc)
	if err != nil {
		return nil, err
	}
	cfg.Logger.Info("joined the network", "through", cfg.Join, "id", cfg.ID)
	if _, err := svc.LocalWarehouse(ctx); err == nil {
		return learned, nil // the folder had its warehouse already: nothing to restore into
	}
	proxy, err := cfg.peerProxy()
	if err != nil {
		return nil, err
	}
	hc, err := member.NewClient(pki.FilesIn(dir), proxy)
	if err != nil {
		return nil, err
	}
	urls := []string{cfg.Join}
	for _, r := range learned {
		if r.HoldsCA && !r.Departed() && r.URL != "" && r.URL != cfg.Join {
			urls = append(urls, r.URL)
		}
	}
	if _, err := peer.Restore(ctx, svc, hc, urls, cfg.ID, cfg.Logger); err != nil {
		return nil, err
	}
	return learned, nil
}

// checkIdentity refuses an --id that is not a warehouse id and an
// --advertise that is not an https:// base URL, before either is used.
func checkIdentity(cfg Config) error {
	if cfg.ID != "" {
		if _, err := stock.NormalizeWarehouseID(cfg.ID); err != nil {
			return fmt.Errorf("node: --id: %w", err)
		}
	}
	if _, err := stock.NormalizeNodeURL(cfg.Advertise); err != nil {
		return fmt.Errorf("node: --advertise: %w", err)
	}
	return nil
}

// joinNetwork prepares the node's place in the network (joined by
// joinFirst, when it joined now, with the membership records it learned)
// and returns it with the HTTPS server's TLS configuration; rejected
// counts the membership records it refuses. A data folder without TLS
// material and without --join starts a network: it makes the CA
// (DATA/tls/ca.key) and holds it.
func joinNetwork(ctx context.Context, cfg Config, svc *stock.Service, w *stock.Warehouse, learned []stock.MemberRecord,
	rejected func(reason string)) (*member.Network, *tls.Config, error) {
	dir := cfg.tlsDir()
	holds, err := pki.HasCAKey(dir)
	if err != nil {
		return nil, nil, err
	}
	files := pki.FilesIn(dir)
	if _, caErr := os.Stat(files.CACert); holds || caErr != nil { // the first start of a network's first node
		if files, err = pki.EnsureNode(dir, w.ID, cfg.TLSSANs); err != nil {
			return nil, nil, fmt.Errorf("preparing TLS certificates: %w", err)
		}
	} else if err := pki.CheckJoined(files); err != nil {
		return nil, nil, err
	}
	proxy, err := cfg.peerProxy()
	if err != nil {
		return nil, nil, err
	}
	net, err := member.New(ctx, member.Config{Store: svc, TLSDir: dir, SignKey: filepath.Join(cfg.DataDir, trust.KeyFile),
		Proxy: proxy, Rejected: rejected, Logger: cfg.Logger})
	if err != nil {
		return nil, nil, err
	}
	if err := net.Learn(ctx, learned); err != nil {
		return nil, nil, err
	}
	tc, err := serverTLS(cfg, files)
	return net, tc, err
}

// serverTLS returns the HTTPS server's TLS configuration: the node
// certificate with the CA in its chain, or --tls-cert. Either way the
// server requests client certificates, which member.Guard verifies.
func serverTLS(cfg Config, files pki.Files) (*tls.Config, error) {
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("node: --tls-cert and --tls-key go together")
	}
	tc, err := pki.NodeConfig(files)
	if err != nil {
		return nil, err
	}
	if cfg.TLSCert != "" {
		custom, err := pki.ServerConfig(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, err
		}
		tc.Certificates = custom.Certificates
	}
	// Requested, not verified in the handshake: member.Guard verifies a
	// peer's certificate and answers a bad one with a readable refusal;
	// users without a certificate are served as before.
	tc.ClientAuth = tls.RequestClientCert
	return tc, nil
}

// peerProxy parses --peer-proxy: nil when unset.
func (c *Config) peerProxy() (*url.URL, error) {
	if c.PeerProxy == "" {
		return nil, nil
	}
	u, err := url.Parse(c.PeerProxy)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("node: --peer-proxy %q is not an http:// or https:// proxy URL", c.PeerProxy)
	}
	return u, nil
}
