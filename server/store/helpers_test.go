package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"

	"github.com/stockmesh/stockmesh/ent"

	"github.com/stockmesh/stockmesh/server/stock"
	"github.com/stockmesh/stockmesh/server/trust"
)

// recorder is a Publisher that keeps what it is given.
type recorder struct {
	mu      sync.Mutex
	entries []stock.LogEntry
}

func (r *recorder) Publish(msg []byte) {
	var e stock.LogEntry
	if err := stock.DecodeValue(msg, &e); err != nil {
		panic(err)
	}
	r.mu.Lock()
	r.entries = append(r.entries, e)
	r.mu.Unlock()
}

// changes returns the stock changes of the published movement entries.
func (r *recorder) changes() []stock.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []stock.Change
	for i := range r.entries {
		if c, ok := r.entries[i].Change(); ok {
			out = append(out, c)
		}
	}
	return out
}

// published returns every published log entry.
func (r *recorder) published() []stock.LogEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]stock.LogEntry(nil), r.entries...)
}

// testJob is one job as the tests write it: an operation (a stock.Op
// value) and the inputs it needs, in the shape of the union job the queue
// once carried; request turns it into the operation's typed request.
type testJob struct {
	Op        any
	Actor     string
	SKU       string
	Quantity  int64
	Note      string
	Create    *stock.CreateProductInput
	Update    *stock.UpdateProductInput
	Movement  *stock.MovementInput
	Products  *stock.ProductQuery
	Movements *stock.MovementQuery
	Warehouse *stock.Warehouse
	Token     *stock.Token
	Changes   *stock.ChangesQuery
	Apply     *stock.ChangeBatch
	JoinToken *stock.JoinTokenNew
	Redeem    *stock.JoinRedeem
	Merge     *stock.MemberMerge
	TokenID   string
	Audit     *stock.AuditQuery
	Key       string // the job key; "" for none
	// In names the warehouse of a product or count job, and the origin of
	// a log.digest job.
	In string
}

// opName returns the name of j's operation: a stock.Op's Name, or a string.
func (j testJob) opName() string {
	if s, ok := j.Op.(string); ok {
		return s
	}
	return reflect.ValueOf(j.Op).FieldByName("Name").String()
}

// writes reports whether j's operation is a write.
func (j testJob) writes() bool {
	for _, op := range stock.Ops {
		if op.Name == j.opName() {
			return op.Class == stock.ClassWrite
		}
	}
	return false
}

// request returns j's typed request, nil when it lacks the input.
func (j testJob) request() any {
	switch j.opName() {
	case stock.OpWarehouseInit.Name:
		return orNil(j.Warehouse)
	case stock.OpWarehouseGet.Name:
		return &stock.Empty{}
	case stock.OpProductGet.Name, stock.OpProductDelete.Name:
		return &stock.ProductRef{SKU: j.SKU, Warehouse: j.In}
	case stock.OpProductList.Name:
		return orNew(j.Products)
	case stock.OpMovementList.Name:
		return orNew(j.Movements)
	case stock.OpProductCreate.Name:
		return orNil(j.Create)
	case stock.OpProductUpdate.Name:
		u := &stock.ProductUpdate{SKU: j.SKU, Warehouse: j.In}
		if j.Update != nil {
			u.Update = *j.Update
		}
		return u
	case stock.OpMovementRecord.Name:
		return orNil(j.Movement)
	case stock.OpStockSet.Name:
		return &stock.StockCount{SKU: j.SKU, Quantity: j.Quantity, Note: j.Note, Warehouse: j.In}
	case stock.OpTokenLookup.Name:
		if j.Token == nil {
			return &stock.TokenRef{}
		}
		return &stock.TokenRef{Hash: j.Token.Hash}
	case stock.OpTokenEnsure.Name:
		return orNew(j.Token)
	case stock.OpChanges.Name:
		return orNew(j.Changes)
	case stock.OpApplyChanges.Name:
		return orNew(j.Apply)
	case stock.OpOutcome.Name:
		return &stock.OutcomeQuery{Key: j.Key}
	case stock.OpStockLevels.Name:
		return &stock.StockLevelQuery{SKU: j.SKU}
	case stock.OpReplica.Name:
		return &stock.ReplicaQuery{Origin: j.In}
	case stock.OpJoinTokenCreate.Name:
		return orNew(j.JoinToken)
	case stock.OpJoinRedeem.Name:
		return orNew(j.Redeem)
	case stock.OpMemberMerge.Name:
		return orNew(j.Merge)
	case stock.OpTokenCreate.Name:
		return orNew(j.Token)
	case stock.OpTokenRevoke.Name:
		return &stock.TokenID{ID: j.TokenID}
	case stock.OpAuditLog.Name:
		return orNew(j.Audit)
	}
	return &stock.Empty{}
}

