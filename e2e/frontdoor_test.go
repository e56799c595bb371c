package e2e

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/internal/testnode"
	"github.com/stockmesh/stockmesh/server/peer"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
)

// changesPage is the JSON body of a changes answer, its entries kept as
// the bytes the serving node wrote.
type changesPage struct {
	Epoch   string            `json:"epoch"`
	Entries []json.RawMessage `json:"entries"`
	Proof   string            `json:"proof,omitempty"`
}

// proof decodes the page's proof (base64url of its JSON).
func (p *changesPage) proof() (*stock.LogProof, error) {
	var lp stock.LogProof
	q, _ := json.Marshal(p.Proof)
	if err := json.Unmarshal(q, &lp); err != nil {
		return nil, err
	}
	return &lp, nil
}

// setProof encodes lp as the page's proof.
func (p *changesPage) setProof(lp *stock.LogProof) {
	q, _ := json.Marshal(lp) // a JSON string
	_ = json.Unmarshal(q, &p.Proof)
}

// answer is a changes answer the front door is about to relay: the query
// it answers and its body and headers, which a tamper func may rewrite.
type answer struct {
	after  int64
	header http.Header
	body   []byte
}

// tamperFunc rewrites an answer of MAD-1's log; it returns an error when
// it cannot do what it was meant to, which the test then reports.
type tamperFunc func(fd *frontDoor, a *answer) error

// frontDoor is member B's compromised front door: the address B
// advertises is a TLS-terminating reverse proxy holding nothing but B's
// own material (its node certificate and key to serve and to call B with,
// and the network's CA to trust B). It relays every request to B and
// rewrites answers of MAD-1's log for the callers it is told to.
type frontDoor struct {
	ln     net.Listener
	srv    *http.Server
	back   *url.URL
	client *http.Client // to B, presenting B's certificate

	mu      sync.Mutex
	tamper  map[string]tamperFunc // by caller (the id its certificate names)
	served  map[string]int        // changes answers of MAD-1 relayed, by caller
	tampers map[string]int        // answers rewritten, by caller
	calls   map[string]int        // requests of any kind, by caller
	errs    []error
}

// callerKey is the context key of the caller's id.
type callerKey struct{}

// listenFrontDoor reserves the front door's address, for B to advertise
// before it has the certificate the front door serves with.
func listenFrontDoor(t *testing.T) *frontDoor {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fd := &frontDoor{ln: ln, tamper: map[string]tamperFunc{}, served: map[string]int{}, tampers: map[string]int{}, calls: map[string]int{}}
	t.Cleanup(func() {
		if fd.srv != nil {
			fd.srv.Close()
		}
		ln.Close()
	})
	return fd
}

// Addr returns the front door's address, host:port.
func (fd *frontDoor) Addr() string { return fd.ln.Addr().String() }

// serve starts relaying to b with b's certificate, key and CA.
func (fd *frontDoor) serve(t *testing.T, b *testnode.Node) {
	t.Helper()
	files := b.TLSFiles()
	pair, err := tls.LoadX509KeyPair(files.Cert, files.Key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := os.ReadFile(files.CACert)
	if err != nil {
		t.Fatal(err)
	}
	if block, _ := pem.Decode(ca); block != nil { // served after the node's, as nodes do
		pair.Certificate = append(pair.Certificate, block.Bytes)
	}
	cfg, err := pki.PeerConfig(files)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	fd.client = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	fd.back, _ = url.Parse(b.URL)
	rp := &httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { pr.SetURL(fd.back); pr.Out.Host = fd.back.Host },
		Transport:      tr,
		ModifyResponse: fd.modify,
		FlushInterval:  -1,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
	fd.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			caller := ""
			if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
				caller = r.TLS.PeerCertificates[0].Subject.CommonName
			}
			fd.mu.Lock()
			fd.calls[caller]++
			fd.mu.Unlock()
			rp.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, caller)))
		}),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{pair}, ClientAuth: tls.RequestClientCert},
		ErrorLog:  log.New(io.Discard, "", 0),
	}
	go fd.srv.ServeTLS(fd.ln, "", "")
}

// set makes the front door rewrite MAD-1's log for caller with f (nil:
// relay it as it is).
func (fd *frontDoor) set(caller string, f tamperFunc) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	if f == nil {
		delete(fd.tamper, caller)
	} else {
		fd.tamper[caller] = f
	}
}

// counts returns how many answers of MAD-1's log the front door relayed
// to caller, and how many of them it rewrote.
func (fd *frontDoor) counts(caller string) (served, tampered int) {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return fd.served[caller], fd.tampers[caller]
}

// callsOf returns how many requests of any kind caller sent the front door.
func (fd *frontDoor) callsOf(caller string) int {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return fd.calls[caller]
}

// failures returns what the tamper funcs could not do.
func (fd *frontDoor) failures() []error {
	fd.mu.Lock()
	defer fd.mu.Unlock()
	return append([]error(nil), fd.errs...)
}

// modify rewrites an answer of MAD-1's log for a caller it tampers for.
func (fd *frontDoor) modify(res *http.Response) error {
	q := res.Request.URL.Query()
	if res.Request.URL.Path != peer.ChangesPath || q.Get("origin") != "MAD-1" || res.StatusCode != http.StatusOK {
		return nil
	}
	caller, _ := res.Request.Context().Value(callerKey{}).(string)
	fd.mu.Lock()
	f := fd.tamper[caller]
	fd.served[caller]++
	fd.mu.Unlock()
	if f == nil {
		return nil
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	a := &answer{header: res.Header, body: body}
	a.after, _ = strconv.ParseInt(q.Get("after"), 10, 64)
	fd.mu.Lock()
	if err := f(fd, a); err != nil {
		fd.errs = append(fd.errs, err)
	} else if string(a.body) != string(body) {
		fd.tampers[caller]++
	}
	fd.mu.Unlock()
	res.Body = io.NopCloser(strings.NewReader(string(a.body)))
	res.ContentLength = int64(len(a.body))
	res.Header.Set("Content-Length", strconv.Itoa(len(a.body)))
	return nil
}

// fetch asks B itself, as B, for origin's log after seq, up to limit
// entries.
func (fd *frontDoor) fetch(origin string, after int64, limit int) (*changesPage, http.Header, error) {
	u := *fd.back
	u.Path = peer.ChangesPath
	u.RawQuery = url.Values{"origin": {origin}, "after": {strconv.FormatInt(after, 10)},
		"limit": {strconv.Itoa(limit)}, "wait": {"0"}}.Encode()
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	req.Header.Set(peer.ProtocolHeader, strconv.Itoa(peer.Protocol))
	res, err := fd.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("fetching %s after %d: %s %s %v", origin, after, res.Status, body, err)
	}
	var p changesPage
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, nil, err
	}
	return &p, res.Header, nil
}
