package main

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/pyro"
)

// The attacks part replays the hostile inputs of issue 17 against a node
// and reports the node's peak resident memory during each, and whether it
// still served an honest client meanwhile. Before the limits, the same
// attacks took a node from 2 GB to 5.8 GB.
const (
	slowBodies     = 2000 // connections trickling a request body
	bodyTimeout    = 5 * time.Second
	idleConns      = 1030 // silent connections to each Pyro4 port
	bigFrames      = 500  // connections announcing a 4 MiB - 1 frame
	batchCalls     = 4000 // listar_productos in one batch
	bigQueries     = 240  // distinct 1 MB GraphQL documents
	persistedBig   = 900  // distinct 1 MB persisted queries
	attackProducts = 1000 // products listar_productos returns
)

// attack is one hostile input: run does it against the node and says what
// an honest client saw.
type attack struct {
	name string
	run  func(n *benchNode, tc *tls.Config, pyroAddr, nsAddr string) string
}

// attacksBench runs every attack against one node and prints the peak RSS
// of each.
func attacksBench(o options) error {
	pyroAddr, nsAddr := "127.0.0.1:"+freePort(), "127.0.0.1:"+freePort()
	// The attacks measure the node's bounds per connection and request;
	// from one address the per-address connection limit would close most
	// of their connections on accept (see the joinflood part), so it is off.
	n, err := startNode(o, "--pyro", pyroAddr, "--pyro-ns-embedded", nsAddr, "--http-body-timeout", bodyTimeout.String(),
		"--max-conns-per-address", "-1")
	if err != nil {
		return err
	}
	defer n.stop()
	tc, err := clientTLS(n.dir)
	if err != nil {
		return err
	}
	if err := seedMany(n, tc); err != nil {
		return err
	}
	fmt.Printf("\nattacks on one node (%d products); peak resident memory of the node during each:\n", attackProducts)
	fmt.Printf("  at rest: %s\n", mib(int(rss(n.pid()))))
	worst := 0
	for _, a := range []attack{
		{fmt.Sprintf("%d request bodies trickled (body timeout %v)", slowBodies, bodyTimeout), slowBodyAttack},
		{fmt.Sprintf("%d silent connections to each Pyro4 port", idleConns), idleConnAttack},
		{fmt.Sprintf("%d Pyro4 frames of 4 MiB - 1", bigFrames), bigFrameAttack},
		{fmt.Sprintf("a Pyro4 batch of %d listar_productos", batchCalls), batchAttack},
		{fmt.Sprintf("%d distinct 1 MB GraphQL documents, %d persisted", bigQueries, persistedBig), queryCacheAttack},
		{"142 aliases of nested pages of 500", aliasAttack},
	} {
		var outcome string
		peak := int(watchRSS(n.pid(), 50*time.Millisecond, func() { outcome = a.run(n, tc, pyroAddr, nsAddr) }))
		worst = max(worst, peak)
		fmt.Printf("  %-62s peak %s  %s\n", a.name, mib(peak), outcome)
	}
	fmt.Printf("worst peak: %s\n", mib(worst))
	return nil
}

// clientTLS returns a client TLS config trusting the node whose data
// folder is dir (its CA's certificate).
func clientTLS(dir string) (*tls.Config, error) {
	return pki.ClientConfig(filepath.Join(dir, "tls", "ca.crt"))
}

// seedMany creates attackProducts products with long names.
func seedMany(n *benchNode, tc *tls.Config) error {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: time.Minute}
	name := strings.Repeat("n", 40)
	for i := range attackProducts {
		body := fmt.Appendf(nil, `{"query":"mutation { createProduct(input: {sku: \"X-%d\", name: \"%s\", price: \"1.00\", initialQuantity: 5}) { sku } }"}`, i, name)
		if _, ok := post(c, n.graphql(), n.token, body); !ok {
			return fmt.Errorf("seeding product %d failed; see %s", i, n.log)
		}
	}
	return nil
}

