package graph_test

import (
	"context"
	"encoding/json"
	"github.com/stockmesh/stockmesh/server/auth"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/99designs/gqlgen/client"

	"github.com/stockmesh/stockmesh/graph"
	"github.com/stockmesh/stockmesh/server/feed"
	"github.com/stockmesh/stockmesh/server/gqlws"
	"github.com/stockmesh/stockmesh/server/pki"
	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/store"
)

// direct is a stock.Queue that hands jobs straight to a store, as the
// node's queue does, one write batch at a time.
type direct struct {
	mu sync.Mutex
	s  *store.Store
}

func (d *direct) Do(ctx context.Context, class stock.Class, job []byte) ([]byte, error) {
	if class != stock.ClassWrite {
		return d.s.HandleRead(ctx, job), nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.s.HandleWrites([][]byte{job})[0], nil
}

// toHub publishes a store's committed changes to a hub through a
// feed.Sequencer, as the node's event pump does (a run applied from
// another node is read back from the log at once: no applier hands its
// entries over here).
type toHub struct{ seq *feed.Sequencer }

func (p *toHub) Publish(msg []byte) {
	var e stock.LogEntry
	if err := stock.DecodeValue(msg, &e); err != nil {
		panic(err)
	}
	ctx := auth.AsNode(context.Background())
	if err := p.seq.Offer(ctx, &e); err != nil {
		panic(err)
	}
	if err := p.seq.FillDue(ctx); err != nil {
		panic(err)
	}
}

// openService opens a store in a temp dir for warehouse id, publishing to
// hub when it is not nil, and returns the service over it.
func openService(t *testing.T, id string, hub *feed.Hub) *stock.Service {
	t.Helper()
	opts := store.Options{Logger: slog.New(slog.DiscardHandler)}
	pub := &toHub{}
	if hub != nil {
		opts.Publisher = pub
	}
	dir := t.TempDir()
	networkCA(t, dir, id)
	s, err := store.Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	svc := stock.NewService(&direct{s: s})
	if hub != nil {
		pub.seq = feed.NewSequencer(feed.NewStream(nil, hub), svc)
	}
	if _, err := svc.InitWarehouse(auth.AsNode(t.Context()), id, id); err != nil {
		t.Fatal(err)
	}
	return svc
}

// network is a node of BCN-1 holding a replica of MAD-1, served over
// GraphQL, and MAD-1's own service.
type network struct {
	origin, node *stock.Service
	hub          *feed.Hub
	gql          *client.Client
}

// newNetwork makes MAD-1 (A: 10 bought, 3 sold; B: 5) and BCN-1 (A: 4),
// and applies MAD-1's log to BCN-1 through the log.apply job.
func newNetwork(t *testing.T) *network {
	t.Helper()
	ctx := auth.AsNode(t.Context())
	n := &network{origin: openService(t, "MAD-1", nil), hub: feed.NewHub(slog.New(slog.DiscardHandler))}
	t.Cleanup(n.hub.Close)
	n.node = openService(t, "BCN-1", n.hub)
	for _, in := range []stock.CreateProductInput{{SKU: "A", Name: "a", InitialQuantity: 10}, {SKU: "B", Name: "b", InitialQuantity: 5}} {
		if _, err := n.origin.CreateProduct(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := n.origin.RecordMovement(ctx, stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.node.CreateProduct(ctx, stock.CreateProductInput{SKU: "A", Name: "a", InitialQuantity: 4}); err != nil {
		t.Fatal(err)
	}
	n.replicate(t)
	h := graph.NewHandler(n.node, n.hub, graph.Options{Websocket: gqlws.Transport(0, nil), Logger: slog.New(slog.DiscardHandler)})
	n.gql = client.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The node's middleware authenticates; here every request is an admin's.
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), auth.Principal{Name: "test", Role: auth.RoleAdmin})))
	}))
	return n
}