// orNil returns p, or a JSON null for a nil p.
func orNil[T any](p *T) any {
	if p == nil {
		return json.RawMessage("null")
	}
	return p
}

// orNew returns p, or a new zero T for a nil p.
func orNew[T any](p *T) *T {
	if p == nil {
		return new(T)
	}
	return p
}

// encode returns j on the wire.
func (j testJob) encode(t testing.TB) []byte {
	t.Helper()
	b, err := stock.EncodeJob(stock.JobMeta{Op: j.opName(), Actor: j.Actor, Key: j.Key}, j.request())
	if err != nil {
		t.Fatalf("encoding %s job: %v", j.opName(), err)
	}
	return b
}

// testReply is a decoded reply: an error, or the result of j's operation
// in the field of its type.
type testReply struct {
	Err          *stock.Error
	Warehouse    *stock.Warehouse
	Product      *stock.Product
	Movement     *stock.Movement
	ProductPage  *stock.ProductPage
	MovementPage *stock.MovementPage
	Token        *stock.Token
	ChangePage   *stock.ChangePage
	Outcome      *stock.Outcome
	Levels       *stock.StockLevels
	Replica      *stock.Replica
	Members      *stock.MemberList
	Tokens       *stock.TokenList
	Audit        *stock.AuditPage
}

// decodeReply decodes raw, the reply to j.
func decodeReply(t testing.TB, j testJob, raw []byte) testReply {
	t.Helper()
	var r testReply
	var dst any
	switch j.opName() {
	case stock.OpMemberList.Name, stock.OpMemberMerge.Name:
		r.Members = new(stock.MemberList)
		dst = r.Members
	case stock.OpWarehouseInit.Name, stock.OpWarehouseGet.Name, stock.OpJoinRedeem.Name:
		r.Warehouse = new(stock.Warehouse)
		dst = r.Warehouse
	case stock.OpProductGet.Name, stock.OpProductCreate.Name, stock.OpProductUpdate.Name, stock.OpProductDelete.Name:
		r.Product = new(stock.Product)
		dst = r.Product
	case stock.OpMovementRecord.Name, stock.OpStockSet.Name:
		r.Movement = new(stock.Movement)
		dst = r.Movement
	case stock.OpProductList.Name:
		r.ProductPage = new(stock.ProductPage)
		dst = r.ProductPage
	case stock.OpMovementList.Name:
		r.MovementPage = new(stock.MovementPage)
		dst = r.MovementPage
	case stock.OpTokenLookup.Name, stock.OpTokenCreate.Name, stock.OpTokenRevoke.Name:
		r.Token = new(stock.Token)
		dst = r.Token
	case stock.OpTokenList.Name:
		r.Tokens = new(stock.TokenList)
		dst = r.Tokens
	case stock.OpAuditLog.Name:
		r.Audit = new(stock.AuditPage)
		dst = r.Audit
	case stock.OpChanges.Name:
		r.ChangePage = new(stock.ChangePage)
		dst = r.ChangePage
	case stock.OpOutcome.Name:
		r.Outcome = new(stock.Outcome)
		dst = r.Outcome
	case stock.OpStockLevels.Name:
		r.Levels = new(stock.StockLevels)
		dst = r.Levels
	case stock.OpReplica.Name:
		r.Replica = new(stock.Replica)
		dst = r.Replica
	case stock.OpApplyChanges.Name: // a refused run reads as the INVALID_INPUT it once was
		var res stock.ApplyResult
		if err := stock.DecodeReply(raw, &res); err == nil && res.Rejected != nil {
			return testReply{Err: &stock.Error{Code: stock.CodeInvalidInput, Message: "rejected (" + string(res.Rejected.Reason) + "): " + res.Rejected.Detail}}
		}
		dst = &stock.ApplyResult{}
	default:
		dst = &stock.Empty{}
	}
	err := stock.DecodeReply(raw, dst)
	var e *stock.Error
	switch {
	case errors.As(err, &e):
		return testReply{Err: e}
	case err != nil:
		t.Fatalf("decoding reply %q: %v", raw, err)
	}
	return r
}

