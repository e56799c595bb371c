package stock

import (
	"bytes"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzDecodeJob: any bytes are a job or refused without panicking, and a
// job's header re-encodes to the bytes it was read from.
func FuzzDecodeJob(f *testing.F) {
	good, _ := EncodeJob(JobMeta{Op: "movement.record", Actor: "admin", Key: "k1"}, MovementInput{SKU: "A", Kind: KindSale, Quantity: 1})
	f.Add(good)
	f.Add([]byte{wireVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add([]byte{wireVersion, 3, 'a'})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, req, err := DecodeJob(raw)
		if err != nil {
			return
		}
		again, err := EncodeJob(m, nil)
		if err != nil {
			t.Fatal(err)
		}
		head := again[:len(again)-len("null")]
		if !bytes.Equal(append(head, req...), raw) {
			t.Fatalf("%q decoded as %+v and %q, which encode as %q", raw, m, req, append(head, req...))
		}
		var in MovementInput
		if DecodeValue(req, &in) == nil {
			_ = in.Normalize()
		}
	})
}

// FuzzCursorsAndPrices: the hand-written parsers of cursors and prices
// accept only what they can give back: a product cursor's sku is valid
// UTF-8 and encodes to the same cursor, a movement cursor's seq is
// positive and its warehouse valid UTF-8, and a price prints as a decimal that parses to itself.
func FuzzCursorsAndPrices(f *testing.F) {
	for _, s := range []string{ProductCursor("A-1"), MovementCursor(&Movement{Seq: 7, Warehouse: "MAD-1", CreatedAt: time.Unix(1764500000, 0)}), "cDr_", "bTotMQ", "19.99", "0.0001", "1.", ".5",
		"99999999999999999999", "-1", "1e3", "cDoA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sku, err := DecodeProductCursor(s); err == nil {
			if !utf8.ValidString(sku) || cursorRoundTrip(sku) != sku {
				t.Fatalf("product cursor %q gives sku %q", s, sku)
			}
		}
		if pos, err := DecodeMovementCursor(s); err == nil && (pos.Seq <= 0 || !utf8.ValidString(pos.Warehouse)) {
			t.Fatalf("movement cursor %q gives %+v", s, pos)
		}
		if p, err := ParsePrice(s); err == nil {
			if q, err := ParsePrice(p.String()); err != nil || q != p || p < 0 {
				t.Fatalf("price %q is %v, which prints as %q and parses as %v, %v", s, int64(p), p.String(), int64(q), err)
			}
		}
	})
}

// cursorRoundTrip returns the sku a product cursor for sku points at.
func cursorRoundTrip(sku string) string {
	got, _ := DecodeProductCursor(ProductCursor(sku))
	return got
}