// replicate applies what BCN-1 lacks of MAD-1's log, as replication will.
func (n *network) replicate(t *testing.T) {
	t.Helper()
	have, err := n.node.Replica(auth.AsNode(t.Context()), "MAD-1")
	if err != nil && stock.CodeOf(err) != stock.CodeNotFound {
		t.Fatal(err)
	}
	after := int64(0)
	if have != nil {
		after = have.Seq
	}
	page, err := n.origin.Changes(auth.AsNode(t.Context()), "MAD-1", after, 0)
	if err != nil {
		t.Fatal(err)
	}
	w, err := n.origin.LocalWarehouse(auth.AsNode(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.node.ApplyChanges(auth.AsNode(t.Context()), &stock.ChangeBatch{Epoch: w.Epoch, Entries: page.Entries, Proof: page.Proof}); err != nil {
		t.Fatal(err)
	}
}

// query runs a query or mutation and returns its data as compact JSON and
// its first error's code and message.
func (n *network) query(t *testing.T, q string) (data, code, msg string) {
	t.Helper()
	r, err := n.gql.RawPost(q)
	if err != nil {
		t.Fatal(err)
	}
	var errs []struct {
		Message    string
		Extensions map[string]any
	}
	if len(r.Errors) > 0 {
		if err := json.Unmarshal(r.Errors, &errs); err != nil {
			t.Fatal(err)
		}
	}
	if len(errs) > 0 {
		code, _ = errs[0].Extensions["code"].(string)
		msg = errs[0].Message
	}
	b, err := json.Marshal(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), code, msg
}

// TestNetworkQueries: over GraphQL, a node reads a replica as its origin
// reads itself, lists a sku's stock in each warehouse and the digests of
// the logs it holds, and refuses to change a replica, naming its owner.
func TestNetworkQueries(t *testing.T) {
	n := newNetwork(t)
	origin, err := n.origin.Replica(auth.AsNode(t.Context()), "MAD-1")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, query string
		want        string // the data as compact JSON, or with code, a part of the message
		code        string
	}{
		{"products of a replica", `{ products(warehouse: "MAD-1") { totalCount edges { node { sku quantity warehouse { id local } } } } }`,
			`{"products":{"edges":[{"node":{"quantity":7,"sku":"A","warehouse":{"id":"MAD-1","local":false}}},{"node":{"quantity":5,"sku":"B","warehouse":{"id":"MAD-1","local":false}}}],"totalCount":2}}`, ""},
		{"local products", `{ products { edges { node { sku quantity warehouse { id } } } } }`,
			`{"products":{"edges":[{"node":{"quantity":4,"sku":"A","warehouse":{"id":"BCN-1"}}}]}}`, ""},
		{"a replica's product and its movements", `{ product(sku: "A", warehouse: "MAD-1") { quantity movements { edges { node { id kind quantity } } } } }`,
			`{"product":{"movements":{"edges":[{"node":{"id":"MAD-1:5","kind":"SALE","quantity":-3}},{"node":{"id":"MAD-1:2","kind":"PURCHASE","quantity":10}}]},"quantity":7}}`, ""},
		{"movements of a replica", `{ movements(filter: {warehouse: "MAD-1", sku: "A"}) { edges { node { id balance } } } }`,
			`{"movements":{"edges":[{"node":{"balance":7,"id":"MAD-1:5"}},{"node":{"balance":10,"id":"MAD-1:2"}}]}}`, ""},
		{"stock levels", `{ stockLevels(sku: "A") { warehouse { id } quantity } }`,
			`{"stockLevels":[{"quantity":4,"warehouse":{"id":"BCN-1"}},{"quantity":7,"warehouse":{"id":"MAD-1"}}]}`, ""},
		{"stock levels of a sku nobody has", `{ stockLevels(sku: "Z") { quantity } }`, `{"stockLevels":[]}`, ""},
		{"replicas", `{ warehouses { id local replica { seq } } }`,
			`{"warehouses":[{"id":"BCN-1","local":true,"replica":{"seq":2}},{"id":"MAD-1","local":false,"replica":{"seq":5}}]}`, ""},
		{"the replica's digest is the origin's", `{ warehouses { replica { digest } } }`, origin.Digest, "contains"},
		{"unknown warehouse", `{ products(warehouse: "NOPE-1") { totalCount } }`, "warehouse NOPE-1 is not known to this node", "NOT_FOUND"},
		{"unknown warehouse's movements", `{ movements(filter: {warehouse: "NOPE-1"}) { edges { cursor } } }`, "warehouse NOPE-1 is not known", "NOT_FOUND"},
		{"set stock of a replica", `mutation { setStock(sku: "A", quantity: 1, warehouse: "MAD-1") { id } }`, "warehouse MAD-1 belongs to node", "FORBIDDEN"},
		{"movement in a replica", `mutation { recordMovement(input: {sku: "A", kind: PURCHASE, quantity: 1, warehouse: "MAD-1"}) { id } }`, "make this change there", "FORBIDDEN"},
		{"update a replica's product", `mutation { updateProduct(sku: "A", input: {name: "x"}, warehouse: "MAD-1") { sku } }`, "belongs to node", "FORBIDDEN"},
		{"delete a replica's product", `mutation { deleteProduct(sku: "B", warehouse: "MAD-1") { sku } }`, "belongs to node", "FORBIDDEN"},
		{"the local warehouse named", `mutation { setStock(sku: "A", quantity: 6, warehouse: "BCN-1") { balance } }`, `{"setStock":{"balance":6}}`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data, code, msg := n.query(t, c.query)
			switch c.code {
			case "":
				if code != "" || data != c.want {
					t.Errorf("got %s (error %s %s), want %s", data, code, msg, c.want)
				}
			case "contains":
				if code != "" || !strings.Contains(data, c.want) || strings.Count(data, c.want) != 1 {
					t.Errorf("got %s (error %s %s), want one %s", data, code, msg, c.want)
				}
			default:
				if code != c.code || !strings.Contains(msg, c.want) {
					t.Errorf("got error %s %q, want %s saying %q", code, msg, c.code, c.want)
				}
			}
		})
	}
}