// watchRSS runs f while sampling pid's resident memory every interval, and
// returns the peak, in bytes.
func watchRSS(pid int, every time.Duration, f func()) int64 {
	peak := rss(pid)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // peak is read only after wg.Wait
		for {
			select {
			case <-done:
				return
			case <-time.After(every):
				peak = max(peak, rss(pid))
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return max(peak, rss(pid))
}

// mib formats bytes as MiB.
func mib(b int) string { return fmt.Sprintf("%6.0f MiB", float64(b)/(1<<20)) }

// served reports whether an honest GraphQL query answers now.
func served(n *benchNode, tc *tls.Config) string {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 10 * time.Second}
	if _, ok := post(c, n.graphql(), n.token, []byte(`{"query":"{ products(first: 1) { edges { node { sku } } } }"}`)); ok {
		return "GraphQL served"
	}
	return "GraphQL NOT served"
}

// slowBodyAttack opens slowBodies TLS connections that announce a 200,000
// byte body and send one byte, then waits past the body timeout and
// counts the connections the node still holds.
func slowBodyAttack(n *benchNode, tc *tls.Config, _, _ string) string {
	addr := strings.TrimPrefix(n.base, "https://")
	var conns []*tls.Conn
	cfg := tc.Clone()
	cfg.NextProtos = []string{"http/1.1"}
	for range slowBodies {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			break
		}
		fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n{", n.token)
		conns = append(conns, c)
	}
	during := served(n, tc)
	time.Sleep(bodyTimeout + 2*time.Second)
	held := 0
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
		buf := make([]byte, 1)
		if _, err := c.Read(buf); err != nil && isTimeout(err) {
			held++
		}
		c.Close()
	}
	return fmt.Sprintf("%d opened, %d still held after the timeout; %s", len(conns), held, during)
}

