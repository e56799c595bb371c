package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// tdo runs op with req on h, a write through HandleWrites or a read, and
// returns its reply or its error.
func tdo[Req, Rep any](h *harness, op stock.Op[Req, Rep], req *Req) (*Rep, *stock.Error) {
	h.t.Helper()
	h.prove(req)
	job, err := stock.EncodeJob(stock.JobMeta{Op: op.Name, Actor: "tester", Key: "k-" + time.Now().String()}, req)
	if err != nil {
		h.t.Fatal(err)
	}
	var raw []byte
	if op.Class == stock.ClassWrite {
		raw = h.s.HandleWrites([][]byte{job})[0]
	} else {
		raw = h.s.HandleRead(context.Background(), job)
	}
	rep := new(Rep)
	err = stock.DecodeReply(raw, rep)
	var e *stock.Error
	if errors.As(err, &e) {
		return nil, e
	}
	if err != nil {
		h.t.Fatalf("%s: %v", op.Name, err)
	}
	return rep, nil
}

// tok runs op and fails the test on an error.
func tok[Req, Rep any](h *harness, op stock.Op[Req, Rep], req *Req) *Rep {
	h.t.Helper()
	rep, e := tdo(h, op, req)
	if e != nil {
		h.t.Fatalf("%s: %s %s", op.Name, e.Code, e.Message)
	}
	return rep
}

// terr runs op and fails the test unless it is refused with code.
func terr[Req, Rep any](h *harness, op stock.Op[Req, Rep], req *Req, code stock.Code) {
	h.t.Helper()
	if _, e := tdo(h, op, req); e == nil || e.Code != code {
		h.t.Fatalf("%s: got %v, want %s", op.Name, e, code)
	}
}

// trio opens three stores, MAD-1, BCN-1 and VAL-1, each knowing the
// others as members.
func trio(t *testing.T) (a, b, c *harness) {
	ids := []string{"MAD-1", "BCN-1", "VAL-1"}
	hs := make([]*harness, 3)
	for i, id := range ids {
		hs[i] = newReplica(t, &stock.Warehouse{ID: id, Name: id + " warehouse"})
		var ws []stock.Warehouse
		for _, o := range ids {
			if o != id {
				ws = append(ws, stock.Warehouse{ID: o, Name: o + " warehouse", URL: "https://" + o})
			}
		}
		tok(hs[i], stock.OpMemberMerge, &stock.MemberMerge{Warehouses: ws})
	}
	return hs[0], hs[1], hs[2]
}

// pull applies to dst everything src holds of origin's log.
func pull(src, dst *harness, origin string) {
	dst.t.Helper()
	page := tok(src, stock.OpChanges, &stock.ChangesQuery{Origin: origin, Limit: stock.MaxChangesLimit})
	tok(dst, stock.OpApplyChanges, &stock.ChangeBatch{Entries: page.Entries})
}

func get(h *harness, id string) *stock.Transfer {
	h.t.Helper()
	return tok(h, stock.OpTransferGet, &stock.TransferRef{ID: id})
}

func settle(h *harness) []stock.Transfer {
	h.t.Helper()
	return tok(h, stock.OpTransferSettle, &stock.Empty{}).Transfers
}

// network returns, as h sees them, the units of sku in every warehouse
// plus those in transit.
func network(h *harness, sku string) int64 {
	h.t.Helper()
	var n int64
	for _, l := range tok(h, stock.OpStockLevels, &stock.StockLevelQuery{SKU: sku}).Levels {
		n += l.Quantity + l.InTransit
	}
	return n
}

func send(h *harness, sku, to string, qty int64) *stock.Transfer {
	h.t.Helper()
	return tok(h, stock.OpTransferSend, &stock.TransferInput{SKU: sku, To: to, Quantity: qty, Reference: "DN-1", Note: "weekly"})
}

