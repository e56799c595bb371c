package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/auth"
	"github.com/stockmesh/stockmesh/server/stock"
)

// dropQueue is the node's queue without ZMQ that loses the reply of the
// first write job of one operation: it runs the job, keeps the reply and
// answers stock.ErrNoReply, as jobq does when a reply never comes.
type dropQueue struct {
	s       *Store
	op      string
	mu      sync.Mutex
	dropped []byte // the reply lost, nil until then
}

func (q *dropQueue) Do(ctx context.Context, class stock.Class, job []byte) ([]byte, error) {
	if class != stock.ClassWrite {
		return q.s.HandleRead(ctx, job), nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.s.HandleWrites([][]byte{job})[0]
	if meta, _, err := stock.DecodeJob(job); err == nil && meta.Op == q.op && q.dropped == nil {
		q.dropped = out
		return nil, fmt.Errorf("waiting for the reply of %s: %w", meta.Op, stock.ErrNoReply)
	}
	return out, nil
}

// lostCase sets up a store on which one write operation succeeds and
// sends it through a Service.
type lostCase struct {
	setup func(t *testing.T) *harness
	send  func(ctx context.Context, s *stock.Service, h *harness) (any, error)
}

// sends returns the send of one request of op.
func sends[Req, Rep any](op stock.Op[Req, Rep], req func(h *harness) *Req) func(context.Context, *stock.Service, *harness) (any, error) {
	return func(ctx context.Context, s *stock.Service, h *harness) (any, error) {
		return stock.Call(ctx, s, op, req(h))
	}
}

func fixed[Req any](req *Req) func(*harness) *Req { return func(*harness) *Req { return req } }

func local(t *testing.T) *harness { return newHarness(t) }

// withProduct is a store whose local warehouse holds product A, 5 units.
func withProduct(t *testing.T) *harness {
	h := newHarness(t)
	h.create("A", 5)
	return h
}

// sender is MAD-1 of a trio, holding product W1, with one transfer to
// BCN-1 sent.
func sender(t *testing.T) (a, b *harness, tr *stock.Transfer) {
	a, b, _ = trio(t)
	a.create("W1", 10)
	return a, b, send(a, "W1", "BCN-1", 2)
}

var (
	soon      = time.Now().Add(time.Hour)
	removedAt = time.Now().UTC().Truncate(time.Millisecond)
)

// lostCases holds, by operation, a write that succeeds: every write
// operation of the registry must have one.
var lostCases = map[string]lostCase{
	stock.OpWarehouseInit.Name: {local, sends(stock.OpWarehouseInit, fixed(&stock.Warehouse{ID: "MAD-1", Name: "Madrid", Local: true}))}, // changes nothing: its reply is kept in memory, not recorded (a restart on a full disk)
	stock.OpProductCreate.Name: {local, sends(stock.OpProductCreate, fixed(&stock.CreateProductInput{SKU: "N", Name: "New", Price: 1, InitialQuantity: 3}))},
	stock.OpProductUpdate.Name: {withProduct, sends(stock.OpProductUpdate, fixed(&stock.ProductUpdate{SKU: "A", Update: stock.UpdateProductInput{Name: ptr("renamed")}}))},
	stock.OpProductDelete.Name: {withProduct, sends(stock.OpProductDelete, fixed(&stock.ProductRef{SKU: "A"}))},
	stock.OpMovementRecord.Name: {withProduct, sends(stock.OpMovementRecord, fixed(&stock.MovementInput{SKU: "A", Kind: stock.KindSale, Quantity: 2,
		Reference: "PO-1", IdempotencyKey: "sale-1"}))},
	stock.OpStockSet.Name:    {withProduct, sends(stock.OpStockSet, fixed(&stock.StockCount{SKU: "A", Quantity: 9, Note: "counted"}))},
	stock.OpTokenEnsure.Name: {local, sends(stock.OpTokenEnsure, fixed(&stock.Token{Hash: "h-ensure", Name: "boot", Role: auth.RoleAdmin}))},
	stock.OpTokenCreate.Name: {local, sends(stock.OpTokenCreate, fixed(&stock.Token{Hash: "h-create", Name: "ci", Role: auth.RoleOperator}))},
	stock.OpTokenRevoke.Name: {func(t *testing.T) *harness {
		h := newHarness(t)
		tok(h, stock.OpTokenCreate, &stock.Token{Hash: "h-revoke", Name: "old", Role: auth.RoleViewer})
		return h
	}, sends(stock.OpTokenRevoke, func(h *harness) *stock.TokenID {
		return &stock.TokenID{ID: tok(h, stock.OpTokenList, &stock.Empty{}).Tokens[0].ID}
	})},
	stock.OpApplyChanges.Name: {func(t *testing.T) *harness {
		a, _, _ := sender(t)
		return a
	}, func(ctx context.Context, s *stock.Service, h *harness) (any, error) {
		src := newReplica(h.t.(*testing.T), &stock.Warehouse{ID: "BCN-1", Name: "Barcelona"})
		src.create("B", 4)
		b := &stock.ChangeBatch{Entries: tok(src, stock.OpChanges, &stock.ChangesQuery{Origin: "BCN-1", Limit: 100}).Entries}
		h.prove(b)
		return stock.Call(ctx, s, stock.OpApplyChanges, b)
	}},
	stock.OpReplicaProblem.Name: {local, sends(stock.OpReplicaProblem, fixed(&stock.ProblemReport{Origin: "BCN-1",
		Reason: stock.RejectChain, ServedBy: "VAL-1", Detail: "entries do not reach the head"}))},
	stock.OpJoinTokenCreate.Name: {local, sends(stock.OpJoinTokenCreate, fixed(&stock.JoinTokenNew{Hash: "join", ExpiresAt: soon}))},
	stock.OpJoinRedeem.Name: {func(t *testing.T) *harness {
		h := newHarness(t)
		tok(h, stock.OpJoinTokenCreate, &stock.JoinTokenNew{Hash: "join", ExpiresAt: soon})
		return h
	}, sends(stock.OpJoinRedeem, fixed(&stock.JoinRedeem{Hash: "join", Member: stock.Warehouse{ID: "BCN-1", URL: "https://bcn.example"}}))},
	stock.OpMemberMerge.Name: {local, sends(stock.OpMemberMerge, fixed(&stock.MemberMerge{Warehouses: []stock.Warehouse{
		{ID: "BCN-1", Name: "Barcelona", URL: "https://BCN-1"}}}))},
	stock.OpMemberRecord.Name: {local, sends(stock.OpMemberRecord, fixed(&stock.MemberRecords{Records: []stock.MemberRecord{
		selfRecord("BCN-1", "https://bcn.example", 1, 1)}}))},
	stock.OpMemberRemove.Name: {func(t *testing.T) *harness {
		h := newHarness(t)
		tok(h, stock.OpMemberRecord, &stock.MemberRecords{Records: []stock.MemberRecord{selfRecord("BCN-1", "https://bcn.example", 1, 1)}})
		return h
	}, sends(stock.OpMemberRemove, fixed(&stock.MemberRecord{ID: "BCN-1", Name: "BCN-1", DepartedAt: &removedAt, Version: 2,
		By: stock.SignedByCA, Sig: []byte("ca")}))},
	stock.OpTransferSend.Name: {func(t *testing.T) *harness {
		a, _, _ := sender(t)
		return a
	}, sends(stock.OpTransferSend, fixed(&stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 3, Reference: "DN-2"}))},
	stock.OpTransferReceive.Name: {func(t *testing.T) *harness {
		a, b, _ := sender(t)
		pull(a, b, "MAD-1")
		return b
	}, sends(stock.OpTransferReceive, func(h *harness) *stock.TransferRef {
		return &stock.TransferRef{ID: tok(h, stock.OpTransferList, &stock.TransferQuery{}).Transfers[0].ID}
	})},
	stock.OpTransferCancel.Name: {func(t *testing.T) *harness {
		a, _, _ := sender(t)
		return a
	}, sends(stock.OpTransferCancel, func(h *harness) *stock.TransferRef {
		return &stock.TransferRef{ID: tok(h, stock.OpTransferList, &stock.TransferQuery{}).Transfers[0].ID}
	})},
	stock.OpTransferSettle.Name: {local, sends(stock.OpTransferSettle, fixed(&stock.Empty{}))},
	stock.OpProductImport.Name: {withProduct, sends(stock.OpProductImport, fixed(&stock.ProductImport{Rows: []stock.ImportRow{
		{Line: 2, SKU: "A", Name: "A again", Price: 2, Quantity: ptr(int64(7))}, {Line: 3, SKU: "I", Name: "Imported", Price: 1}}}))},
	stock.OpImportStage.Name:    {local, sends(stock.OpImportStage, fixed(&stock.ImportStage{ID: "imp-1", Rows: largeImport(1, "").Rows}))},
	stock.OpImportCommit.Name:   {stagedOne(false), sends(stock.OpImportCommit, fixed(&stock.ImportCommit{ID: "imp-1", Total: 1, Digest: "d"}))},
	stock.OpImportApply.Name:    {stagedOne(true), sends(stock.OpImportApply, fixed(&stock.ImportApply{ID: "imp-1"}))},
	stock.OpKeysRotate.Name:     {local, sends(stock.OpKeysRotate, fixed(&stock.Empty{}))},
	stock.OpKeysReseal.Name:     {withProduct, sends(stock.OpKeysReseal, fixed(&stock.ResealRequest{Limit: 10}))},
	stock.OpWarehouseLeave.Name: {local, sends(stock.OpWarehouseLeave, fixed(&stock.Empty{}))},
	stock.OpLocationCreate.Name: {local, sends(stock.OpLocationCreate, fixed(&stock.CreateLocationInput{Code: "R1", Name: "Rack 1"}))},
	stock.OpLocationUpdate.Name: {func(t *testing.T) *harness {
		h := newHarness(t)
		tok(h, stock.OpLocationCreate, &stock.CreateLocationInput{Code: "R1"})
		return h
	}, sends(stock.OpLocationUpdate, fixed(&stock.UpdateLocationInput{Code: "R1", Name: ptr("Rack one")}))},
	stock.OpStockRelocate.Name: {func(t *testing.T) *harness {
		h := newHarness(t)
		h.create("A", 10)
		tok(h, stock.OpLocationCreate, &stock.CreateLocationInput{Code: "R1"})
		return h
	}, sends(stock.OpStockRelocate, fixed(&stock.RelocateStockInput{SKU: "A", Quantity: 4, To: "R1"}))},
}

