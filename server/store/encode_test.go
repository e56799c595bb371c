package store

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stockmesh/stockmesh/server/stock"
)

// awkward holds strings that need escaping or replacing in JSON.
var awkward = []string{
	"", "plain", `quote " and backslash \`, "<script>&amp;</script>", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "año €  𝄞", "line\u2028para\u2029", "bad \xff\xfe utf8 \xc3", "\xe2\x80",
}

// TestEncodeMatchesEncodingJSON wants the hand-written encoders to produce
// exactly what json.Marshal does, for replies and published changes.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 1, 2, 3, 400500000, time.UTC)
	type replyCase struct {
		name  string
		reply *stock.Reply
	}
	tests := []replyCase{
		{"nil", nil},
		{"empty", &stock.Reply{}},
		{"movement", &stock.Reply{Movement: &stock.Movement{ID: "MAD-1:4", Warehouse: "MAD-1", Seq: 4, SKU: "A",
			Kind: stock.KindSale, Quantity: -3, Balance: 7, CreatedAt: at}}},
		{"movement with every field", &stock.Reply{Movement: &stock.Movement{ID: "W:1", Warehouse: "W", Seq: 1, SKU: "B",
			Kind: stock.KindAdjustment, Quantity: 1 << 40, Balance: -1, Reference: "r", Note: "n", Actor: "a",
			IdempotencyKey: "k", CreatedAt: at}}},
		{"whole seconds", &stock.Reply{Movement: &stock.Movement{CreatedAt: at.Truncate(time.Second)}}},
		{"zone", &stock.Reply{Movement: &stock.Movement{CreatedAt: at.In(time.FixedZone("x", -5*3600-1800))}}},
		{"zero time", &stock.Reply{Movement: &stock.Movement{}}},
		{"year out of range", &stock.Reply{Movement: &stock.Movement{CreatedAt: at.AddDate(9000, 0, 0)}}},
		{"error", &stock.Reply{Err: stock.Errorf(stock.CodeInsufficientStock, "not enough stock of A: 1 in stock, 2 requested")}},
		{"product", &stock.Reply{Product: &stock.Product{SKU: "A"}}},
		{"error and movement", &stock.Reply{Err: stock.ErrInternal, Movement: &stock.Movement{}}},
	}
	for i, s := range awkward {
		m := &stock.Movement{ID: s, Warehouse: s, SKU: s, Kind: stock.Kind(s), Reference: s, Note: s, Actor: s,
			IdempotencyKey: s, Seq: int64(i), CreatedAt: at}
		tests = append(tests, replyCase{"movement " + s, &stock.Reply{Movement: m}},
			replyCase{"error " + s, &stock.Reply{Err: &stock.Error{Code: stock.Code(s), Message: s}}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.reply
			if r == nil {
				r = &stock.Reply{}
			}
			want, err := json.Marshal(r)
			if err != nil {
				want = internalReply
			}
			if got := encode(tt.reply); !bytes.Equal(got, want) {
				t.Errorf("encode\n got %s\nwant %s", got, want)
			}
			if tt.reply == nil || tt.reply.Movement == nil {
				return
			}
			want, wantErr := json.Marshal(stock.ChangeOf(tt.reply.Movement))
			got, err := encodeChange(tt.reply.Movement)
			if !bytes.Equal(got, want) || (err == nil) != (wantErr == nil) {
				t.Errorf("encodeChange\n got %s (%v)\nwant %s (%v)", got, err, want, wantErr)
			}
		})
	}
}

// TestAppendStringEveryByte compares appendString with encoding/json for
// every single byte and every rune up to U+3000.
func TestAppendStringEveryByte(t *testing.T) {
	var sb strings.Builder
	for c := range 256 {
		sb.WriteByte(byte(c))
		sb.WriteByte('x')
	}
	for r := rune(0x80); r < 0x3000; r++ {
		sb.WriteRune(r)
	}
	s := sb.String()
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if got := appendString(nil, s); !bytes.Equal(got, want) {
		t.Errorf("appendString differs from json.Marshal:\n got %q\nwant %q", got, want)
	}
}
