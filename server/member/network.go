package member

import (
	"cmp"
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/internal/backoff"
	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// Config is what a Network is made from.
type Config struct {
	Store   Store
	TLSDir  string   // DATA/tls: ca.crt, node.crt, node.key, and ca.key on the CA holder
	SignKey string   // the log-signing key, which signs this node's membership records (default DATA/sign.key)
	Proxy   *url.URL // an HTTP CONNECT proxy for node-to-node calls; nil: direct
	// Rejected, when set, counts a membership record refused, by reason
	// (stock.RejectInvalid, RejectSig, RejectBinding, RejectKey, RejectCAClaim or RejectLimit).
	Rejected func(reason string)
	Logger   *slog.Logger
}

// Network is this node's membership of the network. It is safe for
// concurrent use.
type Network struct {
	store    Store
	files    pki.Files
	ca       *pki.CA // nil unless this node holds the CA key
	caPEM    []byte
	fp       string
	client   *http.Client
	guard    *Guard
	joins    *auth.Limiter // join attempts per source address
	log      *slog.Logger
	sign     ed25519.PrivateKey    // the log-signing key: this node's records
	caKey    crypto.Signer         // the CA's key; nil unless this node holds it
	verifier *trust.RecordVerifier // checks records against the network's CA
	rejected func(reason string)

	mu      sync.Mutex
	self    string
	members []stock.Warehouse             // as stored, local first
	records map[string]stock.MemberRecord // the latest record held of each warehouse
	binding *stock.KeyBinding             // sign's binding to this node's warehouse, once made
	lag     func(id string) int64         // changes of id's log not held yet; nil: none known
	left    bool                          // this node left: it shows the others as no longer followed

	g gossipState // whether members are online: the membership protocol
}

// SetLag tells the network how far behind this node is on each
// warehouse's log (the replicator knows), for Member.Behind.
func (n *Network) SetLag(lag func(id string) int64) {
	n.mu.Lock()
	n.lag = lag
	n.mu.Unlock()
}

// New returns the Network of the node whose TLS material is in cfg.TLSDir,
// loading the CA key when the node holds it, and the stored members.
func New(ctx context.Context, cfg Config) (*Network, error) {
	n := &Network{store: cfg.Store, files: pki.FilesIn(cfg.TLSDir), log: cfg.Logger,
		records: map[string]stock.MemberRecord{}, joins: newJoinLimiter(), rejected: cfg.Rejected}
	if n.log == nil {
		n.log = slog.Default()
	}
	holds, err := pki.HasCAKey(cfg.TLSDir)
	if err != nil {
		return nil, err
	}
	if holds {
		if n.ca, err = pki.LoadCAIn(cfg.TLSDir); err != nil {
			return nil, err
		}
		if n.caKey, err = trust.LoadCASigner(n.files.CACert, filepath.Join(cfg.TLSDir, pki.CAKeyFile)); err != nil {
			return nil, err
		}
	}
	if n.sign, err = trust.LoadOrCreateKey(cmp.Or(cfg.SignKey, filepath.Join(filepath.Dir(cfg.TLSDir), trust.KeyFile))); err != nil {
		return nil, err
	}
	if n.fp, err = pki.FingerprintFile(n.files.CACert); err != nil {
		return nil, fmt.Errorf("reading the network CA: %w", err)
	}
	roots, err := pki.LoadCAPool(n.files.CACert)
	if err != nil {
		return nil, err
	}
	if n.caPEM, err = readFile(n.files.CACert); err != nil {
		return nil, err
	}
	cas, err := pki.ParseCerts(n.caPEM)
	if err != nil {
		return nil, fmt.Errorf("reading the network CA: %w", err)
	}
	n.verifier = trust.NewRecordVerifier(cas[0])
	if n.client, err = NewClient(n.files, cfg.Proxy); err != nil {
		return nil, err
	}
	n.guard = NewGuard(roots, n, n.serving)
	if err := n.load(ctx); err != nil {
		return nil, err
	}
	n.startGossip(n.selfID())
	n.followMembers()
	return n, nil
}

// Fingerprint returns the SHA-256 fingerprint of the network's CA.
func (n *Network) Fingerprint() string { return n.fp }

// HoldsCA reports whether this node keeps the network CA's key.
func (n *Network) HoldsCA() bool { return n.ca != nil }

// Client returns the node-to-node HTTP client (see NewClient).
func (n *Network) Client() *http.Client { return n.client }

// Guard returns the guard of node-to-node endpoints (see RequirePeer).
func (n *Network) Guard() *Guard { return n.guard }

// RequirePeer is Guard().RequirePeer: the middleware of every
// node-to-node endpoint.
func (n *Network) RequirePeer(next http.Handler) http.Handler { return n.guard.RequirePeer(next) }

// RequirePeerReading is Guard().RequirePeerReading: the middleware of the
// sync endpoints, served also after this node left.
func (n *Network) RequirePeerReading(next http.Handler) http.Handler {
	return n.guard.RequirePeerReading(next)
}

// Announce signs and records this node's own membership record: its
// name, the URL it advertises (an https:// base URL) and whether it holds
// the CA, newer than any record of it the node holds, so that heartbeats
// carry it to every member. A node that left announces nothing.
func (n *Network) Announce(ctx context.Context, url string) error {
	url, err := stock.NormalizeNodeURL(url)
	if err != nil {
		return fmt.Errorf("the URL this node advertises: %w", err)
	}
	self, err := n.store.LocalWarehouse(ctx)
	if err != nil {
		return err
	}
	if self.DepartedAt != nil {
		return n.refresh(ctx)
	}
	r := stock.MemberRecord{ID: self.ID, Name: self.Name, URL: url, HoldsCA: n.caKey != nil, Version: n.nextVersion(self.ID)}
	if n.holdsOwn(r) { // a restart: nothing to write (which also lets a node start on a full disk)
		return n.refresh(ctx)
	}
	if err := n.recordOwn(ctx, r); err != nil {
		return fmt.Errorf("recording this node's URL: %w", err)
	}
	return n.refresh(ctx)
}

// Learn records the membership records a join answer named, as those of
// a heartbeat: each verified, the others refused and counted.
func (n *Network) Learn(ctx context.Context, rs []stock.MemberRecord) error {
	if len(rs) == 0 {
		return nil
	}
	return n.accept(ctx, "the join answer", rs)
}

// load loads the stored members at start, waiting while the database
// handler is busy or not up yet (a node restarting on a loaded machine):
// that is no reason to stop the node.
func (n *Network) load(ctx context.Context) error {
	b := backoff.Backoff{First: 100 * time.Millisecond, Max: 2 * time.Second, Jitter: 0.2}
	for {
		err := n.refresh(ctx)
		if err == nil || !errors.Is(err, stock.ErrUnavailable) {
			return err
		}
		n.log.Warn("waiting for the database handler to load the members", "err", err)
		if b.Wait(ctx) != nil {
			return err
		}
	}
}

// refresh reloads the stored members and their records.
func (n *Network) refresh(ctx context.Context) error {
	ws, err := n.store.Members(ctx)
	if err != nil {
		return fmt.Errorf("loading members: %w", err)
	}
	rs, err := n.store.MemberRecords(ctx)
	if err != nil {
		return fmt.Errorf("loading membership records: %w", err)
	}
	n.setMembers(ws)
	n.keep(rs)
	return nil
}

// setMembers replaces the stored view of the members, and makes the
// membership protocol follow the current ones.
func (n *Network) setMembers(ws []stock.Warehouse) {
	n.mu.Lock()
	n.members = ws
	for _, w := range ws {
		if w.Local {
			n.self = w.ID
		}
	}
	n.mu.Unlock()
	n.followMembers()
}

// followMembers makes the membership protocol follow the other current
// members that have a URL.
func (n *Network) followMembers() {
	var ids []string
	for _, m := range n.Members() {
		ids = append(ids, m.ID)
	}
	n.follow(ids)
}

// Current reports whether id is a member this node knows that has not
// departed. It implements Directory.
func (n *Network) Current(id string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, w := range n.members {
		if w.ID == id {
			return w.DepartedAt == nil
		}
	}
	return false
}

// serving reports whether this node is still a member itself.
func (n *Network) serving() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.localLocked() != nil && n.localLocked().DepartedAt == nil
}