func TestTransferReceived(t *testing.T) {
	a, b, c := trio(t)
	a.create("W1", 10)
	tr := send(a, "W1", "BCN-1", 4)
	if tr.Status != stock.TransferInTransit || tr.From != "MAD-1" || tr.To != "BCN-1" || tr.OutMovement == "" {
		t.Fatalf("sent %+v", tr)
	}
	if q := a.product("W1").Quantity; q != 6 {
		t.Fatalf("sender's stock %d, want 6", q)
	}
	if n := network(a, "W1"); n != 10 {
		t.Fatalf("sender sees %d units in the network, want 10", n)
	}
	terr(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID}, stock.CodeNotFound) // not replicated yet
	pull(a, b, "MAD-1")
	terr(a, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID}, stock.CodeForbidden)
	got := tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	if got.Status != stock.TransferReceived || got.ReceivedAt == nil || got.InMovement == "" {
		t.Fatalf("received %+v", got)
	}
	p := tok(b, stock.OpProductGet, &stock.ProductRef{SKU: "W1"})
	if p.Quantity != 4 || p.Name != "Product W1" || p.Price != 19_9900 {
		t.Fatalf("receiver's product %+v: want the sender's catalogue data and 4 units", p)
	}
	again := tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	if again.InMovement != got.InMovement {
		t.Fatalf("receiving twice made a second movement: %s, then %s", got.InMovement, again.InMovement)
	}
	if q := tok(b, stock.OpProductGet, &stock.ProductRef{SKU: "W1"}).Quantity; q != 4 {
		t.Fatalf("receiving twice: stock %d, want 4", q)
	}
	terr(b, stock.OpTransferCancel, &stock.TransferRef{ID: tr.ID}, stock.CodeInvalidInput)
	// A third node learns the receipt before the transfer's creation.
	pull(b, c, "BCN-1")
	if s := get(c, tr.ID).Status; s != stock.TransferReceived {
		t.Fatalf("third node before the sender's log: %s", s)
	}
	pull(a, c, "MAD-1")
	pull(b, a, "BCN-1")
	for _, h := range []*harness{a, b, c} {
		x := get(h, tr.ID)
		if x.Status != stock.TransferReceived || x.OutMovement != tr.OutMovement || x.InMovement != got.InMovement {
			t.Fatalf("%s sees %+v", h.s.localID(), x)
		}
		if n := network(h, "W1"); n != 10 {
			t.Fatalf("%s sees %d units in the network, want 10", h.s.localID(), n)
		}
		if len(settle(h)) != 0 {
			t.Fatalf("%s settled a received transfer", h.s.localID())
		}
	}
	ms := tok(b, stock.OpMovementList, &stock.MovementQuery{Filter: stock.MovementFilter{SKU: "W1"}})
	if ms.Movements[0].Kind != stock.KindTransferIn || ms.Movements[0].Reference != tr.ID {
		t.Fatalf("receiver's movement %+v should be a TRANSFER_IN referencing %s", ms.Movements[0], tr.ID)
	}
}

func TestTransferRefusals(t *testing.T) {
	a, _, _ := trio(t)
	a.create("W1", 5)
	tok(a, stock.OpMemberMerge, &stock.MemberMerge{Warehouses: []stock.Warehouse{{ID: "OLD-1", DepartedAt: &time.Time{}}}})
	cases := []struct {
		name string
		in   stock.TransferInput
		code stock.Code
	}{
		{"beyond the stock", stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 6}, stock.CodeInsufficientStock},
		{"to itself", stock.TransferInput{SKU: "W1", To: "MAD-1", Quantity: 1}, stock.CodeInvalidInput},
		{"to an unknown warehouse", stock.TransferInput{SKU: "W1", To: "NOPE-1", Quantity: 1}, stock.CodeNotFound},
		{"to a departed warehouse", stock.TransferInput{SKU: "W1", To: "OLD-1", Quantity: 1}, stock.CodeInvalidInput},
		{"of an unknown product", stock.TransferInput{SKU: "W9", To: "BCN-1", Quantity: 1}, stock.CodeNotFound},
		{"of nothing", stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 0}, stock.CodeInvalidInput},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			terr(a, stock.OpTransferSend, &tc.in, tc.code)
			if q := a.product("W1").Quantity; q != 5 {
				t.Fatalf("a refused transfer changed the stock to %d", q)
			}
		})
	}
	page := tok(a, stock.OpTransferList, &stock.TransferQuery{})
	if len(page.Transfers) != 0 {
		t.Fatalf("refused transfers were recorded: %+v", page.Transfers)
	}
	tok(a, stock.OpMemberMerge, &stock.MemberMerge{Warehouses: []stock.Warehouse{{ID: "MAD-1", DepartedAt: &time.Time{}}}})
	terr(a, stock.OpTransferSend, &stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 1}, stock.CodeForbidden)
}