// isTimeout reports whether err is a read deadline passing.
func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// idleConnAttack opens idleConns silent connections to the object and the
// name server ports and then asks both as a client would.
func idleConnAttack(n *benchNode, tc *tls.Config, pyroAddr, nsAddr string) string {
	var conns []net.Conn
	for _, a := range []string{pyroAddr, nsAddr} {
		for range idleConns {
			c, err := net.Dial("tcp", a)
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	obj := pyroCall(pyroAddr, "inventario.servicio", "listar_productos", 0)
	ns := pyroCall(nsAddr, "Pyro.NameServer", "ping", 0)
	return fmt.Sprintf("%d opened; object: %s, name server: %s", len(conns), obj, ns)
}

// bigFrameAttack opens bigFrames connections that each send a header
// announcing a 4 MiB - 1 payload and then the payload.
func bigFrameAttack(n *benchNode, tc *tls.Config, pyroAddr, _ string) string {
	body := make([]byte, 4<<20-1)
	var wg sync.WaitGroup
	var mu sync.Mutex
	refused := 0
	for range bigFrames {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", pyroAddr)
			if err != nil {
				return
			}
			defer c.Close()
			_, _ = c.Write(append(frameHeader(pyro.MsgConnect, len(body)), body...))
			_ = c.SetReadDeadline(time.Now().Add(15 * time.Second))
			if _, err := c.Read(make([]byte, 1)); err != nil && !isTimeout(err) {
				mu.Lock()
				refused++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return fmt.Sprintf("%d of %d connections closed by the node; %s", refused, bigFrames, served(n, tc))
}

// frameHeader is a Pyro4 header of type typ announcing a json payload of size bytes.
func frameHeader(typ uint16, size int) []byte {
	h := make([]byte, 24)
	copy(h, "PYRO")
	be := binary.BigEndian
	be.PutUint16(h[4:], 48)
	be.PutUint16(h[6:], typ)
	be.PutUint32(h[12:], uint32(size))
	be.PutUint16(h[16:], pyro.SerializerJSON)
	be.PutUint16(h[22:], uint16(int(typ)+48+size+pyro.SerializerJSON+0x34E9))
	return h
}

// batchAttack sends one batch of batchCalls listar_productos.
func batchAttack(_ *benchNode, _ *tls.Config, pyroAddr, _ string) string {
	return pyroCall(pyroAddr, "inventario.servicio", "<batch>", batchCalls)
}

// pyroCall connects to addr, calls object.method (a batch of batch
// listar_productos when batch > 0) with the json serializer, and says how
// it went.
func pyroCall(addr, object, method string, batch int) string {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return "refused: " + err.Error()
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(60 * time.Second))
	roundTrip := func(typ, flags uint16, payload string) (*pyro.Frame, error) {
		b, _ := (&pyro.Frame{Type: typ, Flags: flags, Serializer: pyro.SerializerJSON, Payload: []byte(payload)}).Bytes()
		if _, err := c.Write(b); err != nil {
			return nil, err
		}
		return pyro.ReadFrame(c, 1<<30)
	}
	if _, err := roundTrip(pyro.MsgConnect, 0, `{"handshake": "hello"}`); err != nil {
		return "shut out (" + err.Error() + ")"
	}
	params, flags := "[]", uint16(0)
	if batch > 0 {
		calls := strings.TrimSuffix(strings.Repeat(`["listar_productos", [], {}],`, batch), ",")
		params, flags = "["+calls+"]", pyro.FlagBatch
	}
	f, err := roundTrip(pyro.MsgInvoke, flags, fmt.Sprintf(`{"object": %q, "method": %q, "params": %s, "kwargs": {}}`, object, method, params))
	if err != nil {
		return "failed (" + err.Error() + ")"
	}
	if f.Flags&pyro.FlagException != 0 {
		return fmt.Sprintf("refused: %.100s", f.Payload)
	}
	return fmt.Sprintf("served (%d bytes)", len(f.Payload))
}

// queryCacheAttack sends bigQueries distinct documents of about 1 MB (a
// long search string: few tokens) and persistedBig persisted queries of
// about 1 MB.
func queryCacheAttack(n *benchNode, tc *tls.Config, _, _ string) string {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: time.Minute}
	pad := strings.Repeat("q", 1000_000)
	answered, last := 0, ""
	for i := range bigQueries + persistedBig {
		query := fmt.Sprintf(`{ products(first: 1, search: "%s%d") { edges { node { sku } } } }`, pad, i)
		body := fmt.Sprintf(`{"query":%q}`, query)
		if i >= bigQueries {
			sum := sha256.Sum256([]byte(query))
			body = fmt.Sprintf(`{"query":%q,"extensions":{"persistedQuery":{"version":1,"sha256Hash":"%s"}}}`, query, hex.EncodeToString(sum[:]))
		}
		out, ok := post(c, n.graphql(), n.token, []byte(body))
		if ok {
			answered++
		}
		last = string(out)
	}
	return fmt.Sprintf("%d of %d ran; %s; last answer %.60s", answered, bigQueries+persistedBig, served(n, tc), last)
}

// aliasAttack sends 142 aliases of products(first: 500) with their
// movements(first: 500), from 8 clients at once, 20 times each.
func aliasAttack(n *benchNode, tc *tls.Config, _, _ string) string {
	var b strings.Builder
	b.WriteString("{")
	for i := range 142 {
		fmt.Fprintf(&b, " a%d: products(first: 500) { edges { node { sku movements(first: 500) { edges { node { id } } } } } }", i)
	}
	b.WriteString("}")
	body := fmt.Appendf(nil, `{"query":%q}`, b.String())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var last string
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Transport: &http.Transport{TLSClientConfig: tc}, Timeout: 2 * time.Minute}
			for range 20 {
				out, _ := post(c, n.graphql(), n.token, body)
				mu.Lock()
				last = string(out)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return fmt.Sprintf("answer: %.90s", last)
}
