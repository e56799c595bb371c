package stock

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestMovementInputNormalize(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		name string
		in   MovementInput
		ok   bool
	}{
		{"sale", MovementInput{SKU: " A1 ", Kind: KindSale, Quantity: 3}, true},
		{"negative adjustment", MovementInput{SKU: "A1", Kind: KindAdjustment, Quantity: -2}, true},
		{"zero", MovementInput{SKU: "A1", Kind: KindSale, Quantity: 0}, false},
		{"negative sale", MovementInput{SKU: "A1", Kind: KindSale, Quantity: -1}, false},
		{"zero adjustment", MovementInput{SKU: "A1", Kind: KindAdjustment}, false},
		{"too large", MovementInput{SKU: "A1", Kind: KindPurchase, Quantity: MaxQuantity + 1}, false},
		{"unknown kind", MovementInput{SKU: "A1", Kind: "STEAL", Quantity: 1}, false},
		{"transfer reserved", MovementInput{SKU: "A1", Kind: KindTransferOut, Quantity: 1}, false},
		{"empty sku", MovementInput{SKU: "  ", Kind: KindSale, Quantity: 1}, false},
		{"sku with space", MovementInput{SKU: "A 1", Kind: KindSale, Quantity: 1}, false},
		{"sku too long", MovementInput{SKU: long, Kind: KindSale, Quantity: 1}, false},
		{"control character in note", MovementInput{SKU: "A1", Kind: KindSale, Quantity: 1, Note: "a\x00b"}, false},
		{"reference too long", MovementInput{SKU: "A1", Kind: KindSale, Quantity: 1, Reference: long}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.in
			err := in.Normalize()
			if c.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalidInput)) {
				t.Fatalf("Normalize(%+v) = %v, want ok=%v", c.in, err, c.ok)
			}
			if c.ok && in.SKU != strings.TrimSpace(c.in.SKU) {
				t.Fatalf("sku %q not trimmed", in.SKU)
			}
		})
	}
}