// localLocked returns this node's own warehouse; n.mu is held.
func (n *Network) localLocked() *stock.Warehouse {
	for i := range n.members {
		if n.members[i].Local {
			return &n.members[i]
		}
	}
	return nil
}

// All returns every warehouse this node knows, its own first, with
// departed ones and the runtime state of the others.
func (n *Network) All() []Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]Member, 0, len(n.members))
	for i := range n.members {
		out = append(out, n.memberOf(&n.members[i]))
	}
	return out
}

// memberOf returns what this node knows of w, one of n.members; n.mu is
// held.
func (n *Network) memberOf(w *stock.Warehouse) Member {
	m := Member{ID: w.ID, Name: w.Name, URL: w.URL, Local: w.Local, HoldsCA: w.HoldsCA, DepartedAt: w.DepartedAt}
	if n.lag != nil && !w.Local {
		m.Behind = n.lag(w.ID)
	}
	if w.Local {
		m.Online = w.DepartedAt == nil
	} else if st, ok := n.status(w.ID); ok && !st.LastSeen.IsZero() {
		m.Online = st.Online() && w.DepartedAt == nil && !n.left
		seen := st.LastSeen
		m.LastSeen = &seen
	}
	return m
}

// Members returns the other current members that have a URL: the nodes
// to heartbeat, and to replicate from. It never includes this node or a
// departed member.
func (n *Network) Members() []Member {
	all := n.All()
	return slices.DeleteFunc(all, func(m Member) bool { return m.Local || !m.Current() || m.URL == "" })
}

// Member returns what this node knows of the warehouse id, asking the
// membership protocol of that member only (a field resolver calls it per
// row).
func (n *Network) Member(id string) (Member, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range n.members {
		if n.members[i].ID == id {
			return n.memberOf(&n.members[i]), true
		}
	}
	return Member{}, false
}

// Warehouse returns the warehouse id as this node stores it, without the
// runtime state Member adds (whether it is online, how far behind): what
// stock.Service.Warehouse answers, once per row of a listing.
func (n *Network) Warehouse(id string) (stock.Warehouse, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := range n.members {
		if n.members[i].ID == id {
			return n.members[i], true
		}
	}
	return stock.Warehouse{}, false
}

// selfID returns this node's warehouse id.
func (n *Network) selfID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.self
}

// holder returns the member that holds the CA key, as this node knows it.
func (n *Network) holder() (Member, error) {
	for _, m := range n.All() {
		if m.HoldsCA && !m.Local && m.Current() && m.URL != "" {
			return m, nil
		}
	}
	return Member{}, stock.Errorf(stock.CodeUnavailable, "this node does not know which member holds the network CA")
}

// ErrDeparted refuses network work once this node left the network.
var ErrDeparted = errors.New("member: this node left the network")

// readFile is os.ReadFile with the path in the error.
func readFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}
