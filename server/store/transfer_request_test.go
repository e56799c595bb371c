package store

import (
	"strings"
	"testing"

	"github.com/stockmesh/stockmesh/server/stock"
)

func init() {
	lostCases[stock.OpRequestCreate.Name] = lostCase{func(t *testing.T) *harness {
		a, _, _ := trio(t)
		return a
	}, sends(stock.OpRequestCreate, fixed(&stock.RequestTransferInput{SKU: "W1", From: "BCN-1", Quantity: 3, IdempotencyKey: "q-1"}))}
	for _, op := range []stock.Op[stock.RequestDecision, stock.TransferRequest]{stock.OpRequestAccept, stock.OpRequestDecline} {
		lostCases[op.Name] = lostCase{requested, sends(op, fixed(&stock.RequestDecision{ID: "BCN-1:Q1", Reason: "short"}))}
	}
	lostCases[stock.OpRequestCancel.Name] = lostCase{func(t *testing.T) *harness {
		_, b := requestPair(t)
		return b
	}, sends(stock.OpRequestCancel, fixed(&stock.RequestDecision{ID: "BCN-1:Q1"}))}
}

// requestPair is MAD-1 and BCN-1 of a trio, MAD-1 holding 10 units of W1,
// BCN-1 having asked it for 4 (request BCN-1:Q1), which MAD-1 has seen.
func requestPair(t *testing.T) (mad, bcn *harness) {
	mad, bcn, _ = trio(t)
	mad.create("W1", 10)
	r := tok(bcn, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 4, Note: "weekend"})
	if r.ID != "BCN-1:Q1" || r.Status != stock.RequestOpen || r.To != "BCN-1" || r.From != "MAD-1" {
		t.Fatalf("request = %+v, want BCN-1:Q1, OPEN, from MAD-1 to BCN-1", r)
	}
	pull(bcn, mad, "BCN-1")
	return mad, bcn
}

// requested is the source of requestPair.
func requested(t *testing.T) *harness {
	mad, _ := requestPair(t)
	return mad
}

func request(h *harness, id string) *stock.TransferRequest {
	h.t.Helper()
	return tok(h, stock.OpRequestGet, &stock.RequestDecision{ID: id})
}