func TestProductInputs(t *testing.T) {
	name, empty, q, neg := "New", " ", int64(4), int64(-1)
	cases := []struct {
		name string
		err  error
	}{
		{"create ok", (&CreateProductInput{SKU: "A1", Name: "Widget", Price: 100, InitialQuantity: 5}).Normalize()},
		{"create negative quantity", (&CreateProductInput{SKU: "A1", Name: "W", InitialQuantity: -1}).Normalize()},
		{"create empty name", (&CreateProductInput{SKU: "A1", Name: "  "}).Normalize()},
		{"create negative price", (&CreateProductInput{SKU: "A1", Name: "W", Price: -1}).Normalize()},
		{"update ok", (&UpdateProductInput{Name: &name, Quantity: &q}).Normalize()},
		{"update nothing", (&UpdateProductInput{}).Normalize()},
		{"update empty name", (&UpdateProductInput{Name: &empty}).Normalize()},
		{"update negative quantity", (&UpdateProductInput{Quantity: &neg}).Normalize()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOK := strings.HasSuffix(c.name, " ok")
			if (c.err == nil) != wantOK {
				t.Fatalf("got %v, want ok=%v", c.err, wantOK)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	from, to := time.Now(), time.Now().Add(time.Hour)
	cases := []struct {
		name string
		q    MovementQuery
		ok   bool
	}{
		{"default page", MovementQuery{}, true},
		{"filters", MovementQuery{Filter: MovementFilter{SKU: "A1", Kinds: []Kind{KindSale}, From: &from, To: &to}, First: 10}, true},
		{"from after to", MovementQuery{Filter: MovementFilter{From: &to, To: &from}}, false},
		{"unknown kind", MovementQuery{Filter: MovementFilter{Kinds: []Kind{"X"}}}, false},
		{"page too large", MovementQuery{First: MaxPageSize + 1}, false},
		{"negative page", MovementQuery{First: -1}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := c.q
			if err := q.Normalize(); (err == nil) != c.ok {
				t.Fatalf("Normalize = %v, want ok=%v", err, c.ok)
			}
			if c.ok && q.First == 0 {
				t.Fatal("no default page size applied")
			}
		})
	}
}

// TestPageSize: one rule for every API: 0 means the default, 1 to
// MaxPageSize is taken, and a refusal names what was sent and the range.
func TestPageSize(t *testing.T) {
	cases := []struct {
		name  string
		first int
		want  int
		msg   string
	}{
		{"none or 0", 0, DefaultPageSize, ""},
		{"one", 1, 1, ""},
		{"largest", MaxPageSize, MaxPageSize, ""},
		{"negative", -1, 0, "first: -1 is out of range (1 to 500, or 0 for the default of 50)"},
		{"too large", MaxPageSize + 1, 0, "first: 501 is out of range (1 to 500, or 0 for the default of 50)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pq, mq := ProductQuery{First: c.first}, MovementQuery{First: c.first}
			perr, merr := pq.Normalize(), mq.Normalize()
			if c.msg == "" && (perr != nil || merr != nil || pq.First != c.want || mq.First != c.want) {
				t.Fatalf("got %d, %v and %d, %v; want %d", pq.First, perr, mq.First, merr, c.want)
			}
			if c.msg != "" && (perr == nil || merr == nil || perr.Error() != c.msg || merr.Error() != c.msg || !errors.Is(perr, ErrInvalidInput)) {
				t.Fatalf("got %v and %v; want INVALID_INPUT %q", perr, merr, c.msg)
			}
		})
	}
}

func TestApply(t *testing.T) {
	cases := []struct {
		balance, delta, want int64
		code                 Code
	}{
		{10, -3, 7, ""},
		{3, -3, 0, ""},
		{2, -3, 2, CodeInsufficientStock},
		{0, 5, 5, ""},
		{MaxStock, 1, MaxStock, CodeInvalidInput},
	}
	for _, c := range cases {
		got, err := Apply("A1", c.balance, c.delta)
		if got != c.want || CodeOf(err) != c.code {
			t.Errorf("Apply(%d, %d) = %d, %v; want %d, %q", c.balance, c.delta, got, err, c.want, c.code)
		}
	}
	_, err := Apply("A1", 2, -3)
	if !strings.Contains(err.Error(), "2 in stock, 3 requested") {
		t.Errorf("message %q does not say what is in stock and what was asked", err)
	}
	if s := ShortfallOf(fmt.Errorf("wrapped: %w", err)); s == nil || *s != (Shortfall{SKU: "A1", InStock: 2, Requested: 3, Available: 2}) {
		t.Errorf("shortfall = %+v, want A1: 2 in stock, 2 available, 3 requested", s)
	}
	if s := ShortfallOf(Errorf(CodeNotFound, "no A1")); s != nil {
		t.Errorf("a not-found error has shortfall %+v", s)
	}
}

// TestKindDelta: each kind's sign, and Quantity undoing it.
func TestKindDelta(t *testing.T) {
	for k, want := range map[Kind]int64{KindPurchase: 4, KindSale: -4, KindReturn: 4, KindAdjustment: 4, KindTransferOut: -4, KindTransferIn: 4} {
		if got := k.Delta(4); got != want {
			t.Errorf("%s.Delta(4) = %d, want %d", k, got, want)
		}
		if got := k.Quantity(want); got != 4 {
			t.Errorf("%s.Quantity(%d) = %d, want 4 (Delta's inverse)", k, want, got)
		}
	}
}

func TestCursors(t *testing.T) {
	if sku, err := DecodeProductCursor(ProductCursor("A-1")); err != nil || sku != "A-1" {
		t.Fatalf("product cursor round trip: %q, %v", sku, err)
	}
	m := &Movement{Warehouse: "MAD:1", Seq: 42, CreatedAt: time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.UTC)}
	want := MovementPosition{At: m.CreatedAt, Warehouse: m.Warehouse, Seq: 42}
	if pos, err := DecodeMovementCursor(MovementCursor(m)); err != nil || pos != want {
		t.Fatalf("movement cursor round trip: %+v, %v", pos, err)
	}
	for _, bad := range []string{"", "nonsense", ProductCursor("A1"), "bTo0Mg"} {
		if _, err := DecodeMovementCursor(bad); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("DecodeMovementCursor(%q) = %v, want INVALID_INPUT", bad, err)
		}
	}
	if _, err := DecodeProductCursor(MovementCursor(m)); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("a movement cursor decoded as a product cursor: %v", err)
	}
}

func TestErrorCodes(t *testing.T) {
	wrapped := errors.Join(errors.New("context"), Errorf(CodeNotFound, "product X not found"))
	cases := []struct {
		err  error
		code Code
		msg  string
	}{
		{nil, "", "internal error"},
		{wrapped, CodeNotFound, "product X not found"},
		{errors.New("disk on fire"), CodeInternal, "internal error"},
		{Errorf(CodeInternal, "secret detail"), CodeInternal, "internal error"},
	}
	for _, c := range cases {
		if got := CodeOf(c.err); got != c.code {
			t.Errorf("CodeOf(%v) = %q, want %q", c.err, got, c.code)
		}
		if c.err != nil && Message(c.err) != c.msg {
			t.Errorf("Message(%v) = %q, want %q", c.err, Message(c.err), c.msg)
		}
	}
	if !errors.Is(wrapped, ErrNotFound) || errors.Is(wrapped, ErrAlreadyExists) {
		t.Error("errors.Is does not match by code")
	}
}