// TestErrorsNameTheWarehouse: errors about another warehouse carry it in
// extensions.warehouse, so that clients can word them (the owner's URL,
// extensions.node, comes from stock.CheckOwner: see its test).
func TestErrorsNameTheWarehouse(t *testing.T) {
	n := newNetwork(t)
	cases := []struct{ name, query, want string }{
		{"not held", `{ products(warehouse: "NOPE-1") { totalCount } }`, `"extensions":{"code":"NOT_FOUND","warehouse":"NOPE-1"}`},
		{"owned by another node", `mutation { setStock(sku: "A", quantity: 1, warehouse: "MAD-1") { id } }`, `"extensions":{"code":"FORBIDDEN","warehouse":"MAD-1"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := n.gql.RawPost(c.query)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(r.Errors), c.want) {
				t.Errorf("errors %s, want %s", r.Errors, c.want)
			}
		})
	}
}

// TestStockChangedFromReplica: a subscription to a replica's warehouse
// fires for the changes applied from its origin's log, and not for the
// local warehouse's changes of the same sku.
func TestStockChangedFromReplica(t *testing.T) {
	n := newNetwork(t)
	sub := n.gql.Websocket(`subscription { stockChanged(warehouse: "MAD-1", sku: "A") { warehouse { id local } sku quantity delta } }`)
	defer sub.Close()
	for deadline := time.Now().Add(10 * time.Second); n.hub.Subscribers() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the subscription did not start")
		}
	}
	ctx := auth.AsNode(t.Context())
	if _, err := n.node.RecordMovement(ctx, stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.origin.RecordMovement(ctx, stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	n.replicate(t)
	var got struct {
		StockChanged struct {
			Warehouse struct {
				ID    string
				Local bool
			}
			SKU      string
			Quantity int64
			Delta    int64
		}
	}
	if err := sub.Next(&got); err != nil {
		t.Fatal(err)
	}
	c := got.StockChanged
	if c.Warehouse.ID != "MAD-1" || c.Warehouse.Local || c.SKU != "A" || c.Quantity != 5 || c.Delta != -2 {
		t.Fatalf("first event %+v, want MAD-1's sale of 2 of A, leaving 5", c)
	}
}

// networkCA gives the data folder dir the certificate of warehouse id
// from one CA shared by the test's nodes (kept in the first one's folder),
// so that each verifies the others' signed logs.
func networkCA(t *testing.T, dir, id string) {
	t.Helper()
	tlsDir := filepath.Join(dir, "tls")
	if first, ok := caDirs.LoadOrStore(t.Name(), tlsDir); ok {
		if err := os.MkdirAll(tlsDir, 0o700); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"ca.crt", "ca.key"} {
			b, err := os.ReadFile(filepath.Join(first.(string), f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(tlsDir, f), b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := pki.EnsureNode(tlsDir, id, nil); err != nil {
		t.Fatal(err)
	}
}

// caDirs holds the TLS folder of each test's first node, by test name.
var caDirs sync.Map