func TestTransferIdempotencyKey(t *testing.T) {
	a, _, _ := trio(t)
	a.create("W1", 10)
	in := stock.TransferInput{SKU: "W1", To: "BCN-1", Quantity: 3, IdempotencyKey: "k1"}
	first := tok(a, stock.OpTransferSend, &in)
	second := tok(a, stock.OpTransferSend, &in)
	if first.ID != second.ID || a.product("W1").Quantity != 7 {
		t.Fatalf("the same key gave %s and %s, stock %d", first.ID, second.ID, a.product("W1").Quantity)
	}
	in.Quantity = 4
	terr(a, stock.OpTransferSend, &in, stock.CodeInvalidInput)
	a.reopen()
	in.Quantity = 3
	if again := tok(a, stock.OpTransferSend, &in); again.ID != first.ID {
		t.Fatalf("after a restart the key gave %s, want %s", again.ID, first.ID)
	}
}

func TestTransferCancelledByReceiver(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 10)
	tr := send(a, "W1", "BCN-1", 4)
	pull(a, b, "MAD-1")
	got := tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: tr.ID})
	if got.Status != stock.TransferCancelled {
		t.Fatalf("cancelled on the receiver: %s", got.Status)
	}
	terr(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID}, stock.CodeInvalidInput)
	if n := network(b, "W1"); n != 10 {
		t.Fatalf("receiver sees %d units in the network, want 10 (4 on their way back)", n)
	}
	pull(b, a, "BCN-1")
	if s := get(a, tr.ID).Status; s != stock.TransferCancelled {
		t.Fatalf("sender sees %s", s)
	}
	if q := a.product("W1").Quantity; q != 6 {
		t.Fatalf("stock came back before the sender settled: %d", q)
	}
	if n := len(settle(a)); n != 1 {
		t.Fatalf("settled %d transfers, want 1", n)
	}
	if n := len(settle(a)); n != 0 {
		t.Fatalf("settled again: %d", n)
	}
	if q := a.product("W1").Quantity; q != 10 {
		t.Fatalf("sender's stock %d after the return, want 10", q)
	}
	x := get(a, tr.ID)
	if x.ReturnMovement == "" || x.ReturnedAt == nil {
		t.Fatalf("returned transfer %+v", x)
	}
	pull(a, b, "MAD-1")
	for _, h := range []*harness{a, b} {
		if n := network(h, "W1"); n != 10 {
			t.Fatalf("%s sees %d units, want 10", h.s.localID(), n)
		}
	}
}

func TestTransferCancelledBySender(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 10)
	tr := send(a, "W1", "BCN-1", 4)
	got := tok(a, stock.OpTransferCancel, &stock.TransferRef{ID: tr.ID})
	if got.Status != stock.TransferCancelRequested {
		t.Fatalf("cancelled on the sender: %s", got.Status)
	}
	if len(settle(a)) != 0 || a.product("W1").Quantity != 6 {
		t.Fatal("the sender took its stock back before the receiver confirmed")
	}
	pull(a, b, "MAD-1")
	terr(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID}, stock.CodeInvalidInput)
	if n := len(settle(b)); n != 1 {
		t.Fatalf("receiver confirmed %d cancellations, want 1", n)
	}
	if s := get(b, tr.ID).Status; s != stock.TransferCancelled {
		t.Fatalf("receiver sees %s", s)
	}
	pull(b, a, "BCN-1")
	settle(a)
	if q := a.product("W1").Quantity; q != 10 {
		t.Fatalf("sender's stock %d, want 10", q)
	}
}