// harness is an open store in a temp dir with helpers that encode jobs.
type harness struct {
	t   testing.TB
	dir string
	s   *Store
	pub *recorder
	// proved holds, by origin and seq, the encoding of every entry prove
	// was given.
	proved map[string]map[int64][]byte
	zone   *time.Location // Options.Zone
}

// newHarness opens a store in a new temp dir and initialises warehouse
// MAD-1.
func newHarness(t testing.TB) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir()}
	h.open()
	h.ok(testJob{Op: stock.OpWarehouseInit, Warehouse: &stock.Warehouse{ID: "MAD-1", Name: "Madrid"}})
	return h
}

func (h *harness) open() {
	h.t.Helper()
	h.pub = &recorder{}
	s, err := Open(h.dir, Options{Readers: 3, Publisher: h.pub, Logger: slog.New(slog.DiscardHandler), Zone: h.zone})
	if err != nil {
		h.t.Fatalf("Open: %v", err)
	}
	h.s = s
	h.t.Cleanup(func() { s.Close() })
}

func (h *harness) reopen() {
	h.t.Helper()
	if err := h.s.Close(); err != nil {
		h.t.Fatalf("Close: %v", err)
	}
	h.open()
}

// write runs jobs as one batch and decodes the replies.
func (h *harness) write(jobs ...testJob) []testReply {
	h.t.Helper()
	raw := make([][]byte, len(jobs))
	for i, j := range jobs {
		if j.Apply != nil {
			h.prove(j.Apply)
		}
		raw[i] = j.encode(h.t)
	}
	out := h.s.HandleWrites(raw)
	if len(out) != len(jobs) {
		h.t.Fatalf("HandleWrites returned %d replies for %d jobs", len(out), len(jobs))
	}
	replies := make([]testReply, len(out))
	for i, b := range out {
		replies[i] = decodeReply(h.t, jobs[i], b)
	}
	return replies
}

// read runs one read job.
func (h *harness) read(job testJob) testReply {
	h.t.Helper()
	return decodeReply(h.t, job, h.s.HandleRead(context.Background(), job.encode(h.t)))
}

// ok runs one job (a write or a read) and fails the test on an error reply.
func (h *harness) ok(job testJob) testReply {
	h.t.Helper()
	var r testReply
	if job.writes() {
		r = h.write(job)[0]
	} else {
		r = h.read(job)
	}
	if r.Err != nil {
		h.t.Fatalf("%s: %s %s", job.opName(), r.Err.Code, r.Err.Message)
	}
	return r
}

func (h *harness) create(sku string, qty int64) *stock.Product {
	h.t.Helper()
	return h.ok(testJob{Op: stock.OpProductCreate, Create: &stock.CreateProductInput{
		SKU: sku, Name: "Product " + sku, Price: 19_9900, InitialQuantity: qty}}).Product
}

func (h *harness) product(sku string) *stock.Product {
	h.t.Helper()
	return h.ok(testJob{Op: stock.OpProductGet, SKU: sku}).Product
}

// movements returns every movement matching f, newest first, paging
// through the listing.
func (h *harness) movements(f stock.MovementFilter) []stock.Movement {
	h.t.Helper()
	var out []stock.Movement
	q := stock.MovementQuery{Filter: f, First: 7}
	for {
		p := h.ok(testJob{Op: stock.OpMovementList, Movements: &q}).MovementPage
		out = append(out, p.Movements...)
		if !p.HasNext {
			return out
		}
		q.After = stock.MovementCursor(&p.Movements[len(p.Movements)-1])
	}
}