// TestLostReplies: for every write operation of the registry, a job whose
// reply is lost is resolved to the reply the writer gave it, so the
// caller never hears "not applied, safe to retry" for a write that was
// applied. An operation added without a case here fails the test.
func TestLostReplies(t *testing.T) {
	ops := newRegistry()
	var names []string
	for name, h := range ops {
		if h.class == stock.ClassWrite && h.resolve != unresolved {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for name := range lostCases {
		if !slices.Contains(names, name) {
			t.Errorf("lostCases has %s, not a resolvable write of the registry", name)
		}
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			c, ok := lostCases[name]
			if !ok {
				t.Fatalf("no lost-reply case for write operation %s: add one to lostCases", name)
			}
			h := c.setup(t)
			q := &dropQueue{s: h.s, op: name}
			svc := stock.NewService(q)
			svc.ResolveWithin = 2 * time.Second
			got, err := c.send(auth.AsNode(context.Background()), svc, h)
			if q.dropped == nil {
				t.Fatalf("%s was never sent", name)
			}
			want := replyOf(t, name)
			if derr := stock.DecodeReply(q.dropped, want); derr != nil {
				t.Fatalf("the case's %s failed, so its reply tells nothing: %v", name, derr)
			}
			if err != nil {
				t.Fatalf("the lost reply of an applied %s: %v", name, err)
			}
			if g, w := encoded(t, got), encoded(t, want); g != w {
				t.Errorf("resolved reply\n%s\nwant the lost one\n%s", g, w)
			}
		})
	}
}