// A cancel on the sender and a receipt on the receiver, each before
// seeing the other, end with the receipt alone.
func TestTransferCancelRaceReceive(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 10)
	tr := send(a, "W1", "BCN-1", 4)
	pull(a, b, "MAD-1")
	tok(a, stock.OpTransferCancel, &stock.TransferRef{ID: tr.ID})
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	pull(a, b, "MAD-1")
	pull(b, a, "BCN-1")
	settle(a)
	settle(b)
	pull(a, b, "MAD-1")
	pull(b, a, "BCN-1")
	for _, h := range []*harness{a, b} {
		if s := get(h, tr.ID).Status; s != stock.TransferReceived {
			t.Fatalf("%s sees %s, want RECEIVED", h.s.localID(), s)
		}
		if n := network(h, "W1"); n != 10 {
			t.Fatalf("%s sees %d units, want 10", h.s.localID(), n)
		}
	}
	if a.product("W1").Quantity != 6 {
		t.Fatal("the sender took back a received transfer")
	}
}

// The sender returns a transfer its receiver cancelled even when the
// product was deleted meanwhile, and a restart between the apply and the
// settling loses nothing.
func TestTransferReturnAfterRestartAndDeletion(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 4)
	tr := send(a, "W1", "BCN-1", 4)
	a.ok(testJob{Op: stock.OpProductDelete, SKU: "W1"})
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: tr.ID})
	pull(b, a, "BCN-1")
	a.reopen()
	if n := len(settle(a)); n != 1 {
		t.Fatalf("settled %d after a restart, want 1", n)
	}
	if p := a.product("W1"); p.Quantity != 4 || p.Name != "Product W1" {
		t.Fatalf("returned into %+v", p)
	}
}

func TestTransferList(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 100)
	var ids []string
	for i := 0; i < 5; i++ {
		ids = append(ids, send(a, "W1", []string{"BCN-1", "VAL-1"}[i%2], 1).ID)
	}
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: ids[0]})
	var got []string
	after := ""
	for {
		p := tok(b, stock.OpTransferList, &stock.TransferQuery{First: 2, After: after})
		for i := range p.Transfers {
			got = append(got, p.Transfers[i].ID)
			after = stock.TransferCursor(&p.Transfers[i])
		}
		if !p.HasNext {
			break
		}
	}
	if len(got) != 5 || got[0] != ids[4] || got[4] != ids[0] {
		t.Fatalf("listed %v, want %v newest first", got, ids)
	}
	if p := tok(b, stock.OpTransferList, &stock.TransferQuery{Status: stock.TransferReceived}); len(p.Transfers) != 1 || p.Transfers[0].ID != ids[0] {
		t.Fatalf("received: %+v", p.Transfers)
	}
	if p := tok(b, stock.OpTransferList, &stock.TransferQuery{Warehouse: "VAL-1"}); len(p.Transfers) != 2 {
		t.Fatalf("to VAL-1: %d, want 2", len(p.Transfers))
	}
	if p := tok(b, stock.OpTransferGetMany, &stock.TransferIDs{IDs: []string{ids[1], ids[3], "MAD-1:T999"}}); len(p.Transfers) != 2 {
		t.Fatalf("by id: %+v, want the two known", p.Transfers)
	}
	terr(b, stock.OpTransferList, &stock.TransferQuery{Warehouse: "NOPE"}, stock.CodeNotFound)
	terr(b, stock.OpTransferList, &stock.TransferQuery{Status: "LOST"}, stock.CodeInvalidInput)
}

// A follow-up step the domain refuses (a return that would overflow the
// stock) is skipped without holding back the others, and taken once it
// can be.
func TestTransferSettleSkipsARefusedStep(t *testing.T) {
	a, b, _ := trio(t)
	a.create("BIG", 1_000_000_000)
	a.create("W1", 10)
	a.ok(move("BIG", stock.KindPurchase, 1_000_000_000))
	big := send(a, "BIG", "BCN-1", 10)
	small := send(a, "W1", "BCN-1", 3)
	a.ok(move("BIG", stock.KindPurchase, stock.MaxStock-a.product("BIG").Quantity))
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: big.ID})
	tok(b, stock.OpTransferCancel, &stock.TransferRef{ID: small.ID})
	pull(b, a, "BCN-1")
	done := settle(a)
	if len(done) != 1 || done[0].ID != small.ID || a.product("W1").Quantity != 10 {
		t.Fatalf("settled %+v, W1 = %d; want only %s returned", done, a.product("W1").Quantity, small.ID)
	}
	a.ok(sale("BIG", 10))
	if done := settle(a); len(done) != 1 || done[0].ID != big.ID || a.product("BIG").Quantity != stock.MaxStock {
		t.Fatalf("settled %+v once there was room, BIG = %d", done, a.product("BIG").Quantity)
	}
}