// TestTransferRequestAccepted: the source accepts a request and sends the
// transfer, with the request as its reference, in the same write;
// accepting again returns the request as it is and sends nothing more;
// the requester learns the acceptance by replication and receives the
// transfer; only the source decides, only the requester cancels.
func TestTransferRequestAccepted(t *testing.T) {
	mad, bcn := requestPair(t)
	terr(bcn, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q1"}, stock.CodeForbidden)
	terr(mad, stock.OpRequestCancel, &stock.RequestDecision{ID: "BCN-1:Q1"}, stock.CodeForbidden)
	terr(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q1", Quantity: ptr(int64(5))}, stock.CodeInvalidInput)
	terr(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q9"}, stock.CodeNotFound)
	r := tok(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q1", Quantity: ptr(int64(3))})
	if r.Status != stock.RequestAccepted || r.Transfer == "" || r.AcceptedAt == nil {
		t.Fatalf("accepted = %+v", r)
	}
	again := tok(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q1"})
	if again.Transfer != r.Transfer {
		t.Fatalf("accepted again: transfer %s, want %s", again.Transfer, r.Transfer)
	}
	ts := tok(mad, stock.OpTransferList, &stock.TransferQuery{}).Transfers
	if len(ts) != 1 || ts[0].ID != r.Transfer || ts[0].Reference != "BCN-1:Q1" || ts[0].Quantity != 3 || ts[0].To != "BCN-1" {
		t.Fatalf("transfers = %+v, want one of 3 to BCN-1 referencing BCN-1:Q1", ts)
	}
	if q := mad.product("W1").Quantity; q != 7 {
		t.Errorf("MAD-1's W1 = %d, want 7", q)
	}
	terr(mad, stock.OpRequestDecline, &stock.RequestDecision{ID: "BCN-1:Q1"}, stock.CodeInvalidInput)
	pull(mad, bcn, "MAD-1")
	if got := request(bcn, "BCN-1:Q1"); got.Status != stock.RequestAccepted || got.Transfer != r.Transfer {
		t.Fatalf("on BCN-1: %+v, want ACCEPTED with %s", got, r.Transfer)
	}
	terr(bcn, stock.OpRequestCancel, &stock.RequestDecision{ID: "BCN-1:Q1"}, stock.CodeInvalidInput)
	tok(bcn, stock.OpTransferReceive, &stock.TransferRef{ID: r.Transfer})
	if q := bcn.product("W1").Quantity; q != 3 {
		t.Errorf("BCN-1's W1 = %d, want 3", q)
	}
}

// TestTransferRequestDeclinedAndCancelled: a declined request carries its
// reason to the requester; a cancelled one reaches the source, which then
// refuses to decide it; listings go newest first, filtered by status and
// warehouse, and page with their cursor.
func TestTransferRequestDeclinedAndCancelled(t *testing.T) {
	mad, bcn := requestPair(t)
	r := tok(mad, stock.OpRequestDecline, &stock.RequestDecision{ID: "BCN-1:Q1", Reason: "we need them"})
	if r.Status != stock.RequestDeclined || r.Reason != "we need them" {
		t.Fatalf("declined = %+v", r)
	}
	tok(mad, stock.OpRequestDecline, &stock.RequestDecision{ID: "BCN-1:Q1"})
	terr(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q1"}, stock.CodeInvalidInput)
	pull(mad, bcn, "MAD-1")
	if got := request(bcn, "BCN-1:Q1"); got.Status != stock.RequestDeclined || got.Reason != "we need them" {
		t.Fatalf("on BCN-1: %+v", got)
	}
	second := tok(bcn, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 2})
	if c := tok(bcn, stock.OpRequestCancel, &stock.RequestDecision{ID: second.ID}); c.Status != stock.RequestCancelled {
		t.Fatalf("cancelled = %+v", c)
	}
	pull(bcn, mad, "BCN-1")
	terr(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: second.ID}, stock.CodeInvalidInput)
	if len(tok(mad, stock.OpTransferList, &stock.TransferQuery{}).Transfers) != 0 {
		t.Fatal("a transfer was sent for a declined or cancelled request")
	}
	page := tok(mad, stock.OpRequestList, &stock.TransferRequestQuery{First: 1})
	if len(page.Requests) != 1 || page.Requests[0].ID != second.ID || !page.HasNext {
		t.Fatalf("first page = %+v, want the newest, %s, and more", page, second.ID)
	}
	next := tok(mad, stock.OpRequestList, &stock.TransferRequestQuery{First: 1, After: stock.RequestCursor(&page.Requests[0])})
	if len(next.Requests) != 1 || next.Requests[0].ID != "BCN-1:Q1" || next.HasNext {
		t.Fatalf("second page = %+v", next)
	}
	if l := tok(mad, stock.OpRequestList, &stock.TransferRequestQuery{Status: stock.RequestDeclined}).Requests; len(l) != 1 || l[0].ID != "BCN-1:Q1" {
		t.Errorf("declined = %+v", l)
	}
	if l := tok(mad, stock.OpRequestList, &stock.TransferRequestQuery{Warehouse: "VAL-1"}).Requests; len(l) != 0 {
		t.Errorf("of VAL-1 = %+v, want none", l)
	}
}

// TestTransferRequestCancelRacesAcceptance: the requester cancels and the
// source accepts, each before it saw the other's entry; once both logs
// crossed, both nodes hold the request ACCEPTED with its transfer (the
// source's decision wins), and exactly one transfer was sent.
func TestTransferRequestCancelRacesAcceptance(t *testing.T) {
	mad, bcn := requestPair(t)
	tok(bcn, stock.OpRequestCancel, &stock.RequestDecision{ID: "BCN-1:Q1"})
	accepted := tok(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: "BCN-1:Q1"})
	pull(bcn, mad, "BCN-1")
	pull(mad, bcn, "MAD-1")
	for _, h := range []*harness{mad, bcn} {
		got := request(h, "BCN-1:Q1")
		if got.Status != stock.RequestAccepted || got.Transfer != accepted.Transfer || got.CancelledAt == nil {
			t.Errorf("%+v, want ACCEPTED with %s, its cancellation kept", got, accepted.Transfer)
		}
	}
	if n := len(tok(bcn, stock.OpTransferList, &stock.TransferQuery{}).Transfers); n != 1 {
		t.Errorf("%d transfers, want 1", n)
	}
}

// TestTransferRequestRefusals: a request of the local warehouse itself, of
// one that is not a member, or of one that left is refused and records
// nothing; an idempotency key sent again returns the same request, with
// another request is INVALID_INPUT.
func TestTransferRequestRefusals(t *testing.T) {
	mad, _, _ := trio(t)
	terr(mad, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 1}, stock.CodeInvalidInput)
	terr(mad, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "NOPE-1", Quantity: 1}, stock.CodeNotFound)
	in := &stock.RequestTransferInput{SKU: "W1", From: "BCN-1", Quantity: 2, IdempotencyKey: "k1"}
	a, b := tok(mad, stock.OpRequestCreate, in), tok(mad, stock.OpRequestCreate, in)
	if a.ID != b.ID {
		t.Errorf("same key: %s then %s", a.ID, b.ID)
	}
	terr(mad, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "BCN-1", Quantity: 3, IdempotencyKey: "k1"}, stock.CodeInvalidInput)
	tok(mad, stock.OpMemberRemove, &stock.MemberRecord{ID: "VAL-1", Name: "VAL-1", DepartedAt: &removedAt, Version: 2,
		By: stock.SignedByCA, Sig: []byte("ca")})
	_, e := tdo(mad, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "VAL-1", Quantity: 1})
	if e == nil || e.Code != stock.CodeInvalidInput || !strings.Contains(e.Message, "left the network") {
		t.Fatalf("request of a warehouse that left: %v, want INVALID_INPUT saying it left", e)
	}
	if l := tok(mad, stock.OpRequestList, &stock.TransferRequestQuery{}).Requests; len(l) != 1 {
		t.Errorf("requests = %+v, want the one", l)
	}
}