// replyOf returns a new reply of the operation named name.
func replyOf(t *testing.T, name string) any {
	for _, op := range stock.Ops {
		if op.Name == name {
			return op.NewReply()
		}
	}
	t.Fatalf("no operation %s", name)
	return nil
}

func encoded(t *testing.T, v any) string {
	b, err := stock.EncodeValue(nil, v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestLostTokenCreate: a token.create whose reply is lost answers the
// token stored, with its secret, and leaves one token: a caller has no
// reason to retry and make a second.
func TestLostTokenCreate(t *testing.T) {
	h := newHarness(t)
	q := &dropQueue{s: h.s, op: stock.OpTokenCreate.Name}
	svc := stock.NewService(q)
	secret, tk, err := svc.CreateToken(auth.AsNode(context.Background()), "ci", auth.RoleOperator, nil)
	if err != nil || q.dropped == nil {
		t.Fatalf("CreateToken with its reply lost: %v (lost: %v)", err, q.dropped != nil)
	}
	if auth.Hash(secret) != tk.Hash {
		t.Errorf("the secret answered does not hash to the token stored")
	}
	if l := tok(h, stock.OpTokenList, &stock.Empty{}).Tokens; len(l) != 1 || l[0].Hash != tk.Hash || l[0].Name != "ci" {
		t.Errorf("tokens stored: %+v, want the one answered", l)
	}
}

// TestOutcomeNotApplied: a job that failed, or was never run, reads as not
// applied (UNAVAILABLE, safe to retry), except for an operation that acts
// outside the database, whose outcome without a record is unknown.
func TestOutcomeNotApplied(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		name string
		op   string
		key  string
		want stock.Outcome
	}{
		{"failed revoke", stock.OpTokenRevoke.Name, "", stock.Outcome{}},
		{"never run", stock.OpTokenCreate.Name, "nobody-sent-it", stock.Outcome{}},
		{"key rotation without a record", stock.OpKeysRotate.Name, "lost-rotation", stock.Outcome{Unknown: true}},
		{"change of the log", stock.OpProductCreate.Name, "no-product", stock.Outcome{Origin: "MAD-1"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := tt.key
			if key == "" {
				key = "failed-" + strconv.Itoa(i)
				j := testJob{Op: stock.OpTokenRevoke, TokenID: "99", Key: key}
				if r := h.write(j)[0]; code(r) != stock.CodeNotFound {
					t.Fatalf("revoking an unknown token: %+v", r)
				}
			}
			got := tok(h, stock.OpOutcome, &stock.OutcomeQuery{Key: key, Op: tt.op})
			if got.Applied != tt.want.Applied || got.Unknown != tt.want.Unknown || got.Origin != tt.want.Origin || got.Reply != nil {
				t.Errorf("outcome %+v, want %+v", *got, tt.want)
			}
		})
	}
	q := &dropQueue{s: h.s, op: stock.OpTokenRevoke.Name}
	_, err := stock.NewService(q).RevokeToken(auth.AsNode(context.Background()), "98")
	var e *stock.Error
	if !errors.As(err, &e) || e.Code != stock.CodeUnavailable {
		t.Errorf("a failed revoke whose reply was lost: %v, want UNAVAILABLE", err)
	}
}