func TestTransferUnknownIDs(t *testing.T) {
	a, _, _ := trio(t)
	for _, id := range []string{"MAD-1:T99", "nope", "BCN-1:T1"} {
		terr(a, stock.OpTransferReceive, &stock.TransferRef{ID: id}, stock.CodeNotFound)
		terr(a, stock.OpTransferCancel, &stock.TransferRef{ID: id}, stock.CodeNotFound)
		terr(a, stock.OpTransferGet, &stock.TransferRef{ID: id}, stock.CodeNotFound)
	}
	terr(a, stock.OpTransferGet, &stock.TransferRef{ID: " "}, stock.CodeInvalidInput)
}

// An entry of a warehouse that is neither side of its transfer is refused,
// and the batch with it changes nothing.
func TestTransferEntryOfAThirdWarehouse(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 10)
	tr := send(a, "W1", "BCN-1", 4)
	now := time.Now().UTC()
	forged := *tr
	forged.ReceivedAt = &now
	entry := stock.LogEntry{Origin: "VAL-1", Seq: 1, At: now, Type: stock.EntryTransferReceived, Transfer: &forged}
	terr(b, stock.OpApplyChanges, &stock.ChangeBatch{Entries: []stock.LogEntry{entry}}, stock.CodeInvalidInput)
	pull(a, b, "MAD-1")
	if s := get(b, tr.ID).Status; s != stock.TransferInTransit {
		t.Fatalf("after a forged receipt: %s", s)
	}
}

// TestTransferEntriesInAuditLog: the sender's and the receiver's audit logs
// say who sent and who received a transfer, with its sku and id, read back
// through the sealed actor of each transfer entry.
func TestTransferEntriesInAuditLog(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 10)
	tr := send(a, "W1", "BCN-1", 4)
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	for _, c := range []struct {
		h      *harness
		action string
	}{{a, string(stock.EntryTransferCreated)}, {b, string(stock.EntryTransferReceived)}} {
		page := tok(c.h, stock.OpAuditLog, &stock.AuditQuery{First: 100, Actor: "tester"})
		found := false
		for _, e := range page.Entries {
			if e.Action == c.action {
				found = true
				if e.Subject != "W1" || e.Detail != tr.ID {
					t.Errorf("%s's %s entry: subject %q detail %q, want W1 and %s", c.h.s.localID(), c.action, e.Subject, e.Detail, tr.ID)
				}
			}
		}
		if !found {
			t.Errorf("%s's audit log by tester has no %s entry: %+v", c.h.s.localID(), c.action, page.Entries)
		}
	}
}

// tdoAs runs the write op with req on h in actor's name ("" for the node's
// own jobs, as the Settler's) and fails the test on an error.
func tdoAs[Req, Rep any](h *harness, actor string, op stock.Op[Req, Rep], req *Req) *Rep {
	h.t.Helper()
	job, err := stock.EncodeJob(stock.JobMeta{Op: op.Name, Actor: actor, Key: "k-" + time.Now().String()}, req)
	if err != nil {
		h.t.Fatal(err)
	}
	rep := new(Rep)
	if err := stock.DecodeReply(h.s.HandleWrites([][]byte{job})[0], rep); err != nil {
		h.t.Fatalf("%s as %q: %v", op.Name, actor, err)
	}
	return rep
}