func move(sku string, kind stock.Kind, qty int64) testJob {
	return testJob{Op: stock.OpMovementRecord, Movement: &stock.MovementInput{SKU: sku, Kind: kind, Quantity: qty}}
}

func sale(sku string, qty int64) testJob { return move(sku, stock.KindSale, qty) }

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	return b
}

// failCommitsOf makes every COMMIT fail, through a deferred foreign key,
// once the transaction holds a movement with reference ref (a trigger sees
// only its keyed hash: the reference is sealed).
func (h *harness) failCommitsOf(ref string) {
	h.t.Helper()
	for _, q := range []string{
		`CREATE TABLE dangling (p INTEGER REFERENCES products(id) DEFERRABLE INITIALLY DEFERRED)`,
		`CREATE TRIGGER dangle AFTER INSERT ON movements WHEN NEW.reference_hash = ` + h.refHash(ref) + `
			BEGIN INSERT INTO dangling VALUES (-1); END`,
	} {
		if _, err := h.s.wdb.Exec(q); err != nil {
			h.t.Fatal(err)
		}
	}
}

// direct returns an ent client on the writer connection, to inspect or
// change the database behind the store's back; never while a job runs.
func (h *harness) direct() *ent.Client {
	return ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, h.s.wdb)))
}

// code returns the error code of a reply, "" for success.
func code(r testReply) stock.Code {
	if r.Err == nil {
		return ""
	}
	return r.Err.Code
}

// refHash returns the SQL literal of the keyed hash of reference ref, as
// the ledger's reference_hash stores it.
func (h *harness) refHash(ref string) string {
	return fmt.Sprintf("X'%x'", h.s.keys.Hash(fieldReference, ref))
}

// testOriginKey signs the runs the tests apply, as their origin would;
// prove pins it as the origin's key in the harness's store.
var testOriginKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

// prove gives a run to apply without a proof the proof its origin would
// send: a head at its last entry signed by
// testOriginKey, which the store is made to trust as that origin's key.
// The digest chains, after what the store holds, the entries the harness
// has been given to prove (those of earlier jobs of one batch among
// them); where one is missing (a gap) the head's digest is wrong, and the
// store refuses the gap as one.
func (h *harness) prove(req any) {
	h.t.Helper()
	b, ok := req.(*stock.ChangeBatch)
	if !ok || b.Proof != nil || len(b.Entries) == 0 {
		return
	}
	ctx := context.Background()
	origin := b.Entries[0].Origin
	if _, err := h.s.wdb.ExecContext(ctx, `INSERT OR IGNORE INTO log_keys (origin, key, binding) VALUES (?, ?, '{}')`,
		origin, []byte(testOriginKey.Public().(ed25519.PublicKey))); err != nil {
		h.t.Fatal(err)
	}
	if h.proved == nil {
		h.proved = map[string]map[int64][]byte{}
	}
	given := h.proved[origin]
	if given == nil {
		given = map[int64][]byte{}
		h.proved[origin] = given
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		enc, err := stock.EncodeValue(nil, e)
		if err != nil {
			h.t.Fatal(err)
		}
		if old, ok := given[e.Seq]; ok && !bytes.Equal(old, enc) {
			for seq := range given {
				if seq >= e.Seq {
					delete(given, seq)
				}
			}
		}
		given[e.Seq] = enc
	}
	last, err := lastSeq(ctx, h.s.wdb, origin)
	if err != nil {
		h.t.Fatal(err)
	}
	end := b.Entries[len(b.Entries)-1].Seq
	st, err := h.s.chainAt(ctx, h.s.wdb, origin, min(last, end))
	if err != nil {
		h.t.Fatal(err)
	}
	d := stock.ResumeDigest(st.sum)
	for seq := last + 1; seq <= end; seq++ {
		enc, ok := given[seq]
		if !ok {
			d.AddEncoded([]byte("a gap"))
			break
		}
		d.AddEncoded(enc)
	}
	head := trust.SignHead(testOriginKey, origin, b.Epoch, end, d.String())
	b.Proof = &stock.LogProof{Head: &head}
}