// TestTransferRequestAudit: the audit log names a request entry's sku and
// request.
func TestTransferRequestAudit(t *testing.T) {
	_, bcn := requestPair(t)
	for _, e := range tok(bcn, stock.OpAuditLog, &stock.AuditQuery{}).Entries {
		if e.Action == string(stock.EntryRequestCreated) {
			if e.Subject != "W1" || e.Detail != "BCN-1:Q1" {
				t.Errorf("audit entry %+v, want subject W1, detail BCN-1:Q1", e)
			}
			return
		}
	}
	t.Error("no audit entry of the request")
}

// TestTransferRequestsOfADepartedWarehouse: a request its source left
// undecided is CANCELLED as of the source's departure, on the requester
// and on a third node whichever of the two logs reaches it first, with
// the same decidedAt; a request the source decided before leaving keeps
// its decision; the requester can no longer cancel, nor ask the departed
// source again; the source that left decides nothing.
func TestTransferRequestsOfADepartedWarehouse(t *testing.T) {
	mad, bcn, val := trio(t)
	mad.create("W1", 10)
	open := tok(bcn, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 2})
	decided := tok(bcn, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 3})
	pull(bcn, val, "BCN-1") // VAL-1: the requests first, the departure after
	pull(bcn, mad, "BCN-1")
	tok(mad, stock.OpRequestDecline, &stock.RequestDecision{ID: decided.ID, Reason: "none to spare"})
	left := tok(mad, stock.OpWarehouseLeave, &stock.Empty{})
	terr(mad, stock.OpRequestAccept, &stock.RequestDecision{ID: open.ID}, stock.CodeForbidden)
	late := newReplica(t, &stock.Warehouse{ID: "ZAR-1", Name: "Zaragoza"})
	tok(late, stock.OpMemberMerge, &stock.MemberMerge{Warehouses: []stock.Warehouse{{ID: "MAD-1", Name: "MAD-1 warehouse", URL: "https://MAD-1"},
		{ID: "BCN-1", Name: "BCN-1 warehouse", URL: "https://BCN-1"}}})
	pull(mad, late, "MAD-1") // ZAR-1: the departure first, the request after
	pull(bcn, late, "BCN-1")
	for _, h := range []*harness{mad, bcn, val, late} {
		if h != mad {
			pull(mad, h, "MAD-1")
		}
		r := request(h, open.ID)
		if r.Status != stock.RequestCancelled || r.DecidedAt() == nil || !r.DecidedAt().Equal(*left.DepartedAt) {
			t.Errorf("%s: open request = %s decided %v, want CANCELLED at the departure, %v", h.s.w.local.ID, r.Status, r.DecidedAt(), left.DepartedAt)
		}
		if d := request(h, decided.ID); d.Status != stock.RequestDeclined || d.Reason != "none to spare" {
			t.Errorf("%s: declined request = %s %q, want DECLINED as MAD-1 decided", h.s.w.local.ID, d.Status, d.Reason)
		}
	}
	if r := tok(bcn, stock.OpRequestCancel, &stock.RequestDecision{ID: open.ID}); r.Status != stock.RequestCancelled {
		t.Errorf("cancelling again: %s", r.Status)
	}
	terr(bcn, stock.OpRequestCreate, &stock.RequestTransferInput{SKU: "W1", From: "MAD-1", Quantity: 1}, stock.CodeInvalidInput)
}