// stepActors returns, from h's own log, the actors of the entries of
// transfer id: by entry type, and for its movements by kind.
func stepActors(h *harness, id string) map[string]string {
	h.t.Helper()
	page := tok(h, stock.OpChanges, &stock.ChangesQuery{Origin: h.s.localID(), Limit: stock.MaxChangesLimit})
	out := map[string]string{}
	for _, e := range page.Entries {
		switch {
		case e.Transfer != nil && e.Transfer.ID == id:
			out[string(e.Type)] = e.Actor
		case e.Movement != nil && e.Movement.Reference == id:
			out[string(e.Movement.Kind)] = e.Movement.Actor
		}
	}
	return out
}

// The steps a side takes on its own after the other side's cancellation
// (the receiver confirming a sender's request, the sender taking its units
// back) are in the name of who started it, through replication and
// settling, not nameless.
func TestTransferStepsNameWhoStartedThem(t *testing.T) {
	a, b, _ := trio(t)
	a.create("W1", 10)

	byReceiver := send(a, "W1", "BCN-1", 4)
	pull(a, b, "MAD-1")
	tdoAs(b, "ana", stock.OpTransferCancel, &stock.TransferRef{ID: byReceiver.ID})
	pull(b, a, "BCN-1")
	if n := len(tdoAs(a, "", stock.OpTransferSettle, &stock.Empty{}).Transfers); n != 1 {
		t.Fatalf("the sender settled %d transfers, want 1", n)
	}
	got := stepActors(a, byReceiver.ID)
	if got[string(stock.EntryTransferReturned)] != "ana" || got[string(stock.KindTransferIn)] != "ana" {
		t.Errorf("the take-back of a transfer ana cancelled on the receiver is in the name of %v", got)
	}

	bySender := send(a, "W1", "BCN-1", 3)
	tdoAs(a, "luis", stock.OpTransferCancel, &stock.TransferRef{ID: bySender.ID})
	pull(a, b, "MAD-1")
	if n := len(tdoAs(b, "", stock.OpTransferSettle, &stock.Empty{}).Transfers); n != 1 {
		t.Fatalf("the receiver confirmed %d cancellations, want 1", n)
	}
	if got := stepActors(b, bySender.ID); got[string(stock.EntryTransferCancelled)] != "luis" {
		t.Errorf("the receiver's confirmation of luis's request is in the name of %v", got)
	}
	pull(b, a, "BCN-1")
	tdoAs(a, "", stock.OpTransferSettle, &stock.Empty{})
	got = stepActors(a, bySender.ID)
	if got[string(stock.EntryTransferCancelRequested)] != "luis" || got[string(stock.EntryTransferReturned)] != "luis" ||
		got[string(stock.KindTransferIn)] != "luis" {
		t.Errorf("the take-back of the transfer luis cancelled is in the name of %v", got)
	}
	if q := a.product("W1").Quantity; q != 10 {
		t.Errorf("the sender holds %d after both take-backs, want 10", q)
	}
}

// TestTransferCarriesUnits: a receiver that has no product of the sku
// creates it with the sender's base unit and packs (the quantity is in
// that unit), so "3 box" means the same on both sides.
func TestTransferCarriesUnits(t *testing.T) {
	a, b, _ := trio(t)
	tok(a, stock.OpProductCreate, &stock.CreateProductInput{SKU: "OIL", Name: "Olive oil", Price: 5_0000, InitialQuantity: 120,
		Unit: "l", Packs: []stock.Pack{{Name: "box", Size: 12}}})
	tr := send(a, "OIL", "BCN-1", 24)
	pull(a, b, "MAD-1")
	tok(b, stock.OpTransferReceive, &stock.TransferRef{ID: tr.ID})
	p := tok(b, stock.OpProductGet, &stock.ProductRef{SKU: "OIL"})
	if p.Quantity != 24 || p.Unit != "l" || len(p.Packs) != 1 || p.Packs[0] != (stock.Pack{Name: "box", Size: 12}) {
		t.Fatalf("receiver's product %+v: want 24 l with the sender's box of 12", p)
	}
	if got := tok(b, stock.OpMovementRecord, &stock.MovementInput{SKU: "OIL", Kind: stock.KindSale, Quantity: 1, Pack: "box"}); got.Balance != 12 {
		t.Fatalf("a box sold at the receiver left %d, want 12", got.Balance)
	}
}
